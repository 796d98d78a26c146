import { Cron } from 'croner';
import type { Schedule } from '../config.js';
import { SYNC_WORKERS, startupPrerequisites, type SyncTrigger, type SyncWorkerName } from '../domain/workers.js';
import type { SyncRun } from '../generated/prisma/client.js';
import { executeRun, kindWorker, type SyncDeps, type WorkerBody } from './runner.js';
import { projectsWorker } from './projects.js';
import { KIND_SPECS } from './kinds/index.js';

export type Trigger = SyncTrigger;

export type WorkerStatus = {
  worker: SyncWorkerName;
  schedule: string;
  enabled: boolean;
  running: boolean;
  nextRunAt: Date | null;
};

/** A scheduled tick: when it was due, and how long before it a run on another replica counts as this tick's. */
export type Tick = { at: Date; skewMs?: number };

/** Longest a start-up run waits for another replica's run of a prerequisite worker. */
const STARTUP_WAIT_MS = 15 * 60_000;

export type RunOutcome = { run: SyncRun } | { skipped: 'ALREADY_RUNNING' | 'ALREADY_RAN' | 'DISABLED' | 'UNKNOWN_WORKER' };

export type SyncService = {
  /**
   * Starts the schedule and runs each scheduled worker once (trigger STARTUP), in dependency
   * order (`startupPrerequisites`): PROJECTS first, parents' kinds before their children's.
   */
  start(): Promise<void>;
  /** Stops the schedule and waits for runs in progress. */
  stop(): Promise<void>;
  /** Runs a worker now and waits for it; skipped when it runs here or on another replica, or is `disabled`. */
  run(worker: SyncWorkerName, trigger: Trigger, tick?: Tick): Promise<RunOutcome>;
  status(): WorkerStatus[];
  /** Resolves when the start-up runs have finished (tests, demos). */
  startupDone(): Promise<void>;
};

