import type { AccountRuntime } from '../../src/accounts.js';
import { buildApp, type App } from '../../src/app.js';
import type { Database } from '../../src/db/index.js';
import { SYNC_WORKERS, type SyncWorkerName } from '../../src/domain/workers.js';
import type { SyncRun } from '../../src/generated/prisma/client.js';
import { createLogger } from '../../src/log.js';
import type { TSimAccount } from '../../src/simulator/account.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { testConfig } from './app.js';
import { gql, type GqlResult } from './gql.js';
import { ALL_KIND_WORKERS } from './sync.js';

/** One simulated DigitalOcean team, as a DIGITALOCEAN_ACCOUNTS entry names it. */
export type SimulatedTeam = { slug: string; name: string; token: string; sim: Simulator };

/** Starts a simulator per team (each its own seed, so they share no ids or names, as DO's teams do). */
export async function startTeams(specs: { slug: string; name: string; seed: number }[]): Promise<SimulatedTeam[]> {
  const teams = specs.map((s) => ({ slug: s.slug, name: s.name, token: `token-of-${s.slug}-0123456789`, sim: createSimulator({ seed: s.seed }) }));
  for (const t of teams) await t.sim.start();
  return teams;
}

export async function stopTeams(teams: SimulatedTeam[]): Promise<void> {
  for (const t of teams) await t.sim.stop();
}

/** DIGITALOCEAN_ACCOUNTS for these teams, each pointed at its simulator. */
export function accountsEnv(teams: SimulatedTeam[]): Record<string, string> {
  return { DIGITALOCEAN_ACCOUNTS: JSON.stringify(teams.map((t) => ({ slug: t.slug, name: t.name, token: t.token, apiUrl: t.sim.url }))) };
}

/** Every worker run by hand only: nothing runs by itself during a test. */
export const BY_HAND = Object.fromEntries(SYNC_WORKERS.map((w) => [`SYNC_SCHEDULE_${w}`, 'off']));

export type AccountsApp = {
  app: App;
  /** The listening URL ('' unless started with `listen`). */
  url: string;
  gql<TData>(query: string, variables?: Record<string, unknown>, key?: string): Promise<GqlResult<TData>>;
  /** The configured account of this slug. */
  account(slug: string): AccountRuntime;
  /** Its global id (`Account:<uuid>` in base64). */
  accountGid(slug: string): string;
  /** Runs a worker of one account now (MANUAL) and returns the finished run. */
  run(slug: string, worker: SyncWorkerName): Promise<SyncRun>;
  /** Runs every kind worker and the project sweep of one account once. */
  runAll(slug: string): Promise<SyncRun[]>;
  stop(): Promise<void>;
};

/**
 * An app syncing several accounts on `db` (by hand only), configured as an operator would:
 * DIGITALOCEAN_ACCOUNTS with each entry's apiUrl (unless `env` says otherwise). The client
 * options (short retries, no per-path pacing) apply to every account's client.
 */
export async function startAccountsApp(db: Database, env: Record<string, string>, opts: { listen?: boolean } = {}): Promise<AccountsApp> {
  const app = buildApp(testConfig({ ...BY_HAND, ...(opts.listen ? { PORT: '0' } : {}), ...env }), {
    database: db,
    listen: opts.listen ?? false,
    logger: createLogger('silent'),
    sync: { runOnStart: false },
    doClient: { retries: { max: 2, baseDelayMs: 5, maxDelayMs: 20 }, limits: { pathLimits: [] } },
  });
  const { url } = await app.start();
  const account = (slug: string) => {
    const found = app.services().accounts.bySlug(slug);
    if (!found) throw new Error(`no account ${slug}`);
    return found;
  };
  const run = async (slug: string, worker: SyncWorkerName) => {
    const outcome = await account(slug).sync!.run(worker, 'MANUAL');
    if (!('run' in outcome)) throw new Error(`${slug} ${worker} did not run: ${outcome.skipped}`);
    return outcome.run;
  };
  return {
    app,
    url,
    gql: (query, variables, key) => gql(app, query, variables, key),
    account,
    accountGid: (slug) => Buffer.from(`Account:${account(slug).id}`).toString('base64'),
    run,
    async runAll(slug) {
      const runs = [];
      for (const w of ALL_KIND_WORKERS) runs.push(await run(slug, w));
      return runs;
    },
    stop: () => app.stop(),
  };
}

/**
 * The app as it starts with no account configured (no token, no test's DigitalOcean): it
 * serves the two simulated accounts from simulators of its own. By hand only; open API.
 */
export async function startNoTokenApp(db: Database): Promise<Pick<AccountsApp, 'app' | 'gql' | 'stop'>> {
  const app = buildApp(testConfig(BY_HAND), { database: db, listen: false, logger: createLogger('silent'), sync: { runOnStart: false } });
  await app.start();
  return { app, gql: (query, variables, key) => gql(app, query, variables, key), stop: () => app.stop() };
}

/**
 * What the inventory should hold for a simulated team after every worker ran once: kind ->
 * provider ids (Spaces buckets are known from project memberships only).
 */
export function expectedInventory(s: TSimAccount): Record<string, string[]> {
  const ids = (items: { id?: unknown }[]) => items.map((i) => String(i.id));
  return {
    droplet: ids([...s.droplets, ...s.gpuDroplets]),
    droplet_backup: ids([...s.backups.values()].flat()),
    snapshot: ids(s.snapshots),
    volume: ids(s.volumes),
    dns_zone: s.domains.map((d) => String(d.name)),
    floating_ip: s.reservedIps.map((ip) => String(ip.ip)),
    firewall: ids(s.firewalls),
    load_balancer: ids(s.loadBalancers),
    managed_db: ids(s.databases),
    k8s_cluster: ids(s.kubernetes),
    app: ids(s.apps),
    cdn_endpoint: ids(s.cdnEndpoints),
    vpc: ids(s.vpcs),
    spaces_bucket: [...s.membership.keys()].filter((u) => u.startsWith('do:space:')).map((u) => u.slice('do:space:'.length)),
  };
}

/** Rows grouped as `expectedInventory` gives them, ids sorted. */
export function byKind(rows: { kind: string; providerId: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.kind] ??= []).push(r.providerId);
  for (const list of Object.values(out)) list.sort();
  return out;
}

/** `expectedInventory` with ids sorted (to compare with `byKind`). */
export function sortedInventory(s: TSimAccount): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(expectedInventory(s))
      .filter(([, list]) => list.length > 0)
      .map(([kind, list]) => [kind, [...list].sort()]),
  );
}
