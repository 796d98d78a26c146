import type { Database } from '../db/index.js';
import { SYNC_WORKERS, type SyncWorkerName } from '../domain/workers.js';
import type { SyncRun } from '../generated/prisma/client.js';
import type { SyncService, WorkerStatus } from './service.js';

/** A worker's schedule and state here, with its newest run and its newest successful run. */
export type WorkerReport = WorkerStatus & { lastRun: SyncRun | null; lastSuccess: SyncRun | null };

/**
 * Every worker of the account: as `sync` reports it (without a sync service, none is enabled
 * and all are `off`), with its last runs, in three queries whatever the number of workers.
 */
export async function workerReports(db: Database, accountId: string, sync: SyncService | undefined): Promise<WorkerReport[]> {
  const statuses: WorkerStatus[] =
    sync?.status() ?? SYNC_WORKERS.map((worker) => ({ worker, schedule: 'off', enabled: false, running: false, nextRunAt: null }));
  const [last, success] = await Promise.all([latestRuns(db, accountId, null), latestRuns(db, accountId, 'SUCCEEDED')]);
  return statuses.map((s) => ({ ...s, lastRun: last.get(s.worker) ?? null, lastSuccess: success.get(s.worker) ?? null }));
}

/** The newest run of each worker (of the given status), in one query. */
async function latestRuns(db: Database, accountId: string, status: 'SUCCEEDED' | null): Promise<Map<SyncWorkerName, SyncRun>> {
  const ids = await db.sql.query<{ id: string }>(
    `SELECT DISTINCT ON (worker) id FROM "SyncRun"
     WHERE "accountId" = $1::uuid AND ($2::text IS NULL OR status::text = $2::text)
     ORDER BY worker, "startedAt" DESC, id DESC`,
    [accountId, status],
  );
  const rows = ids.length ? await db.prisma.syncRun.findMany({ where: { id: { in: ids.map((r) => r.id) } } }) : [];
  return new Map(rows.map((r) => [r.worker, r]));
}
