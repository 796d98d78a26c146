import type { AccountRuntime } from '../accounts.js';
import type { Context } from '../context.js';
import { assertSeesSyncInternals } from '../scope.js';
import { workerReports } from '../sync/status.js';
import { builder } from './builder.js';
import { InventorySummaryRef, summarize } from './inventory-summary.js';
import { resourceWhere } from './resource-filter.js';
import { SyncWorkerStatusRef } from './sync-run.js';

/** What the Account type reads: the registry's entry without its client and sync service. */
type AccountShape = Pick<AccountRuntime, 'id' | 'slug' | 'name' | 'simulated'>;

const shape = (a: AccountShape): AccountShape => ({ id: a.id, slug: a.slug, name: a.name, simulated: a.simulated });

export const AccountRef = builder.objectRef<AccountShape>('Account');

builder.node(AccountRef, {
  description: 'A DigitalOcean account (team) whose inventory this server syncs, named in the configuration.',
  id: { resolve: (a) => a.id },
  // From the registry: only configured accounts are nodes (a copy: the node lookup brands what it loads).
  loadOne: (id, ctx) => {
    const account = ctx.accounts.byId(id);
    return account ? shape(account) : null;
  },
  fields: (t) => ({
    slug: t.exposeString('slug', { description: 'Short stable name from the configuration, e.g. acme-prod.' }),
    name: t.exposeString('name'),
    simulated: t.exposeBoolean('simulated', {
      description: 'True for an account served by the built-in simulated DigitalOcean (no token configured).',
    }),
    syncStatus: t.field({
      type: [SyncWorkerStatusRef],
      description: 'Every worker of this account: schedule, whether it runs here, its last runs. FORBIDDEN for a tenant-scoped key.',
      resolve: (a, _args, ctx) => {
        assertSeesSyncInternals(ctx);
        return workerReports(ctx.db, [accountOf(ctx, a.id)]);
      },
    }),
    summary: t.field({
      type: InventorySummaryRef,
      description: "Counts per kind and lifecycle of this account's resources the viewer may see, stale rows included.",
      resolve: (a, _args, ctx) => summarize(ctx, { AND: [resourceWhere(ctx, null, { defaultLifecycle: false }), { accountId: a.id }] }),
    }),
  }),
});

/**
 * The configured account of a row. Every row a resolver reaches is in the viewer's scope, which
 * holds configured accounts only; an unknown id is a bug, not a client error.
 */
function accountOf(ctx: Pick<Context, 'accounts'>, id: string): AccountRuntime {
  const account = ctx.accounts.byId(id);
  if (!account) throw new Error(`account ${id} is not configured`);
  return account;
}

builder.queryField('accounts', (t) =>
  t.field({
    type: [AccountRef],
    description: 'The accounts this server syncs, by slug. Visible to every key.',
    resolve: (_parent, _args, ctx) => ctx.accounts.list,
  }),
);

// The account of each row that has one: from the registry, no query.
for (const model of ['Resource', 'Project', 'Invoice', 'ResourceEvent', 'SyncRun'] as const) {
  builder.prismaObjectField(model, 'account', (t) =>
    t.field({ type: AccountRef, select: { accountId: true }, resolve: (row, _args, ctx) => accountOf(ctx, row.accountId) }),
  );
}
builder.objectField(SyncWorkerStatusRef, 'account', (t) => t.field({ type: AccountRef, resolve: (s, _args, ctx) => accountOf(ctx, s.accountId) }));
