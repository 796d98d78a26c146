import type { Database } from '../db/index.js';
import type { Logger } from '../log.js';
import type { PubSub } from '../pubsub.js';
import type { SyncRun } from '../generated/prisma/client.js';
import { WORKER_SCOPES, type SyncTrigger, type SyncWorkerName } from '../domain/workers.js';
import type { DoClient, DoSession, TOnInvalid, TPagesSpec } from '../digitalocean/client.js';
import { DoError, isDoStatus } from '../digitalocean/errors.js';
import { MAX_SKIPPED_ITEMS_STORED } from './skipped.js';
import type { TSkippedItem } from '../digitalocean/skipped-item.js';
import { commitChange, type EventObserver } from '../events/commit.js';
import { addCounts, NO_CHANGE, type ChangeCounts } from '../events/counts.js';
import { attribute } from './attribution.js';
import { markMissing } from './lifecycle.js';
import { upsertBatch } from './upsert.js';
import { trackProgress } from './progress.js';
import type { KindLookup, KindSpec, NormalizedResource } from './kinds/types.js';

/** What a run needs; one per app. */
export type SyncDeps = {
  db: Database;
  pubsub: PubSub;
  log: Logger;
  client: DoClient;
  accountId: string;
  fallbackTenantId: string;
  /** Kinds whose worker is not `disabled` (`off` included): the project sweep gives them attribution only, no placeholders. */
  dedicatedKinds: ReadonlySet<string>;
  /** Where runs and their commits are reported (src/metrics), labelled with the account at construction. */
  metrics?: { runs?: SyncRunObserver; events?: EventObserver };
};

/** What a finished run reports (src/metrics). */
export type SyncRunObserver = {
  runFinished(run: { worker: SyncWorkerName; status: string; seconds: number; counts: Readonly<RunCounts>; skipped: number }): void;
};

/** What a run did: the sum of its changes' counts, and the items its listings returned. */
export type RunCounts = ChangeCounts & { fetched: number };

export type RunContext = {
  deps: SyncDeps;
  runId: string;
  session: DoSession;
  /** The run's counts so far. */
  readonly totals: Readonly<RunCounts>;
  /** Adds to the run's counts: what each change returned (`commitChange`'s counts), and items fetched. */
  count(counts: Partial<RunCounts>): void;
  /**
   * Give to `session.pages`: an item that fails validation is left out and named on the run,
   * which then ends SUCCEEDED but incomplete. The worker must then count no strikes.
   */
  skip: TOnInvalid;
  /** Items skipped so far in this run. */
  readonly skippedCount: number;
};

/** The body of one worker; returns normally only when every listing was listed to its end. */
export type WorkerBody = (run: RunContext) => Promise<void>;

/**
 * Rows per write: pages are streamed into batches of this size, never held whole. 1,000 keeps
 * the chokepoint within 1.2x of one raw INSERT and a large sync under 300 MB (npm run bench:sync).
 */
export const BATCH_SIZE = 1_000;

/**
 * Records a run around `body`: RUNNING, then SUCCEEDED (complete) or FAILED with the error.
 * Publishes the run as it starts, as it reads pages (throttled) and as it finishes. Never throws for a failed listing: the run
 * says what happened.
 */
export async function executeRun(deps: SyncDeps, worker: SyncWorkerName, trigger: SyncTrigger, body: WorkerBody): Promise<SyncRun> {
  const { db, pubsub, log, accountId } = deps;
  const started = performance.now();
  const run = await db.prisma.syncRun.create({ data: { accountId, worker, trigger } });
  await pubsub.publish('syncRun', { id: run.id, accountId, worker, status: 'RUNNING' });
  // Pages and items so far, on the row and to subscribers, at most every 500 ms while it runs.
  const { session, progress } = trackProgress(
    deps.client.session(),
    async (p) => {
      await db.prisma.syncRun.update({ where: { id: run.id }, data: { pagesListed: p.pages, itemsListed: p.items, progressAt: new Date() } });
      await pubsub.publish('syncRun', { id: run.id, accountId, worker, status: 'RUNNING' });
    },
    (e) => log.warn('sync run progress not recorded', { worker, runId: run.id, error: e instanceof Error ? e.message : String(e) }),
  );
  const totals: RunCounts = { ...NO_CHANGE, fetched: 0 };
  const skipped: TSkippedItem[] = [];
  let skippedCount = 0;
  const ctx: RunContext = {
    deps,
    runId: run.id,
    session,
    totals,
    count: (counts) => addCounts(totals, counts),
    skip: (item) => {
      skippedCount++;
      if (skipped.length < MAX_SKIPPED_ITEMS_STORED) skipped.push(item);
    },
    get skippedCount() {
      return skippedCount;
    },
  };
  let error: string | null = null;
  try {
    await body(ctx);
  } catch (e) {
    // Stored and served to operators: configured secrets never reach the row.
    error = log.redact(describeFailure(e, worker));
    log.warn('sync run failed', { worker, runId: run.id, error });
  }
  if (skippedCount > 0) log.warn('sync run skipped invalid items', { worker, runId: run.id, skipped: skippedCount, first: skipped[0] });
  const finished = await db.prisma.syncRun.update({
    where: { id: run.id },
    data: {
      status: error ? 'FAILED' : 'SUCCEEDED',
      complete: !error && skippedCount === 0,
      skippedItems: skipped,
      finishedAt: new Date(),
      error,
      apiRequests: session.requests,
      rateRemaining: session.rateLimitRemaining,
      fetched: totals.fetched,
      created: totals.created,
      updated: totals.updated,
      unchanged: totals.unchanged,
      markedMissing: totals.missed,
      markedStale: totals.stale,
      revived: totals.revived,
      pagesListed: progress.pages,
      itemsListed: progress.items,
      progressAt: new Date(),
    },
  });
  await pubsub.publish('syncRun', { id: run.id, accountId, worker, status: finished.status });
  deps.metrics?.runs?.runFinished({ worker, status: finished.status, seconds: (performance.now() - started) / 1000, counts: totals, skipped: skippedCount });
  log.info('sync run finished', {
    worker,
    status: finished.status,
    fetched: totals.fetched,
    created: totals.created,
    updated: totals.updated,
    events: totals.eventsStored,
    requests: session.requests,
  });
  return finished;
}

