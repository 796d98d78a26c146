import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { openDatabase, type Database } from '../../src/db/index.js';
import { SYNC_WORKERS } from '../../src/domain/workers.js';
import { createLogger } from '../../src/log.js';
import { createRedisPubSub, type ResourceEventMessage } from '../../src/pubsub.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import type { RunOutcome } from '../../src/sync/service.js';
import { testConfig } from '../helpers/app.js';
import { openEmbeddedTestDatabase, openPostgresTestDatabase } from '../helpers/db.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { soleAccount } from '../helpers/sole-account.js';

const pgUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
// No schedule fires during a test: runs happen when the test asks.
const SCHEDULES = Object.fromEntries(SYNC_WORKERS.map((w) => [`SYNC_SCHEDULE_${w}`, '0 0 1 1 *']));

type Server = {
  app: App;
  url: string;
  gql(query: string, variables?: Record<string, unknown>): Promise<any>;
  readyz(): Promise<{ status: number; body: any }>;
};

/** A real server on port 0 against the simulator, sync on demand only. */
async function startServer(db: Database, sim: Simulator, env: Record<string, string> = {}): Promise<Server> {
  const app = buildApp(testConfig({ PORT: '0', DIGITALOCEAN_TOKEN: 'test-token', ...SCHEDULES, ...env }), {
    database: db,
    listen: true,
    logger: createLogger('silent'),
    sync: { runOnStart: false },
    doClient: { baseUrl: sim.url, token: 'test-token', retries: { max: 2, baseDelayMs: 5, maxDelayMs: 20 }, limits: { pathLimits: [] } },
  });
  const { url } = await app.start();
  return {
    app,
    url,
    async gql(query, variables) {
      const res = await app.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      return res.json();
    },
    async readyz() {
      const res = await fetch(`${url}/readyz`);
      return { status: res.status, body: await res.json() };
    },
  };
}

/** Polls `check` until it holds or `timeoutMs` passes; resolves with the elapsed time. */
async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const settle = <T>(p: Promise<T>): Promise<{ value?: T; error?: Error }> =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: error as Error }),
  );

