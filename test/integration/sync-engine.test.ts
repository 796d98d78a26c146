import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '../helpers/db.js';
import { startSyncHarness, type SyncHarness } from '../helpers/sync.js';

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
    const r = await h.gql(`{ resources(filter: { kinds: [DNS_ZONE] }, first: 1, orderBy: { field: NAME, direction: ASC }) { edges { node { name lastSeenAt } } } }`);
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
    const types = async () => (await h.db.prisma.resourceEvent.findMany({ where: { resourceId: (await row()).id }, orderBy: { sequence: 'asc' } })).map((e) => e.type);

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
