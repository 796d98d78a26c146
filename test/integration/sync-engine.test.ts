import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncWorkerName } from '../../src/domain/workers.js';
import type { TSimAccount } from '../../src/simulator/index.js';
import { createSimulator } from '../../src/simulator/index.js';
import { startTestApp } from '../helpers/app.js';
import { testDatabaseTargets } from '../helpers/db.js';
import { startSyncHarness, type SyncHarness } from '../helpers/sync.js';
import { soleAccount } from '../helpers/sole-account.js';

type Json = Record<string, any>;

/** One item per case made odd in a way the product cannot use: skipped and named, the rest written. */
const ODD_ITEMS: {
  worker: SyncWorkerName;
  kind: string;
  list: (s: TSimAccount) => Json[];
  key: (i: Json) => string;
  spoil: (i: Json) => void;
  id: (i: Json) => string | null;
  path: string;
}[] = [
  { worker: 'VOLUMES', kind: 'volume', list: (s) => s.volumes, key: (i) => i.id, spoil: (i) => (i.name = 42), id: (i) => i.id, path: 'name' },
  {
    worker: 'KUBERNETES',
    kind: 'k8s_cluster',
    list: (s) => s.kubernetes,
    key: (i) => i.id,
    spoil: (i) => (i.node_pools[0].count = 'three'),
    id: (i) => i.id,
    path: 'node_pools.0.count',
  },
  { worker: 'DOMAINS', kind: 'dns_zone', list: (s) => s.domains, key: (i) => i.name, spoil: (i) => delete i.name, id: () => null, path: 'name' },
  {
    worker: 'FLOATING_IPS',
    kind: 'floating_ip',
    list: (s) => s.reservedIps,
    key: (i) => i.ip,
    spoil: (i) => (i.droplet = { name: 'no id' }),
    id: (i) => i.ip,
    path: 'droplet.id',
  },
];

