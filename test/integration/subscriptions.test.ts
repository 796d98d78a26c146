import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { parse, subscribe } from 'graphql';
import { buildApp, type App } from '../../src/app.js';
import type { Context } from '../../src/context.js';
import type { Database } from '../../src/db/index.js';
import { createLogger } from '../../src/log.js';
import { createMemoryPubSub, type PubSub } from '../../src/pubsub.js';
import { schema } from '../../src/schema/index.js';
import { SYNC_WORKERS } from '../../src/domain/workers.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { testConfig } from '../helpers/app.js';
import { testDatabaseTargets } from '../helpers/db.js';

const SCHEDULES = Object.fromEntries(SYNC_WORKERS.map((w) => [`SYNC_SCHEDULE_${w}`, '0 0 1 1 *']));

type Server = {
  app: App;
  wsUrl: string;
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<any>;
  stop(): Promise<void>;
};

/** A real server on port 0 against the simulator, sync on demand only. */
async function startServer(db: Database, sim: Simulator, env: Record<string, string> = {}): Promise<Server> {
  const app = buildApp(testConfig({ PORT: '0', ...SCHEDULES, ...env }), {
    database: db,
    listen: true,
    logger: createLogger('silent'),
    sync: { runOnStart: false },
    doClient: { baseUrl: sim.url, token: 'x' },
  });
  const { url } = await app.start();
  return {
    app,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    async gql(query, variables, headers = {}) {
      const res = await app.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return res.json();
    },
    stop: () => app.stop(),
  };
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Collects a subscription's results; `until(n)` resolves once n have arrived. */
function collect(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const received: any[] = [];
  const waiters: { n: number; d: ReturnType<typeof deferred<any[]>> }[] = [];
  const failed = deferred<never>();
  failed.promise.catch(() => {});
  const iterator = client.iterate({ query, variables });
  const done = (async () => {
    try {
      for await (const result of iterator) {
        if (result.errors) throw new Error(JSON.stringify(result.errors));
        received.push(Object.values(result.data!)[0]);
        for (const w of waiters) if (received.length >= w.n) w.d.resolve(received.slice());
      }
    } catch (error) {
      failed.reject(error);
      for (const w of waiters) w.d.reject(error);
    }
  })();
  return {
    received,
    until(n: number): Promise<any[]> {
      if (received.length >= n) return Promise.resolve(received.slice());
      const d = deferred<any[]>();
      waiters.push({ n, d });
      return Promise.race([d.promise, failed.promise]);
    },
    async stop() {
      await iterator.return?.();
      await done;
    },
  };
}

const EVENT = `sequence type from to resource { providerId kind } syncRun { worker }`;

describe.each(testDatabaseTargets())('subscriptions over WebSocket on $name', (target) => {
  let sim: Simulator;
  let db: Database;
  let server: Server;
  const clients: Client[] = [];

  const connect = (params?: Record<string, unknown>) => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...(params ? { connectionParams: params } : {}) });
    clients.push(client);
    return client;
  };
  const runSync = async (worker: string) => {
    const r = await server.gql(
      `mutation($w: SyncWorker!) { runSync(input: { worker: $w }) { syncRun { id status created updated unchanged fetched } userErrors { code } } }`,
      { w: worker },
    );
    expect(r.data.runSync.userErrors).toEqual([]);
    return r.data.runSync.syncRun;
  };
  const lastSequence = async () => (await db.prisma.resourceEvent.aggregate({ _max: { sequence: true } }))._max.sequence ?? 0;
  const flip = (d: Record<string, unknown>) => {
    const to = d.status === 'off' ? 'active' : 'off';
    const from = String(d.status);
    sim.script.setDropletStatus(d.id as number, to);
    return { providerId: String(d.id), from, to };
  };

  beforeAll(async () => {
    sim = createSimulator();
    await sim.start();
    db = await target.open();
    server = await startServer(db, sim);
    await runSync('DROPLETS');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await server?.stop();
    await db?.close();
    await sim?.stop();
  });

  it('a droplet status change picked up by runSync(DROPLETS) reaches a resourceStatusChanged subscriber with from and to', async () => {
    const sub = collect(connect(), `subscription($after: Int) { resourceStatusChanged(filter: { afterSequence: $after, kinds: [DROPLET] }) { ${EVENT} } }`, {
      after: await lastSequence(),
    });
    const change = flip(sim.state.droplets[1]!);
    await runSync('DROPLETS');
    const [event] = await sub.until(1);
    expect(event).toMatchObject({
      type: 'STATUS_CHANGED',
      from: change.from,
      to: change.to,
      resource: { providerId: change.providerId, kind: 'DROPLET' },
      syncRun: { worker: 'DROPLETS' },
    });
    await sub.stop();
  });

  it('a sync that finds no change writes and publishes no event', async () => {
    const sub = collect(connect(), `subscription($after: Int) { resourceEvents(filter: { afterSequence: $after }) { ${EVENT} } }`, {
      after: await lastSequence(),
    });
    const before = await lastSequence();
    const quiet = await runSync('DROPLETS');
    expect(quiet).toMatchObject({ status: 'SUCCEEDED', created: 0, updated: 0, unchanged: quiet.fetched });
    expect(await lastSequence()).toBe(before);
    // A marker change after the quiet sync: the first event the subscriber gets must be the marker.
    const marker = flip(sim.state.droplets[2]!);
    await runSync('DROPLETS');
    const [first] = await sub.until(1);
    expect(first).toMatchObject({ type: 'STATUS_CHANGED', resource: { providerId: marker.providerId } });
    expect(sub.received).toHaveLength(1);
    await sub.stop();
  });

  it('catch-up: after a disconnect, afterSequence replays exactly the missed events in order, then continues live without duplicates', async () => {
    const first = connect();
    const before = collect(first, `subscription($after: Int) { resourceEvents(filter: { afterSequence: $after }) { ${EVENT} } }`, {
      after: await lastSequence(),
    });
    flip(sim.state.droplets[3]!);
    await runSync('DROPLETS');
    const [seen] = await before.until(1);
    await before.stop();
    await first.dispose();

    const missed = [flip(sim.state.droplets[4]!), flip(sim.state.droplets[5]!)];
    await runSync('DROPLETS');
    const stored = await db.prisma.resourceEvent.findMany({ where: { sequence: { gt: seen.sequence } }, orderBy: { sequence: 'asc' } });
    expect(stored).toHaveLength(2);

    const after = collect(connect(), `subscription($after: Int) { resourceEvents(filter: { afterSequence: $after }) { ${EVENT} } }`, { after: seen.sequence });
    const replayed = await after.until(2);
    expect(replayed.map((e) => e.sequence)).toEqual(stored.map((e) => e.sequence));
    expect(replayed.map((e) => e.resource.providerId).sort()).toEqual(missed.map((m) => m.providerId).sort());

    const live = flip(sim.state.droplets[6]!);
    await runSync('DROPLETS');
    const all = await after.until(3);
    expect(all[2]).toMatchObject({ type: 'STATUS_CHANGED', from: live.from, to: live.to, resource: { providerId: live.providerId } });
    expect(all[2].sequence).toBeGreaterThan(all[1].sequence);
    expect(new Set(all.map((e) => e.sequence)).size).toBe(3);
    await after.stop();
  });

  it('syncRunUpdated reports a run as it starts and as it finishes', async () => {
    const client = connect();
    const after = (await lastSequence()) - 1;
    const runs = collect(client, `subscription { syncRunUpdated(worker: VOLUMES) { id worker status } }`);
    // A catch-up stream subscribed next on the same connection: once it replays, the server has
    // handled both subscribe messages (in order, through the same steps), so syncRunUpdated is attached.
    const ready = collect(client, `subscription($after: Int) { resourceEvents(filter: { afterSequence: $after }) { sequence } }`, { after });
    await ready.until(1);
    const run = await runSync('VOLUMES');
    const updates = await runs.until(2);
    expect(updates.map((u) => u.id)).toEqual([run.id, run.id]);
    expect(updates[1]).toEqual({ id: run.id, worker: 'VOLUMES', status: 'SUCCEEDED' });
    await Promise.all([ready.stop(), runs.stop()]);
  });

  it("an operator's tenant change reaches a live subscriber naming tenants by slug; after a rename the stored event shows the current slug", async () => {
    const client = connect();
    const droplet = await db.prisma.resource.findFirstOrThrow({ where: { kind: 'droplet', tenantSource: { not: 'MANUAL' } }, include: { tenant: true } });
    const tenant = await db.prisma.tenant.create({ data: { slug: 'live-tenant', name: 'Live' } });
    const after = await lastSequence();
    const live = collect(client, `subscription { resourceEvents(filter: { types: [TENANT_CHANGED] }) { sequence type from to actor } }`);
    // As above: once the catch-up stream subscribed next replays, the live one is attached.
    const ready = collect(client, `subscription($after: Int) { resourceEvents(filter: { afterSequence: $after }) { sequence } }`, { after: after - 1 });
    await ready.until(1);
    const reassign = `mutation($r: ID!, $t: ID) { reassignResourceTenant(input: { resourceId: $r, tenantId: $t }) { userErrors { code } } }`;
    const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
    const moved = await server.gql(reassign, { r: gid('Resource', droplet.id), t: gid('Tenant', tenant.id) });
    expect(moved.data.reassignResourceTenant.userErrors).toEqual([]);
    const [event] = await live.until(1);
    expect(event).toEqual({ sequence: after + 1, type: 'TENANT_CHANGED', from: droplet.tenant!.slug, to: 'live-tenant', actor: 'anonymous' });
    await Promise.all([ready.stop(), live.stop()]);

    await db.prisma.tenant.update({ where: { id: tenant.id }, data: { slug: 'live-tenant-renamed' } });
    const stored = await server.gql(
      `query($after: Int) { resourceEvents(filter: { afterSequence: $after, types: [TENANT_CHANGED] }) { edges { node { sequence to } } } }`,
      { after },
    );
    expect(stored.data.resourceEvents.edges.map((e: any) => e.node)).toEqual([{ sequence: after + 1, to: 'live-tenant-renamed' }]);
    const undo = await server.gql(reassign, { r: gid('Resource', droplet.id), t: null });
    expect(undo.data.reassignResourceTenant.userErrors).toEqual([]);
  });
});

