import { Cron } from 'croner';
import type { Schedule } from '../config.js';
import { SYNC_WORKERS, type SyncWorkerName } from '../domain/workers.js';
import type { SyncRun } from '../generated/prisma/client.js';
import { executeRun, kindWorker, type SyncDeps, type WorkerBody } from './runner.js';
import { projectsWorker } from './projects.js';
import { KIND_SPECS } from './kinds/index.js';

export type Trigger = 'SCHEDULE' | 'MANUAL' | 'STARTUP';

export type WorkerStatus = {
  worker: SyncWorkerName;
  schedule: string;
  enabled: boolean;
  running: boolean;
  nextRunAt: Date | null;
};

export type RunOutcome = { run: SyncRun } | { skipped: 'ALREADY_RUNNING' | 'ALREADY_RAN' | 'DISABLED' | 'UNKNOWN_WORKER' };

export type SyncService = {
  /** Starts the schedule and runs each enabled worker once (trigger STARTUP). */
  start(): Promise<void>;
  /** Stops the schedule and waits for runs in progress. */
  stop(): Promise<void>;
  /** Runs a worker now and waits for it; skipped when it runs here or on another replica. */
  run(worker: SyncWorkerName, trigger: Trigger, tick?: Date): Promise<RunOutcome>;
  status(): WorkerStatus[];
  /** Resolves when the start-up runs have finished (tests, demos). */
  startupDone(): Promise<void>;
};

export type SyncServiceOptions = {
  deps: SyncDeps;
  schedules: Record<SyncWorkerName, Schedule>;
  /** Workers implemented outside src/sync (the INVOICES worker lives in billing). */
  extraWorkers?: Partial<Record<SyncWorkerName, WorkerBody>>;
  /** Run each enabled worker once at start. Default true. */
  runOnStart?: boolean;
  /** Start-up runs at once (DigitalOcean's rate budget is shared). Default 2. */
  startupConcurrency?: number;
};

/** A scheduled tick counts as done if a run of the worker started this close before it (clock skew between replicas). */
const TICK_SKEW_MS = 5_000;

export function createSyncService(options: SyncServiceOptions): SyncService {
  const { deps, schedules } = options;
  const bodies = new Map<SyncWorkerName, WorkerBody>();
  for (const spec of KIND_SPECS) bodies.set(spec.worker, kindWorker(spec));
  bodies.set('PROJECTS', projectsWorker);
  for (const [worker, body] of Object.entries(options.extraWorkers ?? {})) if (body) bodies.set(worker as SyncWorkerName, body);

  const running = new Map<SyncWorkerName, Promise<RunOutcome>>();
  const jobs = new Map<SyncWorkerName, Cron>();
  let startup: Promise<void> = Promise.resolve();
  let stopped = false;

  const enabled = (w: SyncWorkerName) => schedules[w].pattern !== null && bodies.has(w);

  async function run(worker: SyncWorkerName, trigger: Trigger, tick?: Date): Promise<RunOutcome> {
    const body = bodies.get(worker);
    if (!body) return { skipped: 'UNKNOWN_WORKER' };
    if (running.has(worker)) return { skipped: 'ALREADY_RUNNING' };
    const attempt = (async (): Promise<RunOutcome> => {
      const release = await deps.db.tryLock(`sync:${deps.accountId}:${worker}`);
      if (!release) return { skipped: 'ALREADY_RUNNING' };
      try {
        if (trigger !== 'MANUAL') {
          // Another replica may have run this tick already and released the lock.
          const since = new Date((tick ?? new Date(Date.now() - 60_000)).getTime() - TICK_SKEW_MS);
          const recent = await deps.db.prisma.syncRun.findFirst({
            where: { accountId: deps.accountId, worker, trigger: { in: ['SCHEDULE', 'STARTUP'] }, startedAt: { gte: since } },
            select: { id: true },
          });
          if (recent) return { skipped: 'ALREADY_RAN' };
        }
        return { run: await executeRun(deps, worker, trigger, body) };
      } finally {
        await release();
      }
    })();
    running.set(worker, attempt);
    try {
      return await attempt;
    } finally {
      running.delete(worker);
    }
  }

  async function runStartup() {
    const queue = SYNC_WORKERS.filter(enabled);
    // Projects first, so the first inventory already knows its tenants.
    queue.sort((a, b) => (a === 'PROJECTS' ? -1 : b === 'PROJECTS' ? 1 : 0));
    const lanes = Array.from({ length: options.startupConcurrency ?? 2 }, async () => {
      for (let w = queue.shift(); w && !stopped; w = queue.shift()) {
        await run(w, 'STARTUP').catch((error) => deps.log.error('start-up sync failed', { worker: w, error }));
      }
    });
    await Promise.all(lanes);
  }

  return {
    async start() {
      for (const worker of SYNC_WORKERS) {
        const pattern = schedules[worker].pattern;
        if (!pattern || !bodies.has(worker)) continue;
        const job: Cron = new Cron(pattern, { protect: true, catch: true, name: `sync-${worker}` }, async () => {
          const tick = job.currentRun() ?? new Date();
          const outcome = await run(worker, 'SCHEDULE', tick).catch((error) => {
            deps.log.error('scheduled sync failed', { worker, error });
            return null;
          });
          if (outcome && 'skipped' in outcome) deps.log.debug('scheduled sync skipped', { worker, reason: outcome.skipped });
        });
        jobs.set(worker, job);
      }
      if (options.runOnStart !== false) startup = runStartup();
    },
    async stop() {
      stopped = true;
      for (const job of jobs.values()) job.stop();
      jobs.clear();
      await Promise.allSettled([startup, ...running.values()]);
    },
    run: (worker, trigger, tick) => (stopped ? Promise.resolve({ skipped: 'DISABLED' as const }) : run(worker, trigger, tick)),
    status: () =>
      SYNC_WORKERS.map((worker) => ({
        worker,
        schedule: schedules[worker].pattern ?? 'off',
        enabled: enabled(worker),
        running: running.has(worker),
        nextRunAt: jobs.get(worker)?.nextRun() ?? null,
      })),
    startupDone: () => startup,
  };
}
