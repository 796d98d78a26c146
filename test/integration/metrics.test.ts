import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import type { Database } from '../../src/db/index.js';
import { createLogger } from '../../src/log.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { testConfig } from '../helpers/app.js';
import { openEmbeddedTestDatabase, testDatabaseTargets } from '../helpers/db.js';
import { parseExposition, type Exposition } from '../helpers/prometheus.js';
import { soleAccount } from '../helpers/sole-account.js';

const ADMIN = 'metrics-admin-key-0123456789';
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A listening app (port 0) whose sync talks to `sim`; no run starts by itself. */
async function startApp(db: Database, sim: Simulator, env: Record<string, string> = {}) {
  const app = buildApp(testConfig({ PORT: '0', ADMIN_API_KEY: ADMIN, DIGITALOCEAN_TOKEN: 'test-token', ...env }), {
    database: db,
    logger: createLogger('silent'),
    sync: { runOnStart: false },
    doClient: { baseUrl: sim.url, token: 'test-token', retries: { max: 1, baseDelayMs: 5, maxDelayMs: 10 }, limits: { pathLimits: [] } },
  });
  const urls = await app.start();
  return { app, ...urls };
}

async function scrape(url: string, headers: Record<string, string> = bearer(ADMIN)): Promise<Exposition> {
  const res = await fetch(`${url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

async function graphql(url: string, query: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(ADMIN) },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data?: Record<string, any>; errors?: { extensions?: { code?: string } }[] };
}

describe.each(testDatabaseTargets())('/metrics on $name', (target) => {
  let sim: Simulator;
  let db: Database;
  let app: App;
  let url: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    sim = createSimulator({ seed: 7 });
    await sim.start();
    db = await target.open();
    ({ app, url } = await startApp(db, sim));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await app?.stop();
    await db?.close();
    await sim?.stop();
  });

  it('answers 401 without a valid key and 403 to a tenant-scoped key, like the API', async () => {
    for (const headers of [{}, bearer('wrong-key-0123456789abcdef')]) {
      const res = await fetch(`${url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.text()).not.toContain('inventory_');
    }
    const tenant = await db.prisma.tenant.create({ data: { slug: 'metrics-tenant', name: 'Metrics tenant' } });
    const made = await graphql(
      url,
      `mutation { createApiKey(input: { name: "tenant dashboard", role: VIEWER, tenantId: "${gid('Tenant', tenant.id)}" }) { secret userErrors { code } } }`,
    );
    const secret = made.data!.createApiKey.secret as string;
    expect(secret).toBeTruthy();
    const res = await fetch(`${url}/metrics`, { headers: bearer(secret) });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('inventory_');
  });

  it('after syncs against the simulator: runs by worker and status, DigitalOcean requests by endpoint, items, events as stored', async () => {
    const sync = soleAccount(app).sync!;
    const run = async (worker: 'PROJECTS' | 'DROPLETS' | 'VOLUMES') => {
      const outcome = await sync.run(worker, 'MANUAL');
      if (!('run' in outcome)) throw new Error(outcome.skipped);
      return outcome.run;
    };
    const projects = await run('PROJECTS');
    sim.script.faults.rateLimitBurst(2, 0);
    const droplets = await run('DROPLETS');
    // Every try of the first page fails: the run ends FAILED.
    sim.script.faults.failPage('/v2/volumes', 1, 500, 10);
    const volumes = await run('VOLUMES');
    sim.script.faults.clear();
    expect([projects.status, droplets.status, volumes.status]).toEqual(['SUCCEEDED', 'SUCCEEDED', 'FAILED']);

    const m = await scrape(url);
    const account = 'default';
    expect(m.types.get('inventory_sync_runs_total')).toBe('counter');
    expect(m.sum('inventory_sync_runs_total', { account, worker: 'PROJECTS', status: 'SUCCEEDED' })).toBe(1);
    expect(m.sum('inventory_sync_runs_total', { account, worker: 'DROPLETS', status: 'SUCCEEDED' })).toBe(1);
    expect(m.sum('inventory_sync_runs_total', { account, worker: 'VOLUMES', status: 'FAILED' })).toBe(1);
    expect(m.sum('inventory_sync_runs_total', { account, worker: 'VOLUMES', status: 'SUCCEEDED' })).toBe(0);
    expect(m.sum('inventory_sync_runs_total')).toBe(3);
    const dropletRuns = m.find('inventory_sync_run_duration_seconds_count', { account, worker: 'DROPLETS', status: 'SUCCEEDED' });
    expect(dropletRuns.map((s) => s.value)).toEqual([1]);
    const seconds = m.sum('inventory_sync_run_duration_seconds_sum', { account, worker: 'DROPLETS' });
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(60);

    // Requests: every one the client made (retries and 429s included), by endpoint and status.
    const client = soleAccount(app).client!;
    expect(m.sum('inventory_digitalocean_requests_total', { account })).toBe(client.requests);
    expect(m.sum('inventory_digitalocean_requests_total', { account, endpoint: '/v2/droplets', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(m.sum('inventory_digitalocean_requests_total', { account, status: '429' })).toBe(2);
    expect(m.sum('inventory_digitalocean_rate_limited_total', { account })).toBe(2);
    expect(m.sum('inventory_digitalocean_requests_total', { account, endpoint: '/v2/volumes', status: '500' })).toBe(2);
    // Project resources are listed per project: the project's id is not a label value.
    const endpoints = new Set(m.find('inventory_digitalocean_requests_total').map((s) => s.labels.endpoint));
    expect(endpoints).toContain('/v2/projects/{id}/resources');
    expect([...endpoints].every((e) => !/[0-9a-f]{8}-/.test(e!))).toBe(true);
    expect(m.sum('inventory_digitalocean_rate_limit_remaining', { account })).toBe(client.budget().remaining);

    // Items: what the runs recorded.
    expect(m.sum('inventory_sync_items_fetched_total', { account, worker: 'DROPLETS' })).toBe(droplets.fetched);
    expect(droplets.fetched).toBeGreaterThan(0);
    expect(m.sum('inventory_sync_items_written_total', { account, worker: 'DROPLETS', change: 'created' })).toBe(droplets.created);
    expect(m.sum('inventory_sync_items_written_total', { account, worker: 'DROPLETS', change: 'updated' })).toBe(droplets.updated);
    expect(m.sum('inventory_sync_items_skipped_total', { account, worker: 'DROPLETS' })).toBe(0);

    // Events: committed equal to those stored, by type; all of them published.
    const stored = await db.prisma.resourceEvent.groupBy({ by: ['type'], _count: true });
    expect(stored.length).toBeGreaterThan(0);
    for (const row of stored) expect(m.sum('inventory_events_committed_total', { type: row.type, source: 'sync' })).toBe(row._count);
    const total = await db.prisma.resourceEvent.count();
    expect(m.sum('inventory_events_committed_total')).toBe(total);
    expect(m.sum('inventory_events_published_total')).toBe(total);

    // The database's pools (PostgreSQL only) and the process's own metrics.
    if (db.kind === 'postgres') {
      expect(m.sum('inventory_db_pool_max', { pool: 'main' })).toBe(10);
      expect(m.find('inventory_db_pool_connections', { pool: 'graphql', state: 'idle' })).toHaveLength(1);
    }
    expect(m.sum('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts GraphQL operations by name and type, their errors by code, and open WebSocket subscriptions', async () => {
    const before = await scrape(url);
    const probe = { operation: 'MetricsProbe', type: 'query', transport: 'http' };
    expect((await graphql(url, 'query MetricsProbe { __typename }')).data).toEqual({ __typename: 'Query' });
    expect((await graphql(url, 'query MetricsProbe { __typename }')).data).toEqual({ __typename: 'Query' });
    const invalid = await graphql(url, 'query Broken { noSuchField }');
    expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const after = await scrape(url);
    expect(after.sum('inventory_graphql_operations_total', probe) - before.sum('inventory_graphql_operations_total', probe)).toBe(2);
    expect(
      after.sum('inventory_graphql_operation_duration_seconds_count', probe) - before.sum('inventory_graphql_operation_duration_seconds_count', probe),
    ).toBe(2);
    expect(after.sum('inventory_graphql_errors_total', { operation: 'Broken', phase: 'validate', code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(after.sum('inventory_http_requests_total', { route: '/graphql', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(after.sum('inventory_http_requests_total', { route: '/metrics', status: '200' })).toBeGreaterThanOrEqual(1);

    // Over WebSocket: the same plugins count the operation; the socket and the subscription are open while it streams.
    const client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: bearer(ADMIN) });
    clients.push(client);
    const ws = { operation: 'WatchRuns', transport: 'websocket' };
    const stream = client.iterate({ query: 'subscription WatchRuns { syncRunUpdated { worker status } }' });
    await expect.poll(async () => (await scrape(url)).sum('inventory_graphql_subscriptions_open', ws)).toBe(1);
    const open = await scrape(url);
    expect(open.sum('inventory_websocket_connections')).toBe(1);
    // An event proves the stream delivers while counted.
    const next = stream.next();
    await soleAccount(app).sync!.run('DROPLETS', 'MANUAL');
    expect((await next).value?.data?.syncRunUpdated.worker).toBe('DROPLETS');
    await stream.return?.();
    await expect.poll(async () => (await scrape(url)).sum('inventory_graphql_subscriptions_open', ws)).toBe(0);
    const ended = await scrape(url);
    expect(ended.sum('inventory_graphql_operations_total', { ...ws, type: 'subscription' })).toBe(1);
    await client.dispose();
    await expect.poll(async () => (await scrape(url)).sum('inventory_websocket_connections')).toBe(0);
  });
});

describe('/metrics on a port of its own (METRICS_PORT)', () => {
  let sim: Simulator;
  let db: Database;
  let first: Awaited<ReturnType<typeof startApp>>;
  let second: Awaited<ReturnType<typeof startApp>>;
  let otherDb: Database;

  beforeAll(async () => {
    sim = createSimulator({ seed: 7 });
    await sim.start();
    db = await openEmbeddedTestDatabase();
    otherDb = await openEmbeddedTestDatabase();
    first = await startApp(db, sim, { METRICS_PORT: '0' });
    second = await startApp(otherDb, sim, { METRICS_PORT: '0' });
  });
  afterAll(async () => {
    await first?.app.stop();
    await second?.app.stop();
    await db?.close();
    await otherDb?.close();
    await sim?.stop();
  });

  it('serves /metrics there without a key, not on the API port; each app has its own registry', async () => {
    expect(first.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.metricsUrl).not.toBe(first.url);
    const outcome = await soleAccount(first.app).sync!.run('DROPLETS', 'MANUAL');
    expect('run' in outcome && outcome.run.status).toBe('SUCCEEDED');

    const own = await scrape(first.metricsUrl!, {});
    expect(own.sum('inventory_sync_runs_total', { account: 'default', worker: 'DROPLETS', status: 'SUCCEEDED' })).toBe(1);
    // The other app in this process counted nothing of the first one's run.
    const other = await scrape(second.metricsUrl!, {});
    expect(other.types.get('inventory_sync_runs_total')).toBe('counter');
    expect(other.sum('inventory_sync_runs_total')).toBe(0);

    const onApiPort = await fetch(`${first.url}/metrics`, { headers: bearer(ADMIN) });
    expect(onApiPort.status).toBe(404);
    await onApiPort.body?.cancel();
    const elsewhere = await fetch(`${first.metricsUrl}/graphql`);
    expect(elsewhere.status).toBe(404);
    await elsewhere.body?.cancel();
  });
});
