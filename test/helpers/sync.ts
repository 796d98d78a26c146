import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import type { Database } from '../../src/db/index.js';
import type { SyncWorkerName } from '../../src/domain/workers.js';
import type { SyncRun } from '../../src/generated/prisma/client.js';
import { startTestApp, type TestApp } from './app.js';
import { soleAccount } from './sole-account.js';

export type SyncHarness = TestApp & {
  sim: Simulator;
  accountId: string;
  /** Runs a worker now (MANUAL) and returns the finished run. */
  run(worker: SyncWorkerName): Promise<SyncRun>;
  /** Runs every kind worker and the project sweep once. */
  runAll(): Promise<SyncRun[]>;
};

export const ALL_KIND_WORKERS: SyncWorkerName[] = [
  'PROJECTS',
  'DROPLETS',
  'BACKUPS',
  'SNAPSHOTS',
  'VOLUMES',
  'DOMAINS',
  'FLOATING_IPS',
  'FIREWALLS',
  'LOAD_BALANCERS',
  'DATABASES',
  'KUBERNETES',
  'APPS',
  'CDN_ENDPOINTS',
  'VPCS',
];

/** An app with its sync workers pointed at a fresh simulated account (no schedule runs by itself). */
export async function startSyncHarness(db: Database, sim: SimulatorOptions = {}, env: Record<string, string> = {}): Promise<SyncHarness> {
  const simulator = createSimulator({ seed: 7, ...sim });
  await simulator.start();
  const t = await startTestApp(
    db,
    { DIGITALOCEAN_TOKEN: 'test-token', ...env },
    {
      sync: { runOnStart: false },
      doClient: { baseUrl: simulator.url, token: 'test-token', retries: { max: 2, baseDelayMs: 5, maxDelayMs: 20 }, limits: { pathLimits: [] } },
    },
  );
  const run = async (worker: SyncWorkerName) => {
    const outcome = await soleAccount(t.app).sync!.run(worker, 'MANUAL');
    if (!('run' in outcome)) throw new Error(`${worker} did not run: ${outcome.skipped}`);
    return outcome.run;
  };
  return {
    ...t,
    sim: simulator,
    accountId: soleAccount(t.app).id,
    run,
    async runAll() {
      const runs = [];
      for (const w of ALL_KIND_WORKERS) runs.push(await run(w));
      return runs;
    },
    async stop() {
      await t.stop();
      await simulator.stop();
    },
  };
}