describe('outages', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!().catch(() => {});
  });

  async function simulator() {
    const sim = createSimulator({ seed: 7 });
    await sim.start();
    cleanup.push(() => sim.stop());
    return sim;
  }

  describe.runIf(pgUrl)('PostgreSQL unreachable', () => {
    async function proxiedDatabase() {
      const direct = await openPostgresTestDatabase();
      cleanup.push(() => direct.close());
      const target = new URL(direct.url);
      const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(target.port || 5432) });
      cleanup.push(() => proxy.close());
      const db = await openDatabase({ databaseUrl: proxy.rewrite(direct.url), dataDir: '' });
      cleanup.push(() => db.close());
      return { direct, proxy, db };
    }

    it('reports not ready, fails syncs cleanly, closes the interrupted run and syncs again once the database is back, without a restart', async () => {
      const sim = await simulator();
      const { direct, proxy, db } = await proxiedDatabase();
      const server = await startServer(db, sim);
      cleanup.push(() => server.app.stop());
      const sync = soleAccount(server.app).sync!;

      expect((await server.readyz()).status).toBe(200);
      const baseline = await sync.run('DOMAINS', 'MANUAL');
      expect('run' in baseline && baseline.run.status).toBe('SUCCEEDED');
      const domain = await direct.prisma.resource.findFirstOrThrow({ where: { kind: 'dns_zone' } });

      // A run in flight when the database goes away: its listing is slow, the database vanishes meanwhile.
      sim.script.faults.slow('/v2/domains', 4_000, 1);
      const inFlight = settle(sync.run('DOMAINS', 'MANUAL'));
      let interruptedId = '';
      await waitFor(
        async () => {
          const running = await direct.prisma.syncRun.findFirst({ where: { status: 'RUNNING' } });
          interruptedId = running?.id ?? '';
          return !!running;
        },
        10_000,
        'the run to start',
      );
      await proxy.stop();

      const notReady = await server.readyz();
      expect(notReady.status).toBe(503);
      expect(notReady.body).toMatchObject({ status: 'not ready', database: 'unreachable' });

      // A sync attempted during the outage: a clear error, nothing half-done, no strike counted.
      const interrupted = await inFlight;
      sim.script.destroy('dns_zone', domain.providerId);
      const during = await settle(sync.run('DOMAINS', 'MANUAL'));
      for (const outcome of [during, interrupted] as { value?: RunOutcome; error?: Error }[]) {
        if (outcome.error) expect(outcome.error.message).toMatch(/database|connect|ECONNREFUSED|terminated/i);
        else expect(outcome.value && 'run' in outcome.value && outcome.value.run.status).toBe('FAILED');
      }
      expect((await direct.prisma.syncRun.findUniqueOrThrow({ where: { id: interruptedId } })).status).toBe('RUNNING');
      // Over GraphQL the caller is told to try again later, not "Unexpected error".
      const viaApi = await server.gql('mutation { runSync(input: { worker: DOMAINS }) { syncRun { status } userErrors { code } } }');
      expect(viaApi.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(viaApi.errors?.[0]?.message).toMatch(/database/i);

      await proxy.start();
      const back = Date.now();
      // Closed FAILED as soon as the database answers, by the process that owned it.
      await waitFor(
        async () => (await direct.prisma.syncRun.findUniqueOrThrow({ where: { id: interruptedId } })).status === 'FAILED',
        15_000,
        'the interrupted run to be closed',
      );
      expect(await direct.prisma.syncRun.count({ where: { status: 'RUNNING' } })).toBe(0);
      await waitFor(async () => (await server.readyz()).status === 200, 15_000, '/readyz to answer 200');

      let recovered: RunOutcome | undefined;
      await waitFor(
        async () => {
          recovered = await sync.run('DOMAINS', 'MANUAL');
          return 'run' in recovered && recovered.run.status === 'SUCCEEDED';
        },
        30_000,
        'a sync to succeed',
      );
      expect(Date.now() - back).toBeLessThan(30_000);
      // The strike is counted by the successful run only, once.
      expect((await direct.prisma.resource.findUniqueOrThrow({ where: { id: domain.id } })).missedSyncs).toBe(1);
    });

    it('survives a connection dying inside a transaction on the driver pool', async () => {
      const { proxy, db } = await proxiedDatabase();
      const failed = await settle(
        db.sql.transaction(async (tx) => {
          await tx.query('SELECT 1');
          await proxy.stop();
          await new Promise((r) => setTimeout(r, 200));
          return tx.query('SELECT 1');
        }),
      );
      expect(failed.error).toBeInstanceOf(Error);
      await proxy.start();
      await waitFor(async () => (await db.sql.query<{ one: number }>('SELECT 1 AS one'))[0]?.one === 1, 10_000, 'the pool to reconnect');
      const release = await db.tryLock('outage-test');
      expect(release).not.toBeNull();
      await release!();
    });
  });

  describe.runIf(redisUrl)('Redis unreachable', () => {
    it('keeps syncing and committing, says it is degraded, and delivers again once Redis is back', async () => {
      const sim = await simulator();
      const target = new URL(redisUrl!);
      const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
      cleanup.push(() => proxy.close());
      const db = await openEmbeddedTestDatabase();
      cleanup.push(() => db.close());
      const server = await startServer(db, sim, { REDIS_URL: proxy.rewrite(redisUrl!) });
      cleanup.push(() => server.app.stop());
      const sync = soleAccount(server.app).sync!;
      // Another replica, on Redis directly.
      const replica = createRedisPubSub(redisUrl!, createLogger('silent'));
      await replica.ready();
      cleanup.push(() => replica.close());

      expect(await server.readyz()).toEqual({ status: 200, body: { status: 'ready', database: 'ok', redis: 'ok' } });
      for (const w of ['PROJECTS', 'DOMAINS'] as const) {
        const outcome = await sync.run(w, 'MANUAL');
        expect('run' in outcome && outcome.run.status).toBe('SUCCEEDED');
      }

      await proxy.stop();
      await waitFor(async () => (await server.readyz()).body.redis === 'unreachable', 10_000, '/readyz to see Redis gone');
      expect(await server.readyz()).toEqual({ status: 200, body: { status: 'degraded', database: 'ok', redis: 'unreachable' } });

      // A sync that writes events, and a mutation that commits: both answer success.
      sim.script.create('dns_zone', {});
      const during = await sync.run('DOMAINS', 'MANUAL');
      expect('run' in during && during.run.status).toBe('SUCCEEDED');
      expect('run' in during && during.run.created).toBe(1);
      expect(await db.prisma.syncRun.count({ where: { status: 'RUNNING' } })).toBe(0);
      const project = await db.prisma.project.findFirstOrThrow({ where: { resources: { some: { tenantSource: { in: ['PROJECT', 'NONE'] } } } } });
      const tenant = await db.prisma.tenant.create({ data: { slug: 'outage', name: 'Outage' } });
      const assign = `mutation($p: ID!, $t: ID) { assignProjectTenant(input: { projectId: $p, tenantId: $t }) { project { id } userErrors { code } } }`;
      const projectGid = Buffer.from(`Project:${project.id}`).toString('base64');
      const tenantGid = Buffer.from(`Tenant:${tenant.id}`).toString('base64');
      const committed = await server.gql(assign, { p: projectGid, t: tenantGid });
      expect(committed.errors).toBeUndefined();
      expect(committed.data.assignProjectTenant.userErrors).toEqual([]);
      expect((await db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).tenantId).toBe(tenant.id);

      await proxy.start();
      await waitFor(async () => (await server.readyz()).body.status === 'ready', 15_000, '/readyz to see Redis back');

      // The server publishes again: another replica's subscriber receives the next event...
      const abort = new AbortController();
      cleanup.push(async () => abort.abort());
      const firstOf = (iterable: AsyncIterable<ResourceEventMessage>, accept: (m: ResourceEventMessage) => boolean = () => true) =>
        (async () => {
          for await (const m of iterable) if (accept(m)) return m;
          return null;
        })();
      const atReplica = firstOf(replica.subscribe('resourceEvent', abort.signal));
      const reverted = await server.gql(assign, { p: projectGid, t: project.tenantId && Buffer.from(`Tenant:${project.tenantId}`).toString('base64') });
      expect(reverted.data.assignProjectTenant.userErrors).toEqual([]);
      expect(await atReplica).toMatchObject({ type: 'TENANT_CHANGED', from: tenant.id });
      // ...and the server's own subscription, resubscribed after the reconnect, receives the replica's.
      const atServer = firstOf(server.app.services().pubsub.subscribe('resourceEvent', abort.signal), (m) => m.sequence === 999_999);
      const message = { ...(await atReplica)!, sequence: 999_999 };
      await replica.publish('resourceEvent', message);
      expect(await atServer).toEqual(message);
    });
  });
});
