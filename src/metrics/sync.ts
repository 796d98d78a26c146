import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SyncRunObserver } from '../sync/runner.js';

/** Seconds: sync runs last from a fraction of a second (small kinds) to many minutes (large accounts). */
const RUN_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/** The sync runs' metrics; `forAccount(slug)` is what one account's runs report to. */
export function syncMetrics(registry: Registry) {
  const labelNames = ['account', 'worker'] as const;
  const runs = new Counter({
    name: 'inventory_sync_runs_total',
    help: 'Sync runs finished, by account, worker and status (SUCCEEDED or FAILED, as the SyncRun says).',
    labelNames: ['account', 'worker', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'inventory_sync_run_duration_seconds',
    help: 'Duration of finished sync runs, by account, worker and status.',
    labelNames: ['account', 'worker', 'status'] as const,
    buckets: RUN_BUCKETS,
    registers: [registry],
  });
  const lastRun = new Gauge({
    name: 'inventory_sync_last_run_timestamp_seconds',
    help: 'When the last sync run of this account and worker finished with this status (Unix time).',
    labelNames: ['account', 'worker', 'status'] as const,
    registers: [registry],
  });
  const fetched = new Counter({
    name: 'inventory_sync_items_fetched_total',
    help: 'Items the DigitalOcean listings of sync runs returned (valid ones), by account and worker.',
    labelNames,
    registers: [registry],
  });
  const written = new Counter({
    name: 'inventory_sync_items_written_total',
    help: 'Resources sync runs wrote, by account, worker and change (created or updated).',
    labelNames: ['account', 'worker', 'change'] as const,
    registers: [registry],
  });
  const unchanged = new Counter({
    name: 'inventory_sync_items_unchanged_total',
    help: 'Resources listed again exactly as stored (nothing written), by account and worker.',
    labelNames,
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'inventory_sync_items_skipped_total',
    help: 'Listed items left out because they failed validation (the run then ends incomplete), by account and worker.',
    labelNames,
    registers: [registry],
  });
  const lifecycle = new Counter({
    name: 'inventory_sync_resources_marked_total',
    help: 'Resources a sync run marked, by account, worker and mark (missed, stale or revived).',
    labelNames: ['account', 'worker', 'mark'] as const,
    registers: [registry],
  });
  return {
    forAccount(account: string): SyncRunObserver {
      return {
        runFinished({ worker, status, seconds, counts, skipped: skippedItems }) {
          const labels = { account, worker };
          runs.inc({ ...labels, status });
          duration.observe({ ...labels, status }, seconds);
          lastRun.set({ ...labels, status }, Date.now() / 1000);
          fetched.inc(labels, counts.fetched);
          written.inc({ ...labels, change: 'created' }, counts.created);
          written.inc({ ...labels, change: 'updated' }, counts.updated);
          unchanged.inc(labels, counts.unchanged);
          skipped.inc(labels, skippedItems);
          lifecycle.inc({ ...labels, mark: 'missed' }, counts.missed);
          lifecycle.inc({ ...labels, mark: 'stale' }, counts.stale);
          lifecycle.inc({ ...labels, mark: 'revived' }, counts.revived);
        },
      };
    },
  };
}
