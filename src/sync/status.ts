import type { AccountRuntime } from '../accounts.js';
import type { Database } from '../db/index.js';
import { SYNC_WORKERS } from '../domain/workers.js';
import type { SyncRun } from '../generated/prisma/client.js';
import type { WorkerStatus } from './service.js';

/** A worker of an account: its schedule and state here, with its newest run and its newest successful run. */
export type WorkerReport = WorkerStatus & { accountId: string; lastRun: SyncRun | null; lastSuccess: SyncRun | null };

/**
 * Every worker of each account, account by account: as its sync service reports it (without
 * one, none is enabled and all are `off`), with its last runs, in three queries whatever the
 * number of workers and accounts.
 */
export async function workerReports(db: Database, accounts: readonly Pick<AccountRuntime, 'id' | 'sync'>[]): Promise<WorkerReport[]> {
  if (accounts.length === 0) return [];
  const ids = accounts.map((a) => a.id);
  const [last, success] = await Promise.all([latestRuns(db, ids, null), latestRuns(db, ids, 'SUCCEEDED')]);
  return accounts.flatMap((account) => {
    const statuses: WorkerStatus[] =
      account.sync?.status() ?? SYNC_WORKERS.map((worker) => ({ worker, schedule: 'off', enabled: false, running: false, nextRunAt: null }));
    return statuses.map((s) => {
      const key = `${account.id}:${s.worker}`;
      return { ...s, accountId: account.id, lastRun: last.get(key) ?? null, lastSuccess: success.get(key) ?? null };
    });
  });
}

/** The newest run of each account's workers (of the given status), keyed `accountId:worker`, in one query. */
async function latestRuns(db: Database, accountIds: string[], status: 'SUCCEEDED' | null): Promise<Map<string, SyncRun>> {
  const ids = await db.sql.query<{ id: string }>(
    `SELECT DISTINCT ON ("accountId", worker) id FROM "SyncRun"
     WHERE "accountId" = ANY($1::uuid[]) AND ($2::text IS NULL OR status::text = $2::text)
     ORDER BY "accountId", worker, "startedAt" DESC, id DESC`,
    [accountIds, status],
  );
  const rows = ids.length ? await db.prisma.syncRun.findMany({ where: { id: { in: ids.map((r) => r.id) } } }) : [];
  return new Map(rows.map((r) => [`${r.accountId}:${r.worker}`, r]));
}
