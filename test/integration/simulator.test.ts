import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { decimalToCents } from '../../src/simulator/invoices.js';

type Json = Record<string, unknown>;
const AUTH = { authorization: 'Bearer anything' };

describe('simulated DO', () => {
  let sim: Simulator;
  const get = async (path: string, headers: Record<string, string> = AUTH) => {
    const res = await fetch(`${sim.url}${path}`, { headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null) as Json };
  };
  const post = async (path: string, body: Json) => {
    const res = await fetch(`${sim.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    sim = createSimulator({ seed: 11, size: { droplets: 45 } });
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('is deterministic by seed', () => {
    const a = createSimulator({ seed: 99 });
    const b = createSimulator({ seed: 99 });
    const c = createSimulator({ seed: 100 });
    const dump = (s: Simulator) => JSON.stringify({ d: s.state.droplets, v: s.state.volumes, sn: s.state.snapshots, inv: s.invoices() });
    expect(dump(a)).toBe(dump(b));
    expect(dump(a)).not.toBe(dump(c));
    expect(a.state.droplets).toHaveLength(30);
  });

  it('creates a resource of a kind the account holds none of, from a template', () => {
    const empty = createSimulator({ seed: 5, size: { domains: 0, firewalls: 0, vpcs: 0 } });
    const domain = empty.script.create('dns_zone');
    expect(domain.name).toMatch(/^new-[0-9a-f]{6}\.example\.com$/);
    expect(empty.state.domains).toEqual([domain]);
    const firewall = empty.script.create('firewall', { name: 'edge' });
    expect(empty.state.firewalls).toEqual([firewall]);
    expect(firewall).toMatchObject({ name: 'edge', status: 'succeeded' });
    const vpc = empty.script.create('vpc');
    expect(vpc.urn).toBe(`do:vpc:${String(vpc.id)}`);
  });

  it("answers 401 with DO's body without a bearer token", async () => {
    const r = await get('/v2/droplets', {});
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ id: 'unauthorized', message: 'Unable to authenticate you.' });
  });

  it('pages like DO: default 20, max 200, links and meta, rate-limit headers', async () => {
    const first = await get('/v2/droplets');
    expect((first.body.droplets as unknown[]).length).toBe(20);
    expect(first.body.meta).toEqual({ total: 45 });
    const pages = (first.body.links as Json).pages as Json;
    expect(pages.next).toBe(`${sim.url}/v2/droplets?page=2&per_page=20`);
    expect(pages.first).toBeUndefined();
    const big = await get('/v2/droplets?per_page=500');
    expect((big.body.droplets as unknown[]).length).toBe(45);
    expect(big.body.links === undefined || JSON.stringify((big.body.links as Json).pages ?? {}) === '{}').toBe(true);
    const last = await get('/v2/droplets?page=3');
    expect(((last.body.links as Json).pages as Json).next).toBeUndefined();
    expect(((last.body.links as Json).pages as Json).prev).toContain('page=2');
    for (const h of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'x-request-id']) expect(first.headers.get(h)).toBeTruthy();
    expect(first.headers.get('ratelimit-limit')).toBe('5000');
  });

  it('serves databases unpaginated, with credentials, and GPU droplets only with type=gpus', async () => {
    const db = await get('/v2/databases?page=2&per_page=1');
    expect(Object.keys(db.body)).toEqual(['databases']);
    expect((db.body.databases as Json[]).length).toBe(sim.state.databases.length);
    expect(((db.body.databases as Json[])[0]!.connection as Json).password).toBeTruthy();
    const gpus = await get('/v2/droplets?type=gpus');
    expect((gpus.body.droplets as Json[]).every((d) => String(d.size_slug).startsWith('gpu-'))).toBe(true);
    const plain = await get('/v2/droplets?per_page=200');
    expect((plain.body.droplets as Json[]).some((d) => String(d.size_slug).startsWith('gpu-'))).toBe(false);
  });

  it('has two droplets with the same name, backups in droplets and private images, snapshots by resource_type', async () => {
    expect(sim.state.droplets.filter((d) => d.name === 'web-1')).toHaveLength(2);
    const withBackups = sim.state.droplets.find((d) => (d.backup_ids as number[]).length > 0)!;
    const backups = await get(`/v2/droplets/${String(withBackups.id)}/backups`);
    expect((backups.body.backups as Json[]).map((b) => b.id)).toEqual(withBackups.backup_ids);
    const images = await get('/v2/images?private=true&per_page=200');
    const types = new Set((images.body.images as Json[]).map((i) => i.type));
    expect(types).toEqual(new Set(['backup', 'snapshot']));
    expect((images.body.images as Json[]).every((i) => typeof i.id === 'number')).toBe(true);
    const vol = await get('/v2/snapshots?resource_type=volume&per_page=200');
    expect((vol.body.snapshots as Json[]).every((s) => s.resource_type === 'volume' && typeof s.id === 'string')).toBe(true);
    const missing = await get('/v2/droplets/1');
    expect(missing.status).toBe(404);
    expect(missing.body.id).toBe('not_found');
    expect(missing.body.request_id).toBe(missing.headers.get('x-request-id'));
  });

  it("lists project resources with DO's URN forms; one default project; some resources in none", async () => {
    const projects = await get('/v2/projects');
    expect((projects.body.projects as Json[]).filter((p) => p.is_default === true)).toHaveLength(1);
    const urns: string[] = [];
    for (const p of projects.body.projects as Json[]) {
      const r = await get(`/v2/projects/${String(p.id)}/resources?per_page=200`);
      urns.push(...(r.body.resources as Json[]).map((x) => String(x.urn)));
    }
    const types = new Set(urns.map((u) => u.split(':')[1]));
    for (const t of [
      'droplet',
      'domain',
      'volume',
      'floatingip',
      'reservedip',
      'loadbalancer',
      'dbaas',
      'kubernetes',
      'app',
      'space',
      'volumesnapshot',
      'partner_attachment',
    ]) {
      expect(types, t).toContain(t);
    }
    const def = await get('/v2/projects/default/resources?per_page=200');
    const defaultId = String(sim.state.projects.find((p) => p.is_default === true)!.id);
    expect((def.body.resources as unknown[]).length).toBe([...sim.state.membership.values()].filter((m) => m.projectId === defaultId).length);
    const inNone = sim.state.droplets.filter((d) => !urns.includes(`do:droplet:${String(d.id)}`));
    expect(inNone.length).toBeGreaterThan(0);
  });

  it('serves invoices: list with preview, paginated items, CSV, summary; truth for every line', async () => {
    const list = await get('/v2/customers/my/invoices');
    expect((list.body.invoices as Json[]).length).toBe(2);
    expect((list.body.invoice_preview as Json).updated_at).toBeTruthy();
    const inv = sim.invoices().find((i) => !i.preview)!;
    const items = await get(`/v2/customers/my/invoices/${inv.uuid}?per_page=200`);
    expect((items.body.meta as Json).total).toBe(inv.items.length);
    const truth = sim.invoiceTruth(inv.uuid);
    expect(truth).toHaveLength(inv.items.length);
    const reasons = new Set(truth.map((t) => ('reason' in t ? t.reason : 'MATCH')));
    expect(reasons).toEqual(new Set(['MATCH', 'TAX', 'CREDIT', 'ACCOUNT_LEVEL', 'RESOURCE_DESTROYED', 'KIND_NOT_INVENTORIED']));
    const products = new Set(inv.items.map((i) => i.product));
    for (const p of [
      'Droplets',
      'Droplet Backups',
      'Droplet Snapshots',
      'Volume Snapshots',
      'Volumes',
      'Load Balancers',
      'Kubernetes Clusters',
      'Database Clusters',
      'App Platform',
      'Floating IPs',
      'Spaces Subscription',
      'Taxes',
      'Credits',
      'Container Registry',
    ]) {
      expect(products, p).toContain(p);
    }
    // A droplet line carries the droplet id and a uuid the droplet API never shows.
    const dropletLine = inv.items.findIndex((i) => i.product === 'Droplets');
    const t = truth[dropletLine]!;
    expect('providerId' in t && t.providerId).toBe(inv.items[dropletLine]!.resource_id);
    expect(JSON.stringify(sim.state.droplets)).not.toContain(inv.items[dropletLine]!.resource_uuid!);
    // Total is the exact sum of the lines.
    expect(inv.items.reduce((s, i) => s + decimalToCents(i.amount), 0)).toBe(inv.amountCents);
    const csv = await get(`/v2/customers/my/invoices/${inv.uuid}/csv`);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('product,group_description,description,hours,start,end,USD,project_name,category');
    expect(lines).toHaveLength(inv.items.length + 1);
    expect(new Set(lines).size).toBe(lines.length);
    expect(csv.text).toMatch(/,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000,/);
    expect(csv.text).toContain('-$');
    const summary = await get(`/v2/customers/my/invoices/${inv.uuid}/summary`);
    expect(summary.body.invoice_uuid).toBe(inv.uuid);
    const preview = await get('/v2/customers/my/invoices/preview?per_page=5');
    expect((preview.body.invoice_items as unknown[]).length).toBe(5);
  });

  it('is scriptable in process and over HTTP under /_sim', async () => {
    const d = sim.state.droplets[3]!;
    sim.script.setDropletStatus(d.id as number, 'off');
    expect(d.status).toBe('off');
    let r = await post('/_sim/set-droplet-status', { id: d.id, status: 'active' });
    expect(r.status).toBe(200);
    expect(d.status).toBe('active');
    r = await post('/_sim/create', { kind: 'droplet', partial: { name: 'demo-new' } });
    const created = r.body.result as Json;
    expect(created.name).toBe('demo-new');
    expect(sim.state.droplets.some((x) => x.id === created.id)).toBe(true);
    expect(sim.state.membership.has(`do:droplet:${String(created.id)}`)).toBe(true);
    r = await post('/_sim/destroy', { kind: 'droplet', providerId: created.id });
    expect(r.body.result).toBe(true);
    expect(sim.state.droplets.some((x) => x.id === created.id)).toBe(false);
    for (const kind of [
      'volume',
      'dns_zone',
      'floating_ip',
      'firewall',
      'load_balancer',
      'managed_db',
      'k8s_cluster',
      'app',
      'cdn_endpoint',
      'vpc',
      'spaces_bucket',
      'snapshot',
    ] as const) {
      const item = sim.script.create(kind);
      const key = kind === 'dns_zone' || kind === 'spaces_bucket' ? String(item.name) : kind === 'floating_ip' ? String(item.ip) : String(item.id);
      expect(sim.script.destroy(kind, key), kind).toBe(true);
    }
    r = await post('/_sim/faults/fail-page', { path: '/v2/domains', page: 1, status: 500 });
    expect(r.status).toBe(200);
    const failed = await get('/v2/domains');
    expect(failed.status).toBe(500);
    expect(failed.body.id).toBe('server_error');
    expect((await get('/v2/domains')).status).toBe(200);
    sim.script.faults.rateLimitBurst(1, 29);
    const limited = await get('/v2/domains');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ id: 'too_many_requests', message: 'API rate limit exceeded.' });
    expect(limited.headers.get('retry-after')).toBe('29');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    sim.script.faults.malformedJson('/v2/domains', 1);
    const bad = await fetch(`${sim.url}/v2/domains`, { headers: AUTH });
    await expect(bad.clone().json()).rejects.toThrow();
    await bad.text();
    sim.script.faults.resetConnection('/v2/domains', 1);
    await expect(fetch(`${sim.url}/v2/domains`, { headers: AUTH })).rejects.toThrow();
    r = await post('/_sim/nope', {});
    expect(r.status).toBe(422);
  });

  it('enforces a real sliding minute window with 429 + retry-after', async () => {
    const small = createSimulator({ seed: 2, limits: { perMinute: 3 } });
    await small.start();
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${small.url}/v2/vpcs`, { headers: AUTH });
        await res.text();
        statuses.push(res.status);
        retryAfter ??= res.headers.get('retry-after');
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);
      expect(small.stats.rateLimited).toBe(2);
      expect(small.stats.byPath['/v2/vpcs']).toBe(5);
    } finally {
      await small.stop();
    }
  });
});