export type SyncServiceOptions = {
  deps: SyncDeps;
  schedules: Record<SyncWorkerName, Schedule>;
  /** Workers implemented outside src/sync (the INVOICES worker lives in billing). */
  extraWorkers?: Partial<Record<SyncWorkerName, WorkerBody>>;
  /** Run each scheduled worker once at start. Default true. */
  runOnStart?: boolean;
  /** Start-up runs at once (DigitalOcean's rate budget is shared). Default 2. */
  startupConcurrency?: number;
  /**
   * After a run could not be recorded (the database was unreachable), how often to try closing
   * it FAILED until the database answers. Default 2,000 ms.
   */
  recoveryIntervalMs?: number;
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
  /** Workers whose start-up run has not finished: their ticks would jump the start-up order. */
  const startupPending = new Set<SyncWorkerName>();
  let stopped = false;

  /** Runs when asked (`off` included); only `disabled` stops a worker. */
  const enabled = (w: SyncWorkerName) => bodies.has(w) && !schedules[w].disabled;
  /** Runs on its schedule and at start. */
  const scheduled = (w: SyncWorkerName) => enabled(w) && schedules[w].pattern !== null;

  async function run(worker: SyncWorkerName, trigger: Trigger, tick?: Tick): Promise<RunOutcome> {
    const body = bodies.get(worker);
    if (!body) return { skipped: 'UNKNOWN_WORKER' };
    if (!enabled(worker)) return { skipped: 'DISABLED' };
    if (running.has(worker)) return { skipped: 'ALREADY_RUNNING' };
    const attempt = (async (): Promise<RunOutcome> => {
      const release = await deps.db.tryLock(`sync:${deps.accountId}:${worker}`);
      if (!release) return { skipped: 'ALREADY_RUNNING' };
      try {
        if (trigger !== 'MANUAL') {
          // Another replica may have run this tick already and released the lock. Only a run that
          // succeeded counts: one a crash or an outage interrupted (closed FAILED) is run again.
          const since = tick ? new Date(tick.at.getTime() - (tick.skewMs ?? TICK_SKEW_MS)) : new Date(Date.now() - 60_000);
          const recent = await deps.db.prisma.syncRun.findFirst({
            where: { accountId: deps.accountId, worker, trigger: { in: ['SCHEDULE', 'STARTUP'] }, status: 'SUCCEEDED', startedAt: { gte: since } },
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
    } catch (error) {
      // executeRun records every failure of the run itself; what escapes is the database failing
      // under it (lock, run row). A RUNNING row may be left behind: close it once the database answers.
      scheduleRecovery();
      throw error;
    } finally {
      running.delete(worker);
    }
  }

  let recoveryTimer: NodeJS.Timeout | undefined;
  let recovering: Promise<void> = Promise.resolve();
  /** Retries closing this process's interrupted runs until the database answers. */
  function scheduleRecovery() {
    if (recoveryTimer || stopped) return;
    recoveryTimer = setTimeout(() => {
      if (stopped) return;
      recovering = (async () => {
        try {
          // Advisory locks are re-entrant within this process's session: a run of this process that
          // starts meanwhile would pass the lock, so only rows older than this attempt are closed.
          const closed = await closeInterruptedRuns(SYNC_WORKERS, 'interrupted: the database became unreachable during the run', new Date());
          recoveryTimer = undefined;
          if (closed) deps.log.warn('closed runs interrupted by a database outage', { runs: closed });
        } catch {
          recoveryTimer = undefined;
          scheduleRecovery();
        }
      })();
    }, options.recoveryIntervalMs ?? 2_000);
    recoveryTimer.unref();
  }

  /**
   * Resolves when the worker's run in progress ends: this process's own, or another replica's
   * (whose lock this process can take once it is released). Gives up after STARTUP_WAIT_MS.
   */
  async function untilRunEnds(worker: SyncWorkerName): Promise<void> {
    const deadline = Date.now() + STARTUP_WAIT_MS;
    while (!stopped && Date.now() < deadline) {
      const local = running.get(worker);
      if (local) {
        await local.catch(() => {});
        continue;
      }
      const release = await deps.db.tryLock(`sync:${deps.accountId}:${worker}`).catch(() => null);
      if (release) {
        await release();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /**
   * Each scheduled worker once, at most `startupConcurrency` at a time, each after its
   * prerequisites that also run at start have finished (succeeded or not: a kind whose PROJECTS
   * run failed is still listed, with the fallback tenant until the next sweep moves it).
   */
  async function runStartup() {
    const workers = SYNC_WORKERS.filter(scheduled);
    for (const w of workers) startupPending.add(w);
    const slots = createSlots(options.startupConcurrency ?? 2);
    const done = new Map<SyncWorkerName, Promise<void>>();
    const start = (w: SyncWorkerName): Promise<void> => {
      let p = done.get(w);
      if (!p) {
        const before = startupPrerequisites(w).filter((x) => x !== w && startupPending.has(x));
        p = (async () => {
          try {
            await Promise.all(before.map(start));
            if (stopped) return;
            const release = await slots.acquire();
            let outcome: RunOutcome | undefined;
            try {
              if (!stopped) outcome = await run(w, 'STARTUP').catch((error) => void deps.log.error('start-up sync failed', { worker: w, error }));
            } finally {
              release();
            }
            // Another replica holds this worker's run: what runs after it here waits for its result.
            if (outcome && 'skipped' in outcome && outcome.skipped === 'ALREADY_RUNNING') await untilRunEnds(w);
          } finally {
            startupPending.delete(w);
          }
        })();
        done.set(w, p);
      }
      return p;
    };
    await Promise.all(workers.map(start));
  }

  /**
   * Runs left RUNNING by a process that died, or by this one when the database went away under
   * them: their lock is free, so nobody runs them. Returns how many were closed FAILED.
   */
  async function closeInterruptedRuns(workers: readonly SyncWorkerName[], reason: string, startedBefore?: Date): Promise<number> {
    let closed = 0;
    for (const worker of workers) {
      if (running.has(worker)) continue;
      const release = await deps.db.tryLock(`sync:${deps.accountId}:${worker}`);
      if (!release) continue;
      try {
        const { count } = await deps.db.prisma.syncRun.updateMany({
          where: { accountId: deps.accountId, worker, status: 'RUNNING', ...(startedBefore ? { startedAt: { lt: startedBefore } } : {}) },
          data: { status: 'FAILED', finishedAt: new Date(), error: reason },
        });
        closed += count;
      } finally {
        await release();
      }
    }
    return closed;
  }

  return {
    async start() {
      await closeInterruptedRuns(SYNC_WORKERS, 'interrupted: the process running it stopped');
      for (const worker of SYNC_WORKERS) {
        const pattern = schedules[worker].pattern;
        if (!pattern || !scheduled(worker)) continue;
        const job: Cron = new Cron(pattern, { protect: true, catch: true }, async () => {
          if (startupPending.has(worker)) {
            deps.log.debug('scheduled sync skipped', { worker, reason: 'its start-up run is still to come' });
            return;
          }
          const at = job.currentRun() ?? new Date();
          const next = job.nextRun();
          // Never reach back as far as the previous tick of a fast pattern.
          const skewMs = next ? Math.min(TICK_SKEW_MS, (next.getTime() - at.getTime()) / 2) : TICK_SKEW_MS;
          const outcome = await run(worker, 'SCHEDULE', { at, skewMs }).catch((error) => {
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
      clearTimeout(recoveryTimer);
      await Promise.allSettled([startup, recovering, ...running.values()]);
    },
    run: (worker, trigger, tick) => (stopped ? Promise.resolve({ skipped: 'DISABLED' as const }) : run(worker, trigger, tick)),
    status: () =>
      SYNC_WORKERS.map((worker) => ({
        worker,
        schedule: schedules[worker].pattern ?? (schedules[worker].disabled ? 'disabled' : 'off'),
        enabled: enabled(worker),
        running: running.has(worker),
        nextRunAt: jobs.get(worker)?.nextRun() ?? null,
      })),
    startupDone: () => startup,
  };
}

/** At most `n` holders at once; waiters are served first come, first served. */
function createSlots(n: number) {
  let free = Math.max(1, n);
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    async acquire(): Promise<() => void> {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      return release;
    },
  };
}
