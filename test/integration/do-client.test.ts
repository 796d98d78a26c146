import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Simulator, createSimulator } from '../../src/simulator/index.js';
import { type DoClient, type DoClientOptions, createDoClient } from '../../src/digitalocean/client.js';
import { DO_LIST_ENDPOINTS } from '../../src/digitalocean/list-endpoints.js';
import { ZDoProject } from '../../src/digitalocean/schemas/projects.js';
import { DoApiError, DoError, DoErrorCode, DoNetworkError, DoValidationError, isDoStatus } from '../../src/digitalocean/errors.js';
import { type Clock, createScaledClock } from '../../src/digitalocean/clock.js';
import { SIM_SIZE_KEYS } from '../../src/simulator/account.js';

const TOKEN = 'dop_v1_test_secret_token_0123456789';
const NO_LIMITS = { perMinute: 1_000_000, perHour: 10_000_000 };
const NO_CLIENT_LIMITS = { ...NO_LIMITS, pathLimits: [] };

type Json = Record<string, unknown>;

/** A clock whose sleeps return at once and advance virtual time: records every wait. */
function virtualClock(): Clock & { sleeps: number[] } {
  let offset = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now() + offset,
    async sleep(ms) {
      sleeps.push(ms);
      offset += Math.max(0, ms);
    },
  };
}

async function drain<T>(gen: AsyncGenerator<T[], void, void>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of gen) out.push(...page);
  return out;
}

async function failure(p: Promise<unknown>): Promise<DoError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DoError);
    return e as DoError;
  }
  throw new Error('expected the listing to fail');
}

/** What each listing should return, from the simulator's own state. */
function expectations(sim: Simulator): {
  name: string;
  spec: { path: string; envelope: string; item: never; query?: Record<string, string>; paginated?: boolean };
  key: (x: Json) => string;
  want: string[];
}[] {
  const s = sim.state;
  const E = DO_LIST_ENDPOINTS;
  const project = s.projects.find((p) => p.is_default !== true) ?? s.projects[0]!;
  const defaultId = String(s.projects.find((p) => p.is_default === true)!.id);
  const urnsOf = (pid: string) => [...s.membership].filter(([, m]) => m.projectId === pid).map(([u]) => u);
  const id = (x: Json) => String(x.id);
  const rows = [
    { name: 'droplets', spec: E.droplets, key: id, want: s.droplets.map(id) },
    { name: 'gpuDroplets', spec: E.gpuDroplets, key: id, want: s.gpuDroplets.map(id) },
    {
      name: 'privateImages',
      spec: E.privateImages,
      key: id,
      want: [...[...s.backups.values()].flat().map(id), ...s.snapshots.filter((x) => x.resource_type === 'droplet').map(id)],
    },
    { name: 'snapshots', spec: E.snapshots, key: id, want: s.snapshots.map(id) },
    { name: 'volumes', spec: E.volumes, key: id, want: s.volumes.map(id) },
    { name: 'domains', spec: E.domains, key: (x: Json) => String(x.name), want: s.domains.map((x) => String(x.name)) },
    { name: 'reservedIps', spec: E.reservedIps, key: (x: Json) => String(x.ip), want: s.reservedIps.map((x) => String(x.ip)) },
    { name: 'floatingIps', spec: E.floatingIps, key: (x: Json) => String(x.ip), want: s.reservedIps.map((x) => String(x.ip)) },
    { name: 'firewalls', spec: E.firewalls, key: id, want: s.firewalls.map(id) },
    { name: 'loadBalancers', spec: E.loadBalancers, key: id, want: s.loadBalancers.map(id) },
    { name: 'databases', spec: E.databases, key: id, want: s.databases.map(id) },
    { name: 'kubernetes', spec: E.kubernetes, key: id, want: s.kubernetes.map(id) },
    { name: 'apps', spec: E.apps, key: id, want: s.apps.map(id) },
    { name: 'cdnEndpoints', spec: E.cdnEndpoints, key: id, want: s.cdnEndpoints.map(id) },
    { name: 'vpcs', spec: E.vpcs, key: id, want: s.vpcs.map(id) },
    { name: 'projects', spec: E.projects, key: id, want: s.projects.map(id) },
    {
      name: 'projectResources',
      spec: { ...E.projectResources, path: `/v2/projects/${String(project.id)}/resources` },
      key: (x: Json) => String(x.urn),
      want: urnsOf(String(project.id)),
    },
    { name: 'defaultProjectResources', spec: E.defaultProjectResources, key: (x: Json) => String(x.urn), want: urnsOf(defaultId) },
  ];
  return rows as never;
}

