import type { Database } from './db/index.js';
import type { DoClient } from './digitalocean/client.js';
import type { SyncService } from './sync/service.js';

/**
 * The DigitalOcean accounts (teams) this server serves, as configured: one from
 * DIGITALOCEAN_TOKEN, several from DIGITALOCEAN_ACCOUNTS(_FILE), or two simulated ones without
 * a token. Each has its own client (rate budget) and sync service; nothing else is shared
 * between them but the database, the pub/sub and the log.
 *
 * Rows of an account that is in the database but no longer configured stay there, invisible:
 * every scope (`src/scope.ts`) is limited to the configured accounts' ids.
 */
export type AccountRuntime = {
  /** Database id (CloudAccount.id). */
  id: string;
  slug: string;
  name: string;
  /** Served by the built-in simulated DigitalOcean (no token configured). */
  simulated: boolean;
  /** Absent when nothing talks to DigitalOcean for it (apps built without sync, tests). */
  client?: DoClient;
  /** Absent in apps built without sync workers. */
  sync?: SyncService;
};

/** The registry of the configured accounts, sorted by slug. */
export type Accounts = {
  list: readonly AccountRuntime[];
  /** The configured accounts' ids: what every viewer's scope is limited to. */
  ids: readonly string[];
  byId(id: string): AccountRuntime | undefined;
  bySlug(slug: string): AccountRuntime | undefined;
};

export function accountRegistry(accounts: readonly AccountRuntime[]): Accounts {
  const list = [...accounts].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  const byId = new Map(list.map((a) => [a.id, a]));
  const bySlug = new Map(list.map((a) => [a.slug, a]));
  return {
    list,
    ids: list.map((a) => a.id),
    byId: (id) => byId.get(id),
    bySlug: (slug) => bySlug.get(slug),
  };
}

/**
 * The account row of a configured account, by slug: created on first start, its name and API
 * URL updated on later ones (a renamed account keeps its rows). Returns its id.
 */
export async function upsertAccount(db: Database, account: { slug: string; name: string; apiUrl: string }): Promise<string> {
  const row = await db.prisma.cloudAccount.upsert({
    where: { slug: account.slug },
    create: account,
    update: { name: account.name, apiUrl: account.apiUrl },
  });
  return row.id;
}

/** Creates the fallback tenant if needed and makes it the only one flagged as fallback. */
export async function ensureFallbackTenant(db: Database, slug: string): Promise<string> {
  const [, tenant] = await db.prisma.$transaction([
    db.prisma.tenant.updateMany({ where: { isFallback: true, NOT: { slug } }, data: { isFallback: false } }),
    db.prisma.tenant.upsert({
      where: { slug },
      create: { slug, name: 'Unassigned (fallback)', isFallback: true },
      update: { isFallback: true },
    }),
  ]);
  return tenant.id;
}
