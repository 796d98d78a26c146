import { assertAccountOperator } from '../auth.js';
import type { Context } from '../context.js';
import type { SyncWorkerName } from '../domain/workers.js';
import type { Prisma, SyncRun } from '../generated/prisma/client.js';
import type { SyncRunMessage } from '../pubsub.js';
import { assertSeesSyncInternals, syncRunScope } from '../scope.js';
import { readSkippedItems } from '../sync/skipped.js';
import type { TSkippedItem } from '../digitalocean/skipped-item.js';
import { workerReports, type WorkerReport } from '../sync/status.js';
import { accountsArg, inputAccount } from './account-args.js';
import { builder } from './builder.js';
import { SyncRunStatusEnum, SyncTriggerEnum, SyncWorkerEnum } from './enums.js';
import { liveStream } from './live.js';
import { assertPageArgs, connectionSizes, namedConnection } from './pagination.js';
import { payloadType, userError, type UserErrorShape } from './payload.js';

const SkippedItemRef = builder.objectRef<TSkippedItem>('SkippedItem').implement({
  description: 'An item of a DigitalOcean listing that a run left out because a field the product needs failed validation.',
  fields: (t) => ({
    providerId: t.exposeString('providerId', { nullable: true, description: "The item's id where it could be read." }),
    path: t.exposeString('path', { description: 'Path of the field that failed, e.g. node_pools.0.nodes.2.droplet_id.' }),
    message: t.exposeString('message'),
  }),
});

export const SyncRunRef = builder.prismaNode('SyncRun', {
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, AND: [syncRunScope(ctx)] }),
  // Null for a tenant-scoped key, as for a missing run: runs are account internals.
  nullable: true,
  fields: (t) => ({
    worker: t.expose('worker', { type: SyncWorkerEnum }),
    status: t.expose('status', { type: SyncRunStatusEnum }),
    trigger: t.expose('trigger', { type: SyncTriggerEnum }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    fetched: t.exposeInt('fetched'),
    created: t.exposeInt('created'),
    updated: t.exposeInt('updated'),
    unchanged: t.exposeInt('unchanged'),
    markedMissing: t.exposeInt('markedMissing'),
    markedStale: t.exposeInt('markedStale'),
    revived: t.exposeInt('revived'),
    apiRequests: t.exposeInt('apiRequests'),
    rateRemaining: t.exposeInt('rateRemaining', {
      nullable: true,
      description: "DigitalOcean's ratelimit-remaining after the run's last request.",
    }),
    complete: t.exposeBoolean('complete', {
      description: 'False when a listing ended early or items were skipped: then no strike was counted.',
    }),
    error: t.string({
      nullable: true,
      description:
        "Why the run failed: the endpoint, HTTP status, DigitalOcean's error id and request id (never the upstream message text); configured secrets redacted. For unscoped keys only.",
      resolve: (run, _args, ctx) => {
        assertSeesSyncInternals(ctx);
        return run.error;
      },
    }),
    skippedItems: t.field({
      type: [SkippedItemRef],
      description: 'Items of a listing that failed validation: skipped, named here, and the run counted no strikes.',
      resolve: (run) => readSkippedItems(run.skippedItems),
    }),
  }),
});

export const SyncRunConnection = namedConnection(SyncRunRef, 'SyncRun');

/** Runs the viewer may see, of one worker and one account where the arguments say so. */
function syncRunWhere(ctx: Context, args: { worker?: SyncWorkerName | null; accountId?: string | number | null }): Prisma.SyncRunWhereInput {
  return {
    AND: [
      syncRunScope(ctx),
      args.worker ? { worker: args.worker } : {},
      args.accountId != null ? { accountId: { in: [...accountsArg(ctx, args.accountId, 'accountId')] } } : {},
    ],
  };
}

export const SyncWorkerStatusRef = builder.objectRef<WorkerReport>('SyncWorkerStatus').implement({
  fields: (t) => ({
    worker: t.expose('worker', { type: SyncWorkerEnum }),
    schedule: t.exposeString('schedule', {
      description: 'Cron pattern in effect; "off" when the worker runs only by runSync, "disabled" when it does not run at all.',
    }),
    enabled: t.exposeBoolean('enabled', { description: 'Whether runSync can run the worker: false only when it is disabled (or nothing syncs here).' }),
    running: t.exposeBoolean('running', { description: 'Running in this process.' }),
    nextRunAt: t.expose('nextRunAt', { type: 'DateTime', nullable: true }),
    lastRun: t.field({ type: SyncRunRef, nullable: true, resolve: (s) => s.lastRun }),
    lastSuccess: t.field({ type: SyncRunRef, nullable: true, resolve: (s) => s.lastSuccess }),
  }),
});