describe.each(testDatabaseTargets())('sync engine on $name', (target) => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await startSyncHarness(await target.open());
  });
  afterEach(async () => {
    await h.stop();
    await h.db.close();
  });

  const count = (where: object = {}) => h.db.prisma.resource.count({ where: { accountId: h.accountId, ...where } });

  it('mirrors every kind of the simulated account, then writes nothing when nothing changed', async () => {
    const first = await h.runAll();
    expect(first.map((r) => [r.worker, r.status])).toEqual(first.map((r) => [r.worker, 'SUCCEEDED']));
    const s = h.sim.state;
    expect(await count({ kind: 'droplet' })).toBe(s.droplets.length + s.gpuDroplets.length);
    expect(await count({ kind: 'volume' })).toBe(s.volumes.length);
    expect(await count({ kind: 'snapshot' })).toBe(s.snapshots.length);
    expect(await count({ kind: 'dns_zone' })).toBe(s.domains.length);
    expect(await count({ kind: 'floating_ip' })).toBe(s.reservedIps.length);
    expect(await count({ kind: 'firewall' })).toBe(s.firewalls.length);
    expect(await count({ kind: 'load_balancer' })).toBe(s.loadBalancers.length);
    expect(await count({ kind: 'managed_db' })).toBe(s.databases.length);
    expect(await count({ kind: 'k8s_cluster' })).toBe(s.kubernetes.length);
    expect(await count({ kind: 'app' })).toBe(s.apps.length);
    expect(await count({ kind: 'cdn_endpoint' })).toBe(s.cdnEndpoints.length);
    expect(await count({ kind: 'vpc' })).toBe(s.vpcs.length);
    expect(await count({ kind: 'droplet_backup' })).toBe([...s.backups.values()].reduce((n, b) => n + b.length, 0));
    // Buckets are not in the API: only those in a project are known.
    expect(await count({ kind: 'spaces_bucket', placeholder: true })).toBe([...s.membership.keys()].filter((u) => u.startsWith('do:space:')).length);
    expect(await h.db.prisma.resourceEvent.count({ where: { type: 'CREATED' } })).toBe(await count());
    const events = await h.db.prisma.resourceEvent.count();

    const second = await h.runAll();
    for (const r of second) {
      expect(r.status).toBe('SUCCEEDED');
      expect([r.worker, r.created, r.updated, r.markedMissing]).toEqual([r.worker, 0, 0, 0]);
    }
    expect(await h.db.prisma.resourceEvent.count()).toBe(events);
  });

  it('reports lastSeenAt as of the last successful listing without rewriting unchanged rows', async () => {
    await h.run('DOMAINS');
    const stored = await h.db.prisma.resource.findFirstOrThrow({ where: { kind: 'dns_zone' } });
    const second = await h.run('DOMAINS');
    expect(second.updated).toBe(0);
    expect((await h.db.prisma.resource.findUniqueOrThrow({ where: { id: stored.id } })).lastSeenAt).toEqual(stored.lastSeenAt);
    const r = await h.gql(
      `{ resources(filter: { kinds: [DNS_ZONE] }, first: 1, orderBy: { field: NAME, direction: ASC }) { edges { node { name lastSeenAt } } } }`,
    );
    const seen = new Date(r.data.resources.edges[0].node.lastSeenAt);
    expect(seen.getTime()).toBe(second.startedAt.getTime());
  });

  it('records a status change once, with from and to', async () => {
    await h.run('DROPLETS');
    const droplet = h.sim.state.droplets[0]!;
    h.sim.script.setDropletStatus(droplet.id as number, droplet.status === 'off' ? 'active' : 'off');
    const run = await h.run('DROPLETS');
    expect([run.updated, run.created]).toEqual([1, 0]);
    const events = await h.db.prisma.resourceEvent.findMany({ where: { type: 'STATUS_CHANGED' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ from: droplet.status === 'off' ? 'active' : 'off', syncRunId: run.id });
  });

  it('counts three strikes: MISSED at 1, STALE at 3, REVIVED when seen again', async () => {
    await h.run('VOLUMES');
    const volume = h.sim.state.volumes[0]!;
    h.sim.script.destroy('volume', volume.id as string);
    const row = () => h.db.prisma.resource.findFirstOrThrow({ where: { kind: 'volume', providerId: volume.id as string } });
    const types = async () =>
      (await h.db.prisma.resourceEvent.findMany({ where: { resourceId: (await row()).id }, orderBy: { sequence: 'asc' } })).map((e) => e.type);

    expect((await h.run('VOLUMES')).markedMissing).toBe(1);
    expect(await row()).toMatchObject({ lifecycle: 'MISSING', missedSyncs: 1, staleSince: null });
    await h.run('VOLUMES');
    expect(await row()).toMatchObject({ lifecycle: 'MISSING', missedSyncs: 2 });
    expect((await h.run('VOLUMES')).markedStale).toBe(1);
    const stale = await row();
    expect(stale).toMatchObject({ lifecycle: 'STALE', missedSyncs: 3 });
    expect(stale.staleSince).toBeInstanceOf(Date);
    await h.run('VOLUMES');
    expect((await row()).missedSyncs).toBe(3);
    expect(await types()).toEqual(['CREATED', 'MISSED', 'STALE']);

    h.sim.script.create('volume', volume);
    const back = await h.run('VOLUMES');
    expect(back.revived).toBe(1);
    expect(await row()).toMatchObject({ lifecycle: 'ACTIVE', missedSyncs: 0, staleSince: null });
    expect(await types()).toEqual(['CREATED', 'MISSED', 'STALE', 'REVIVED']);
  });

  it('accepts what DigitalOcean\'s spec allows: a provisioning node with droplet_id "", an image without type, an IP without the droplet key', async () => {
    const s = h.sim.state;
    (s.kubernetes[0] as Json).node_pools[0].nodes[2].droplet_id = '';
    const droplet = s.droplets.find((d) => s.backups.has(d.id as number))!;
    const untyped = { ...s.backups.get(droplet.id as number)![0]!, id: 99_999_999, name: 'custom image' };
    delete untyped.type;
    s.backups.get(droplet.id as number)!.push(untyped);
    delete s.reservedIps[0]!.droplet;
    const backups = [...s.backups.values()].flat().filter((b) => b.type === 'backup').length;
    for (const [worker, kind, expected] of [
      ['KUBERNETES', 'k8s_cluster', s.kubernetes.length],
      ['DROPLETS', 'droplet', s.droplets.length + s.gpuDroplets.length],
      ['BACKUPS', 'droplet_backup', backups],
      ['FLOATING_IPS', 'floating_ip', s.reservedIps.length],
    ] as const) {
      const run = await h.run(worker);
      expect([worker, run.status, run.complete, run.skippedItems, run.error]).toEqual([worker, 'SUCCEEDED', true, [], null]);
      expect(await count({ kind })).toBe(expected);
    }
    expect(await h.db.prisma.resource.findFirstOrThrow({ where: { kind: 'floating_ip', providerId: s.reservedIps[0]!.ip as string } })).toMatchObject({
      status: 'unassigned',
    });
  });

  it.each(ODD_ITEMS)('skips one odd $kind item ($path), writes the others, ends SUCCEEDED incomplete and counts no strike', async (c) => {
    await h.run(c.worker);
    const listed = c.list(h.sim.state).length;
    const before = await count({ kind: c.kind });
    expect(before).toBe(listed);
    // One resource gone: a complete run would strike it; this one must not.
    h.sim.script.destroy(c.kind as never, c.key(c.list(h.sim.state)[0]!));
    const odd = c.list(h.sim.state)[0]!;
    const id = c.id(odd);
    c.spoil(odd);
    const run = await h.run(c.worker);
    expect(run).toMatchObject({ status: 'SUCCEEDED', complete: false, error: null, markedMissing: 0, markedStale: 0 });
    expect(run.skippedItems).toEqual([{ providerId: id, path: c.path, message: expect.any(String) }]);
    expect(run.fetched).toBe(listed - 2);
    expect(await count({ kind: c.kind, lifecycle: 'ACTIVE' })).toBe(before);
  });

  it('skips an odd project resource: memberships stay and neither projects nor placeholders take a strike', async () => {
    await h.run('PROJECTS');
    const s = h.sim.state;
    const bucket = [...s.membership.keys()].find((u) => u.startsWith('do:space:'))!.slice('do:space:'.length);
    h.sim.script.destroy('spaces_bucket', bucket);
    s.membership.set('not-a-urn', { projectId: s.projects[0]!.id as string, assignedAt: '2026-01-01T00:00:00Z', selfPath: null });
    try {
      const run = await h.run('PROJECTS');
      expect(run).toMatchObject({ status: 'SUCCEEDED', complete: false, error: null, markedMissing: 0 });
      expect(run.skippedItems).toEqual([{ providerId: 'not-a-urn', path: 'urn', message: expect.any(String) }]);
      expect(await h.db.prisma.projectMembership.count({ where: { urn: `do:space:${bucket}` } })).toBe(1);
      expect(await h.db.prisma.resource.findFirstOrThrow({ where: { kind: 'spaces_bucket', providerId: bucket } })).toMatchObject({
        lifecycle: 'ACTIVE',
        missedSyncs: 0,
      });
    } finally {
      s.membership.delete('not-a-urn');
    }
    expect(await h.run('PROJECTS')).toMatchObject({ complete: true, markedMissing: 1 });
  });

  it('fails a worker whose token lacks the scope with an error naming the scope', async () => {
    h.sim.script.faults.denyScope('database:read');
    const denied = await h.run('DATABASES');
    expect(denied).toMatchObject({ status: 'FAILED', complete: false });
    expect(denied.error).toMatch(/403/);
    expect(denied.error).toContain('database:read');
    expect(await count({ kind: 'managed_db' })).toBe(0);
    expect((await h.run('VPCS')).status).toBe('SUCCEEDED');
  });

  it('counts no strike when a listing fails on page 2 or drowns in 429s', async () => {
    h.sim.script.create('droplet', {});
    await h.run('DROPLETS');
    const victim = h.sim.state.droplets[0]!;
    h.sim.script.destroy('droplet', victim.id as number);
    // Two pages at per_page 200 need more than 200 droplets.
    for (let i = 0; i < 200; i++) h.sim.script.create('droplet', {});
    h.sim.script.faults.failPage('/v2/droplets', 2, 500, 10);
    const failed = await h.run('DROPLETS');
    expect(failed.status).toBe('FAILED');
    expect(failed.complete).toBe(false);
    expect(failed.error).toMatch(/\/v2\/droplets.*500.*incomplete/);
    expect(failed.markedMissing).toBe(0);
    const row = await h.db.prisma.resource.findFirstOrThrow({ where: { kind: 'droplet', providerId: String(victim.id) } });
    expect(row).toMatchObject({ lifecycle: 'ACTIVE', missedSyncs: 0 });

    h.sim.script.faults.clear();
    h.sim.script.faults.rateLimitBurst(1_000, 0);
    const limited = await h.run('DROPLETS');
    expect(limited.status).toBe('FAILED');
    expect((await h.db.prisma.resource.findFirstOrThrow({ where: { id: row.id } })).missedSyncs).toBe(0);

    h.sim.script.faults.clear();
    const ok = await h.run('DROPLETS');
    expect(ok.status).toBe('SUCCEEDED');
    expect(ok.markedMissing).toBe(1);
  });
});