function describeFailure(e: unknown, worker: SyncWorkerName): string {
  if (isDoStatus(e, 403)) {
    // DigitalOcean's 403 body does not say which scope is missing; the worker knows what it needs.
    return `${e.endpoint}: HTTP 403: the DigitalOcean token lacks the scope ${WORKER_SCOPES[worker]} (${e.message})${e.incomplete ? ' (listing incomplete: no strikes counted)' : ''}`;
  }
  if (e instanceof DoError) {
    const status = (e as { status?: number }).status;
    return `${e.endpoint}: ${status ? `HTTP ${status} ` : ''}${e.message}${e.incomplete ? ' (listing incomplete: no strikes counted)' : ''}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Pages of a listing, or of its fallback when DigitalOcean answers 404 for the first. */
async function* listingPages<T>(session: DoSession, listing: TPagesSpec<T> & { fallback?: TPagesSpec<T> }, onInvalid: TOnInvalid): AsyncGenerator<T[]> {
  try {
    yield* session.pages(listing, onInvalid);
  } catch (error) {
    if (!listing.fallback || !isDoStatus(error, 404) || (error as DoError).itemsYielded > 0) throw error;
    yield* session.pages(listing.fallback, onInvalid);
  }
}

async function loadLookup(deps: SyncDeps, spec: KindSpec): Promise<KindLookup> {
  if (spec.lookup !== 'dropletsByBackupId') return {};
  const droplets = await deps.db.sql.query<{ providerId: string; name: string; ids: unknown }>(
    `SELECT "providerId", name, attrs->'backup_ids' AS ids FROM "Resource" WHERE "accountId" = $1::uuid AND kind = 'droplet'`,
    [deps.accountId],
  );
  const map = new Map<string, { id: string; name: string }>();
  for (const d of droplets) {
    if (Array.isArray(d.ids)) for (const id of d.ids) map.set(String(id), { id: d.providerId, name: d.name });
  }
  return { dropletsByBackupId: map };
}

/**
 * The generic kind worker: list → validate → normalize → upsert → mark missing → events.
 * Items that fail validation are skipped (named on the run); then absences count nothing.
 */
export function kindWorker(spec: KindSpec): WorkerBody {
  return async (run) => {
    const { deps } = run;
    const lookup = await loadLookup(deps, spec);
    const seen = new Set<string>();
    let batch: NormalizedResource[] = [];
    const ctx = { accountId: deps.accountId, fallbackTenantId: deps.fallbackTenantId, syncRunId: run.runId, kind: spec.kind };
    const flush = async () => {
      if (batch.length === 0) return;
      run.count(await upsertBatch(deps, ctx, batch));
      batch = [];
    };
    for (const listing of spec.listings) {
      for await (const page of listingPages(run.session, listing, run.skip)) {
        for (const item of page) {
          const row = spec.normalize(item, lookup);
          run.count({ fetched: 1 });
          seen.add(row.providerId);
          batch.push(row);
        }
        if (batch.length >= BATCH_SIZE) await flush();
      }
    }
    await flush();
    if (run.skippedCount > 0) {
      // A skipped item may be one of the absent: no strike for anything of this kind.
      await reattributeAll(run);
      return;
    }
    // Only here, after every listing completed with every item, do absences count.
    run.count(await markMissing(deps, { accountId: deps.accountId, syncRunId: run.runId }, spec.kind, [...seen], false));
    await reattributeAll(run);
  };
}

/** Attribution of the whole account (children follow parents that changed in this run). */
export async function reattributeAll(run: RunContext): Promise<void> {
  const { deps } = run;
  const { counts } = await commitChange(deps, { syncRunId: run.runId }, async (tx) => ({
    events: await attribute(tx, { accountId: deps.accountId, fallbackTenantId: deps.fallbackTenantId, resourceIds: null }),
  }));
  run.count(counts);
}