describe('DO client: complete listings of every kind', () => {
  for (const n of [1, 199, 200, 201, 5000]) {
    it(`lists every kind completely at ${n} items`, async () => {
      const size = Object.fromEntries(SIM_SIZE_KEYS.map((k) => [k, n]));
      const sim = createSimulator({ seed: n, size, limits: { ...NO_LIMITS, cdnPerWindow: 1_000_000 } });
      await sim.start();
      const client = createDoClient({ token: TOKEN, baseUrl: sim.url, limits: NO_CLIENT_LIMITS });
      try {
        for (const row of expectations(sim)) {
          const session = client.session();
          const items = (await drain(session.pages(row.spec))) as Json[];
          const got = items.map(row.key);
          expect(got.length, row.name).toBe(row.want.length);
          expect(new Set(got), row.name).toEqual(new Set(row.want));
          if (row.spec.paginated !== false) {
            expect(session.requests, `${row.name} requests`).toBe(Math.max(1, Math.ceil(row.want.length / 200)));
          } else {
            expect(session.requests).toBe(1);
          }
        }
        const byId = new Map(sim.state.droplets.map((d) => [String(d.id), d]));
        const first = (await drain(client.session().pages(DO_LIST_ENDPOINTS.droplets)))[0]!;
        expect(typeof first.id).toBe('string');
        expect(byId.get(first.id)?.name).toBe(first.name);
        expect(sim.stats.rateLimited).toBe(0);
      } finally {
        await client.close();
        await sim.stop();
      }
    });
  }
});

