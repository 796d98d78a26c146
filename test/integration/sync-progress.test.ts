import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { buildApp, type App } from '../../src/app.js';
import type { Database } from '../../src/db/index.js';
import { SYNC_WORKERS } from '../../src/domain/workers.js';
import { createLogger } from '../../src/log.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { testConfig } from '../helpers/app.js';
import { testDatabaseTargets } from '../helpers/db.js';
import { soleAccount } from '../helpers/sole-account.js';

const SCHEDULES = Object.fromEntries(SYNC_WORKERS.map((w) => [`SYNC_SCHEDULE_${w}`, 'off']));
const RUN = `id status startedAt progress { pages items updatedAt }`;

describe.each(testDatabaseTargets())('sync run progress on $name', (target) => {
  let sim: Simulator;
  let db: Database;
  let app: App;
  let client: Client;
  let wsUrl: string;

  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await app.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as any;
  };

  beforeAll(async () => {
    // 32 droplets at 5 a page, each page 150 ms late: a run of about 1 s, longer than the 500 ms throttle.
    sim = createSimulator({ latencyMs: 150 });
    await sim.start();
    db = await target.open();
    app = buildApp(testConfig({ PORT: '0', ...SCHEDULES }), {
      database: db,
      listen: true,
      logger: createLogger('silent'),
      sync: { runOnStart: false },
      doClient: { baseUrl: sim.url, token: 'x', perPage: 5 },
    });
    const { url } = await app.start();
    wsUrl = `${url.replace(/^http/, 'ws')}/graphql`;
    client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  });
  afterAll(async () => {
    await client?.dispose();
    await app?.stop();
    await db?.close();
    await sim?.stop();
  });

  it('syncRunUpdated reports RUNNING with pages and items read so far before SUCCEEDED, and the row keeps them', async () => {
    const updates: any[] = [];
    let marker = '';
    let attached!: () => void;
    const isAttached = new Promise<void>((resolve) => (attached = resolve));
    const subscribed = client.iterate({ query: `subscription { syncRunUpdated(worker: DROPLETS) { ${RUN} } }` });
    const received = (async () => {
      for await (const result of subscribed) {
        expect(result.errors).toBeUndefined();
        const run = result.data!.syncRunUpdated as any;
        if (run.id === marker) {
          attached();
          continue;
        }
        updates.push(run);
        if (run.status !== 'RUNNING') break;
      }
    })();
    // A message about a run of our own: once it arrives, the subscription is attached.
    const accountId = soleAccount(app).id;
    const row = await db.prisma.syncRun.create({ data: { accountId, worker: 'DROPLETS', trigger: 'MANUAL', status: 'FAILED' } });
    marker = Buffer.from(`SyncRun:${row.id}`).toString('base64');
    const publishing = setInterval(() => void app.services().pubsub.publish('syncRun', { id: row.id, accountId, worker: 'DROPLETS', status: 'FAILED' }), 50);
    await isAttached.finally(() => clearInterval(publishing));

    const result = await gql(`mutation { runSync(input: { worker: DROPLETS }) { syncRun { ${RUN} fetched } userErrors { code } } }`);
    expect(result.data.runSync.userErrors).toEqual([]);
    const finished = result.data.runSync.syncRun;
    await received;

    expect(updates.at(-1)).toMatchObject({ id: finished.id, status: 'SUCCEEDED' });
    const running = updates.filter((u) => u.status === 'RUNNING');
    expect(running.every((u) => u.id === finished.id)).toBe(true);
    const withPages = running.filter((u) => u.progress.pages > 0);
    expect(withPages.length).toBeGreaterThanOrEqual(1);
    // Read from the row: counts only grow, and stop short of the whole listing while it runs.
    for (const u of withPages) {
      expect(u.progress.items).toBeGreaterThan(0);
      expect(u.progress.pages).toBeLessThan(finished.progress.pages);
      expect(Date.parse(u.progress.updatedAt)).toBeGreaterThan(Date.parse(u.startedAt));
    }
    const pages = withPages.map((u) => u.progress.pages);
    expect(pages).toEqual([...pages].sort((a, b) => a - b));
    // The droplets listing, GPU droplets included: every page and every item, once.
    expect(finished.fetched).toBeGreaterThan(10);
    expect(finished.progress).toMatchObject({ pages: Math.ceil(finished.fetched / 5), items: finished.fetched });
  });

  it('a run reports its start as its progress time until the first page', async () => {
    const run = await db.prisma.syncRun.create({ data: { accountId: soleAccount(app).id, worker: 'VOLUMES', trigger: 'MANUAL' } });
    const gid = Buffer.from(`SyncRun:${run.id}`).toString('base64');
    const read = await gql(`query($id: ID!) { node(id: $id) { ... on SyncRun { ${RUN} } } }`, { id: gid });
    expect(read.data.node).toMatchObject({ status: 'RUNNING', progress: { pages: 0, items: 0, updatedAt: run.startedAt.toISOString() } });
    await db.prisma.syncRun.delete({ where: { id: run.id } });
  });
});
