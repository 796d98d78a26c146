import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/index.js';
import { createLogger } from '../../src/log.js';
import { createMemoryPubSub } from '../../src/pubsub.js';
import { createDoClient } from '../../src/digitalocean/client.js';
import { createSyncService, type SyncService } from '../../src/sync/service.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { loadConfig } from '../../src/config.js';
import { ensureFallbackTenant, upsertAccount } from '../../src/accounts.js';
import { openEmbeddedTestDatabase, openPostgresTestDatabase } from '../helpers/db.js';

type Instance = { db: Database; sync: SyncService; close(): Promise<void> };

async function instance(db: Database, sim: Simulator, env: Record<string, string>, ownsDb: boolean, runOnStart = false): Promise<Instance> {
  const config = loadConfig({ DIGITALOCEAN_TOKEN: 't', ...env });
  if (!config.ok) throw new Error(config.problems.join());
  const client = createDoClient({ token: 't', baseUrl: sim.url, limits: { pathLimits: [] }, retries: { max: 1, baseDelayMs: 5, maxDelayMs: 10 } });
  const accountId = await upsertAccount(db, { slug: 'default', name: 'DigitalOcean account', apiUrl: sim.url });
  const fallbackTenantId = await ensureFallbackTenant(db, 'unassigned');
  const sync = createSyncService({
    deps: { db, pubsub: createMemoryPubSub(), log: createLogger('silent'), client, accountId, fallbackTenantId, dedicatedKinds: new Set() },
    schedules: config.config.schedules,
    runOnStart,
  });
  return {
    db,
    sync,
    async close() {
      await sync.stop();
      await client.close();
      if (ownsDb) await db.close();
    },
  };
}