describe.each(testDatabaseTargets())('the first start on $name', (target) => {
  it('writes each resource once, with its final tenant: no TENANT_CHANGED or PROJECT_CHANGED in the first inventory', async () => {
    const sim = createSimulator({ seed: 11 });
    await sim.start();
    const db = await target.open();
    const t = await startTestApp(
      db,
      { DIGITALOCEAN_TOKEN: 'test-token', SYNC_SCHEDULE_INVOICES: 'off' },
      {
        sync: { runOnStart: true },
        doClient: { baseUrl: sim.url, token: 'test-token', limits: { pathLimits: [] } },
      },
    );
    try {
      await soleAccount(t.app).sync!.startupDone();
      const runs = await db.prisma.syncRun.findMany({ where: { trigger: 'STARTUP' } });
      expect(runs.map((r) => [r.worker, r.status]).sort()).toEqual(
        [
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
        ]
          .map((w) => [w, 'SUCCEEDED'])
          .sort(),
      );
      const byType = await db.prisma.resourceEvent.groupBy({ by: ['type'], _count: true });
      expect(Object.fromEntries(byType.map((g) => [g.type, g._count]))).toEqual({ CREATED: await db.prisma.resource.count() });
      // The rule applied again changes nothing: every row was written with its final tenant and project.
      const sweep = await soleAccount(t.app).sync!.run('PROJECTS', 'MANUAL');
      expect('run' in sweep && sweep.run.status).toBe('SUCCEEDED');
      expect(await db.prisma.resourceEvent.count({ where: { type: { in: ['TENANT_CHANGED', 'PROJECT_CHANGED'] } } })).toBe(0);
      expect(await db.prisma.resource.count({ where: { projectId: { not: null } } })).toBeGreaterThan(0);
      expect(await db.prisma.resource.count({ where: { kind: 'droplet_backup', projectId: { not: null } } })).toBeGreaterThan(0);
    } finally {
      await t.stop();
      await db.close();
      await sim.stop();
    }
  });
});