describe.each(testDatabaseTargets())('WebSocket authentication on $name', (target) => {
  const KEY = 'ws-admin-key-for-tests';
  let sim: Simulator;
  let db: Database;
  let server: Server;
  const clients: Client[] = [];

  beforeAll(async () => {
    sim = createSimulator();
    await sim.start();
    db = await target.open();
    server = await startServer(db, sim, { ADMIN_API_KEY: KEY });
    const r = await server.gql(`mutation { runSync(input: { worker: DOMAINS }) { userErrors { code } } }`, undefined, { authorization: `Bearer ${KEY}` });
    expect(r.data.runSync.userErrors).toEqual([]);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await server?.stop();
    await db?.close();
    await sim?.stop();
  });

  const connect = (params?: Record<string, unknown>) => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...(params ? { connectionParams: params } : {}) });
    clients.push(client);
    return client;
  };
  const QUERY = `subscription { resourceEvents(filter: { afterSequence: 0 }) { type resource { kind } } }`;

  it('refuses a connection without a key, or with a wrong one (close code 4403)', async () => {
    for (const params of [undefined, { authorization: 'Bearer wrong-key' }]) {
      const sub = collect(connect(params), QUERY);
      const error = await sub.until(1).then(
        () => null,
        (e: unknown) => e,
      );
      expect((error as { code?: number })?.code).toBe(4403);
    }
  });

  it('accepts connectionParams.authorization = "Bearer <key>" and delivers events', async () => {
    const sub = collect(connect({ authorization: `Bearer ${KEY}` }), QUERY);
    const [event] = await sub.until(1);
    expect(event).toEqual({ type: 'CREATED', resource: { kind: 'DNS_ZONE' } });
    await sub.stop();
  });
});

describe('subscription streams', () => {
  it('end and detach from the pub/sub topic when the client unsubscribes while they wait', async () => {
    const memory = createMemoryPubSub();
    const signals: AbortSignal[] = [];
    const pubsub: PubSub = {
      ...memory,
      subscribe(topic, signal) {
        signals.push(signal);
        return memory.subscribe(topic, signal);
      },
    };
    const contextValue = {
      pubsub,
      accountIds: ['00000000-0000-4000-8000-000000000001'],
      viewer: { role: 'VIEWER', tenantId: null, actor: 'test', keyId: null, expiresAt: null },
    } as unknown as Context;
    for (const field of ['resourceEvents', 'resourceStatusChanged', 'resourceLifecycleChanged', 'syncRunUpdated']) {
      const result = await subscribe({ schema, document: parse(`subscription { ${field} { id } }`), contextValue });
      if (!(Symbol.asyncIterator in result)) throw new Error(JSON.stringify(result));
      const waiting = result.next();
      await result.return!();
      await expect(waiting).resolves.toEqual({ done: true, value: undefined });
      expect(signals.at(-1)!.aborted).toBe(true);
    }
    expect(signals).toHaveLength(4);
    await memory.close();
  });
});