describe('the schedule', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  async function simulator() {
    const sim = createSimulator({ seed: 3 });
    await sim.start();
    cleanup.push(() => sim.stop());
    return sim;
  }

  it.runIf(process.env.TEST_DATABASE_URL)(
    'a replica starting while another runs the start-up PROJECTS waits for it before its kind workers write',
    async () => {
      const sim = await simulator();
      const first = await openPostgresTestDatabase();
      cleanup.push(() => first.close());
      const second = await openDatabase({ databaseUrl: first.url, dataDir: '' });
      const env = { SYNC_SCHEDULE_INVOICES: 'off' };
      const a = await instance(first, sim, env, false, true);
      const b = await instance(second, sim, env, true, true);
      cleanup.push(
        () => a.close(),
        () => b.close(),
      );
      sim.script.faults.slow('/v2/projects', 2_000, 1);
      await a.sync.start();
      for (;;) {
        if (await first.prisma.syncRun.findFirst({ where: { worker: 'PROJECTS', status: 'RUNNING' } })) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      // The second replica starts while the first one's sweep is in flight.
      await b.sync.start();
      await Promise.all([a.sync.startupDone(), b.sync.startupDone()]);

      const runs = await first.prisma.syncRun.findMany({ orderBy: { startedAt: 'asc' } });
      const projects = runs.filter((r) => r.worker === 'PROJECTS');
      expect(projects.map((r) => r.status)).toEqual(['SUCCEEDED']);
      const kinds = runs.filter((r) => r.worker !== 'PROJECTS');
      expect(kinds.length).toBeGreaterThan(0);
      for (const r of kinds) expect([r.worker, r.startedAt >= projects[0]!.finishedAt!]).toEqual([r.worker, true]);
    },
  );

  it.runIf(process.env.TEST_DATABASE_URL)('runs a tick once in total across two instances on one PostgreSQL database', async () => {
    const sim = await simulator();
    const first = await openPostgresTestDatabase();
    cleanup.push(() => first.close());
    const second = await openDatabase({ databaseUrl: first.url, dataDir: '' });
    const a = await instance(first, sim, {}, false);
    const b = await instance(second, sim, {}, true);
    cleanup.push(
      () => a.close(),
      () => b.close(),
    );

    // The same tick fired on both instances at once, and on the second one after the first finished.
    const tick = { at: new Date(Math.floor(Date.now() / 1000) * 1000) };
    const together = await Promise.all([a.sync.run('DOMAINS', 'SCHEDULE', tick), b.sync.run('DOMAINS', 'SCHEDULE', tick)]);
    expect(together.filter((o) => 'run' in o)).toHaveLength(1);
    expect(await b.sync.run('DOMAINS', 'SCHEDULE', tick)).toEqual({ skipped: 'ALREADY_RAN' });
    expect(await a.sync.run('DOMAINS', 'SCHEDULE', tick)).toEqual({ skipped: 'ALREADY_RAN' });
    // Real ticks now: both instances on a per-second pattern for a few seconds.
    const runsBefore = await first.prisma.syncRun.count();
    const c = await instance(first, sim, { SYNC_SCHEDULE_DOMAINS: '* * * * * *' }, false);
    const d = await instance(await openDatabase({ databaseUrl: first.url, dataDir: '' }), sim, { SYNC_SCHEDULE_DOMAINS: '* * * * * *' }, true);
    cleanup.push(
      () => c.close(),
      () => d.close(),
    );
    const started = Date.now();
    await Promise.all([c.sync.start(), d.sync.start()]);
    await new Promise((r) => setTimeout(r, 4_500));
    await Promise.all([c.sync.stop(), d.sync.stop()]);
    const seconds = Math.floor((Date.now() - started) / 1000);
    const runs = await first.prisma.syncRun.findMany({ where: { trigger: 'SCHEDULE' }, orderBy: { startedAt: 'asc' }, skip: 1 });
    expect(runsBefore).toBe(1);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThanOrEqual(seconds + 1);
  });

  it('never overlaps a worker with itself and reports it running', async () => {
    const sim = await simulator();
    const db = await openEmbeddedTestDatabase();
    const a = await instance(db, sim, {}, true);
    cleanup.push(() => a.close());
    sim.script.faults.slow('/v2/vpcs', 400, 1);
    const slow = a.sync.run('VPCS', 'MANUAL');
    await new Promise((r) => setImmediate(r));
    expect(a.sync.status().find((s) => s.worker === 'VPCS')?.running).toBe(true);
    expect(await a.sync.run('VPCS', 'MANUAL')).toEqual({ skipped: 'ALREADY_RUNNING' });
    expect('run' in (await slow)).toBe(true);
  });

  it('runs again at start-up a worker whose start-up run a crash interrupted seconds ago; only a successful run counts as done', async () => {
    const sim = await simulator();
    const db = await openEmbeddedTestDatabase();
    const a = await instance(db, sim, {}, true);
    cleanup.push(() => a.close());
    const accountId = (await db.prisma.cloudAccount.findFirstOrThrow()).id;
    // A crash 10 s ago left this start-up run RUNNING; the restart closes it FAILED.
    const crashed = await db.prisma.syncRun.create({ data: { accountId, worker: 'VPCS', trigger: 'STARTUP', startedAt: new Date(Date.now() - 10_000) } });
    await a.sync.start();
    expect((await db.prisma.syncRun.findUniqueOrThrow({ where: { id: crashed.id } })).status).toBe('FAILED');

    const rerun = await a.sync.run('VPCS', 'STARTUP');
    expect('run' in rerun && rerun.run.status).toBe('SUCCEEDED');
    // A successful start-up run within the minute does count: a second restart skips it.
    expect(await a.sync.run('VPCS', 'STARTUP')).toEqual({ skipped: 'ALREADY_RAN' });
  });

  it.each([
    { projects: 'slow', status: 'SUCCEEDED' },
    { projects: 'failing', status: 'FAILED' },
  ] as const)('at start, runs a $projects PROJECTS to its end before any kind worker, and children after their parents', async (c) => {
    const sim = await simulator();
    const db = await openEmbeddedTestDatabase();
    // A per-second droplet tick falls inside the start-up: it must not jump the queue either.
    const a = await instance(db, sim, { SYNC_SCHEDULE_DROPLETS: '* * * * * *', SYNC_SCHEDULE_INVOICES: 'off' }, true, true);
    cleanup.push(() => a.close());
    if (c.projects === 'slow') sim.script.faults.slow('/v2/projects', 1_500, 1);
    else sim.script.faults.failPage('/v2/projects', 1, 500, 5);
    await a.sync.start();
    await a.sync.startupDone();
    const runs = await db.prisma.syncRun.findMany({ orderBy: { startedAt: 'asc' } });
    const startup = (w: string) => runs.find((r) => r.worker === w && r.trigger === 'STARTUP')!;
    const projects = startup('PROJECTS');
    expect(projects.status).toBe(c.status);
    const kinds = runs.filter((r) => r.worker !== 'PROJECTS');
    // Every kind worker still runs at start, after the sweep, whatever its outcome.
    expect(new Set(kinds.filter((r) => r.trigger === 'STARTUP' && r.status === 'SUCCEEDED').map((r) => r.worker)).size).toBe(13);
    for (const r of kinds) expect([r.worker, r.startedAt >= projects.finishedAt!]).toEqual([r.worker, true]);
    expect(startup('BACKUPS').startedAt >= startup('DROPLETS').finishedAt!).toBe(true);
    expect(startup('SNAPSHOTS').startedAt >= startup('DROPLETS').finishedAt!).toBe(true);
    expect(startup('SNAPSHOTS').startedAt >= startup('VOLUMES').finishedAt!).toBe(true);
  });

  it('takes the default patterns, honours overrides, leaves workers set to off unscheduled but runnable and disabled ones stopped', async () => {
    const sim = await simulator();
    const db = await openEmbeddedTestDatabase();
    const a = await instance(db, sim, { SYNC_SCHEDULE_VPCS: 'off', SYNC_SCHEDULE_KUBERNETES: 'disabled', SYNC_SCHEDULE_DROPLETS: '*/5 * * * *' }, true);
    cleanup.push(() => a.close());
    await a.sync.start();
    const status = Object.fromEntries(a.sync.status().map((s) => [s.worker, s]));
    expect(status.SNAPSHOTS).toMatchObject({ schedule: '33 * * * *', enabled: true });
    expect(status.BACKUPS).toMatchObject({ schedule: '41 * * * *', enabled: true });
    expect(status.DROPLETS).toMatchObject({ schedule: '*/5 * * * *', enabled: true });
    expect(status.VPCS).toMatchObject({ schedule: 'off', enabled: true, nextRunAt: null });
    expect(status.KUBERNETES).toMatchObject({ schedule: 'disabled', enabled: false, nextRunAt: null });
    expect('run' in (await a.sync.run('VPCS', 'MANUAL'))).toBe(true);
    expect(await a.sync.run('KUBERNETES', 'MANUAL')).toEqual({ skipped: 'DISABLED' });
    expect(status.SNAPSHOTS!.nextRunAt!.getUTCMinutes()).toBe(33);
  });
});