describe('DO client: faults', () => {
  let sim: Simulator;
  let client: DoClient;
  const logs: string[] = [];
  const clock = virtualClock();
  const make = (o: Partial<DoClientOptions> = {}) =>
    createDoClient({
      token: TOKEN,
      baseUrl: sim.url,
      limits: NO_LIMITS,
      clock,
      retries: { max: 3, baseDelayMs: 10, maxDelayMs: 50 },
      log: (level, msg, fields) => logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`),
      ...o,
    });
  const droplets = () => client.session().pages(DO_LIST_ENDPOINTS.droplets);

  beforeAll(async () => {
    sim = createSimulator({ seed: 3, size: { droplets: 450 }, limits: NO_LIMITS });
    await sim.start();
    client = make();
  });
  afterEach(() => sim.script.faults.clear());
  afterAll(async () => {
    await client.close();
    await sim.stop();
    // The token never appears in a log line.
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('retries a 500 on page 2 and completes the listing', async () => {
    sim.script.faults.failPage('/v2/droplets', 2, 500);
    const session = client.session();
    const items = await drain(session.pages(DO_LIST_ENDPOINTS.droplets));
    expect(items).toHaveLength(450);
    expect(session.requests).toBe(4);
  });

  it('gives up after the retry limit with an incomplete DoApiError', async () => {
    sim.script.faults.failPage('/v2/droplets', 2, 500, Number.POSITIVE_INFINITY);
    const err = await failure(drain(droplets()));
    expect(err).toBeInstanceOf(DoApiError);
    expect(err.incomplete).toBe(true);
    expect(err.itemsYielded).toBe(200);
    expect(err.endpoint).toBe('/v2/droplets');
    expect((err as DoApiError).status).toBe(500);
    expect((err as DoApiError).id).toBe('server_error');
    expect((err as DoApiError).requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(err.message).not.toContain(TOKEN);
  });

  it('does not retry a 404, and a 404 is recognisable by status (reserved → floating IP fallback)', async () => {
    sim.script.faults.failPage('/v2/reserved_ips', 1, 404, Number.POSITIVE_INFINITY);
    const session = client.session();
    const err = await failure(drain(session.pages(DO_LIST_ENDPOINTS.reservedIps)));
    expect(isDoStatus(err, 404)).toBe(true);
    expect((err as DoApiError).id).toBe('not_found');
    expect(err.incomplete).toBe(true);
    expect(session.requests).toBe(1);
    const fallback = await drain(session.pages(DO_LIST_ENDPOINTS.floatingIps));
    expect(fallback).toHaveLength(sim.state.reservedIps.length);
  });

  it('retries malformed JSON, and fails incomplete when it persists', async () => {
    sim.script.faults.malformedJson('/v2/droplets', 3);
    expect(await drain(droplets())).toHaveLength(450);
    sim.script.faults.malformedJson('/v2/droplets', 3, Number.POSITIVE_INFINITY);
    const err = await failure(drain(droplets()));
    expect(err.code).toBe(DoErrorCode.MALFORMED_BODY);
    expect(err.incomplete).toBe(true);
    expect(err.itemsYielded).toBe(400);
  });

  it('retries a connection reset, and fails incomplete when it persists', async () => {
    sim.script.faults.resetConnection('/v2/droplets', 2);
    expect(await drain(droplets())).toHaveLength(450);
    sim.script.faults.resetConnection('/v2/droplets', 2, Number.POSITIVE_INFINITY);
    const err = await failure(drain(droplets()));
    expect(err).toBeInstanceOf(DoNetworkError);
    expect(err.code).toBe(DoErrorCode.NETWORK);
    expect(err.incomplete).toBe(true);
  });

  it('times out slow responses, retries, and fails incomplete when they stay slow', async () => {
    // undici arms headers timeouts on a coarse (~1 s) timer: keep the slow response well past it.
    const fast = make({ timeouts: { headersMs: 300 }, retries: { max: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    try {
      sim.script.faults.slow('/v2/volumes', 2500, 1);
      expect(await drain(fast.session().pages(DO_LIST_ENDPOINTS.volumes))).toHaveLength(sim.state.volumes.length);
      sim.script.faults.slow('/v2/volumes', 2500);
      const err = await failure(drain(fast.session().pages(DO_LIST_ENDPOINTS.volumes)));
      expect(err.code).toBe(DoErrorCode.TIMEOUT);
      expect(err.incomplete).toBe(true);
    } finally {
      await fast.close();
    }
  });

  it('honours retry-after on a 429 burst and retries the page, not the listing', async () => {
    clock.sleeps.length = 0;
    const session = client.session();
    const gen = session.pages(DO_LIST_ENDPOINTS.droplets);
    const first = await gen.next();
    expect(first.value).toHaveLength(200);
    sim.script.faults.rateLimitBurst(3, 7);
    const rest = [];
    for await (const p of gen) rest.push(...p);
    expect(rest).toHaveLength(250);
    // Page 1 once, page 2 after three 429s, page 3.
    expect(session.requests).toBe(6);
    expect(clock.sleeps.filter((ms) => ms >= 6900)).toHaveLength(3);
  });

  it('fails a listing whose item lacks a required field, naming endpoint and field', async () => {
    const victim = sim.state.droplets[250]!;
    const name = victim.name;
    Reflect.deleteProperty(victim, 'name');
    try {
      const err = await failure(drain(droplets()));
      expect(err).toBeInstanceOf(DoValidationError);
      expect((err as DoValidationError).field).toBe('droplets[50].name');
      expect(err.endpoint).toBe('/v2/droplets');
      expect(err.incomplete).toBe(true);
      expect(err.itemsYielded).toBe(200);
      expect(err.message).toContain('droplets[50].name');
    } finally {
      victim.name = name;
    }
  });

  it('get() validates a single object; getText() returns the invoice CSV', async () => {
    const session = client.session();
    const wrapped = await session.get('/v2/projects/default', z.object({ project: ZDoProject }));
    expect(wrapped.project.is_default).toBe(true);
    // The body is `{ project: {...} }`, not a project: validation names the missing field.
    const err = await session.get('/v2/projects/default', ZDoProject).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DoValidationError);
    expect((err as DoValidationError).field).toBe('id');
    const inv = sim.invoices()[0]!;
    const csv = await session.getText(`/v2/customers/my/invoices/${inv.uuid}/csv`);
    expect(csv.body.split('\n')[0]).toBe('product,group_description,description,hours,start,end,USD,project_name,category');
    expect(csv.headers['content-type']).toContain('text/csv');
  });

  it('reports the rate budget from headers and counts requests per session and overall', async () => {
    const before = client.requests;
    const session = client.session();
    await drain(session.pages(DO_LIST_ENDPOINTS.domains));
    expect(session.requests).toBe(1);
    expect(client.requests).toBe(before + 1);
    const b = client.budget();
    expect(b.limit).toBe(NO_LIMITS.perHour);
    expect(b.remaining).toBeGreaterThan(0);
    expect(b.resetAt).toBeInstanceOf(Date);
    expect(session.rateLimitRemaining).toBe(b.remaining);
  });

  it('an aborted session stops with an incomplete error', async () => {
    const ac = new AbortController();
    const gen = client.session(ac.signal).pages(DO_LIST_ENDPOINTS.droplets);
    await gen.next();
    ac.abort();
    const err = await failure(drain(gen));
    expect(err.code).toBe(DoErrorCode.ABORTED);
    expect(err.incomplete).toBe(true);
  });
});

describe('DO client: pagination edge cases against a hand-written server', () => {
  let server: Server;
  let url = '';
  let seenAuth: { host: string; auth: string | undefined }[] = [];
  let respond: (path: string) => Json;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seenAuth.push({ host: String(req.headers.host), auth: req.headers.authorization });
      const body = JSON.stringify(respond(req.url ?? '/'));
      res.writeHead(200, { 'content-type': 'application/json', 'RateLimit-Limit': '5000', 'RateLimit-Remaining': '4321', 'rateLimit-reset': '1402425459' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('detects a next link that loops', async () => {
    respond = () => ({ domains: [{ name: 'a.com' }], links: { pages: { next: 'https://api.digitalocean.com/v2/domains?page=1&per_page=200' } } });
    const client = createDoClient({ token: TOKEN, baseUrl: url });
    try {
      const err = await failure(drain(client.session().pages(DO_LIST_ENDPOINTS.domains)));
      expect(err.code).toBe(DoErrorCode.PAGINATION_LOOP);
      expect(err.incomplete).toBe(true);
      expect(err.itemsYielded).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('follows next links on another host against the configured base only, and reads headers case-insensitively', async () => {
    seenAuth = [];
    respond = (path) =>
      /[?&]page=2(&|$)/.test(path)
        ? { domains: [{ name: 'b.com' }], links: {}, meta: { total: 2 } }
        : { domains: [{ name: 'a.com' }], links: { pages: { next: 'https://evil.example.net/v2/domains?page=2&per_page=200' } }, meta: { total: 2 } };
    const client = createDoClient({ token: TOKEN, baseUrl: url });
    try {
      const items = await drain(client.session().pages(DO_LIST_ENDPOINTS.domains));
      expect(items.map((d) => d.name)).toEqual(['a.com', 'b.com']);
      expect(seenAuth.every((s) => s.host === new URL(url).host)).toBe(true);
      expect(client.budget()).toEqual({ limit: 5000, remaining: 4321, resetAt: new Date(1402425459000) });
    } finally {
      await client.close();
    }
  });

  it('never reports a listing shorter than meta.total as complete', async () => {
    respond = () => ({ domains: [{ name: 'a.com' }], meta: { total: 3 } });
    const client = createDoClient({ token: TOKEN, baseUrl: url });
    try {
      const err = await failure(drain(client.session().pages(DO_LIST_ENDPOINTS.domains)));
      expect(err.code).toBe(DoErrorCode.SHORT_LISTING);
      expect(err.incomplete).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('fails when the envelope is missing, naming it', async () => {
    respond = () => ({ something_else: [] });
    const client = createDoClient({ token: TOKEN, baseUrl: url });
    try {
      const err = await failure(drain(client.session().pages(DO_LIST_ENDPOINTS.domains)));
      expect(err).toBeInstanceOf(DoValidationError);
      expect((err as DoValidationError).field).toBe('domains');
    } finally {
      await client.close();
    }
  });
});

describe('DO client: pacing and real 429s', () => {
  it('paces a 1,000-request burst under the per-minute limit (no 429)', async () => {
    // 100× time: a minute of rate window lasts 0.6 s.
    const clock = createScaledClock(100);
    const sim = createSimulator({ seed: 5, size: { droplets: 1000 }, clock });
    await sim.start();
    const client = createDoClient({ token: TOKEN, baseUrl: sim.url, perPage: 1, clock });
    try {
      const session = client.session();
      const items = await drain(session.pages(DO_LIST_ENDPOINTS.droplets));
      expect(items).toHaveLength(1000);
      expect(session.requests).toBe(1000);
      expect(sim.stats.rateLimited).toBe(0);
      expect(sim.stats.maxPerMinute).toBeLessThanOrEqual(250);
      expect(sim.stats.maxPerMinute).toBeGreaterThan(200);
    } finally {
      await client.close();
      await sim.stop();
    }
  });

  it("survives the simulator's own sliding window (client not pacing) by honouring retry-after", async () => {
    const clock = virtualClock();
    const sim = createSimulator({ seed: 6, size: { droplets: 60 }, clock, limits: { perMinute: 10 } });
    await sim.start();
    const client = createDoClient({ token: TOKEN, baseUrl: sim.url, perPage: 2, clock, limits: NO_LIMITS });
    try {
      const session = client.session();
      const items = await drain(session.pages(DO_LIST_ENDPOINTS.droplets));
      expect(items).toHaveLength(60);
      expect(sim.stats.rateLimited).toBeGreaterThan(0);
      expect(session.requests).toBe(30 + sim.stats.rateLimited);
      expect(Math.min(...clock.sleeps)).toBeGreaterThanOrEqual(1000);
    } finally {
      await client.close();
      await sim.stop();
    }
  });

  it("paces the CDN endpoint's own limit (5 per 10 s)", async () => {
    const clock = virtualClock();
    const sim = createSimulator({ seed: 8, size: { cdnEndpoints: 12 }, clock });
    await sim.start();
    const client = createDoClient({ token: TOKEN, baseUrl: sim.url, perPage: 1, clock });
    try {
      const items = await drain(client.session().pages(DO_LIST_ENDPOINTS.cdnEndpoints));
      expect(items).toHaveLength(12);
      expect(sim.stats.rateLimited).toBe(0);
    } finally {
      await client.close();
      await sim.stop();
    }
  });
});