builder.queryFields((t) => ({
  syncRuns: t.prismaConnection(
    {
      type: 'SyncRun',
      cursor: 'id',
      ...connectionSizes,
      args: { worker: t.arg({ type: SyncWorkerEnum }), accountId: t.arg.id() },
      description: 'Runs, newest first. Unscoped keys only (FORBIDDEN for a tenant-scoped key).',
      totalCount: (_parent, args, ctx) => {
        assertSeesSyncInternals(ctx);
        return ctx.db.prisma.syncRun.count({ where: syncRunWhere(ctx, args) });
      },
      resolve: (query, _parent, args, ctx) => {
        assertSeesSyncInternals(ctx);
        assertPageArgs(args);
        return ctx.db.prisma.syncRun.findMany({
          ...query,
          where: syncRunWhere(ctx, args),
          orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        });
      },
    },
    SyncRunConnection,
  ),
  syncStatus: t.field({
    type: [SyncWorkerStatusRef],
    description:
      'Every worker of every account (or of one): schedule, whether it runs here, and its last runs. Without a sync service (no DigitalOcean client) none is enabled. Unscoped keys only (FORBIDDEN for a tenant-scoped key).',
    args: { accountId: t.arg.id() },
    resolve: async (_parent, args, ctx) => {
      assertSeesSyncInternals(ctx);
      const ids = accountsArg(ctx, args.accountId, 'accountId');
      return workerReports(
        ctx.db,
        ctx.accounts.list.filter((a) => ids.includes(a.id)),
      );
    },
  }),
}));

const RunSyncInput = builder.inputType('RunSyncInput', {
  fields: (t) => ({
    worker: t.field({ type: SyncWorkerEnum, required: true }),
    accountId: t.id({ description: 'Required when the server syncs more than one account.' }),
  }),
});

const RunSyncPayload = payloadType('RunSyncPayload', {
  syncRun: { type: SyncRunRef, description: 'The finished run (the mutation waits for it).' },
});

const SKIP_MESSAGES = {
  UNKNOWN_WORKER: 'this server has no such worker',
  DISABLED: 'the worker is disabled (SYNC_SCHEDULE_<WORKER>=disabled, or the server is stopping)',
  ALREADY_RUNNING: 'the worker is running now (here or on another replica); its run will finish on its own',
  ALREADY_RAN: 'the worker has just run',
} as const;

builder.mutationField('runSync', (t) =>
  t.field({
    type: RunSyncPayload,
    description:
      'Runs a worker of an account now and waits for it. userErrors: INVALID_INPUT (no accountId while the server syncs several accounts, or a malformed one), NOT_FOUND (no such account), NOT_CONFIGURED (no sync service: no DigitalOcean client), UNKNOWN_WORKER, DISABLED, ALREADY_RUNNING.',
    args: { input: t.arg({ type: RunSyncInput, required: true }) },
    resolve: async (_parent, { input }, ctx) => {
      assertAccountOperator(ctx.viewer);
      const errors: UserErrorShape[] = [];
      const account = inputAccount(ctx, input.accountId, errors);
      if (!account) return { syncRun: null, userErrors: errors };
      const path = ['input', 'worker'];
      const { sync } = account;
      if (!sync) {
        return { syncRun: null, userErrors: [userError('NOT_CONFIGURED', 'this server runs no sync workers (no DigitalOcean client configured)', path)] };
      }
      const status = sync.status().find((s) => s.worker === input.worker);
      if (!status) return { syncRun: null, userErrors: [userError('UNKNOWN_WORKER', SKIP_MESSAGES.UNKNOWN_WORKER, path)] };
      if (!status.enabled) return { syncRun: null, userErrors: [userError('DISABLED', SKIP_MESSAGES.DISABLED, path)] };
      const outcome = await sync.run(input.worker, 'MANUAL');
      if ('skipped' in outcome) return { syncRun: null, userErrors: [{ code: outcome.skipped, message: SKIP_MESSAGES[outcome.skipped], path }] };
      return { syncRun: outcome.run, userErrors: [] };
    },
  }),
);

builder.subscriptionField('syncRunUpdated', (t) =>
  t.field({
    type: SyncRunRef,
    description: 'Each run of a worker as it starts and finishes. Unscoped keys only (FORBIDDEN for a tenant-scoped key).',
    args: { worker: t.arg({ type: SyncWorkerEnum }), accountId: t.arg.id() },
    subscribe: (_root, args, ctx) => {
      assertSeesSyncInternals(ctx);
      const accountIds = new Set(accountsArg(ctx, args.accountId, 'accountId'));
      return liveStream<SyncRunMessage, SyncRun>({
        subscribe: (signal) => ctx.pubsub.subscribe('syncRun', signal),
        accept: (m) => accountIds.has(m.accountId) && (!args.worker || m.worker === args.worker),
        // The row as it is now; a RUNNING message read after the run finished shows it finished.
        load: (m) => ctx.db.prisma.syncRun.findUnique({ where: { id: m.id, AND: [syncRunScope(ctx)] } }),
      });
    },
    resolve: (run: SyncRun) => run,
  }),
);
