import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assign } from '../../src/simulator/account.js';
import { testDatabaseTargets } from '../helpers/db.js';
import { startSyncHarness, type SyncHarness } from '../helpers/sync.js';

describe.each(testDatabaseTargets())('attribution on $name', (target) => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await startSyncHarness(await target.open());
  });
  afterEach(async () => {
    await h.stop();
    await h.db.close();
  });

  const resource = (kind: string, providerId: string) =>
    h.db.prisma.resource.findFirstOrThrow({ where: { kind: kind as never, providerId }, include: { project: true, tenant: true } });
  const projectOf = (urn: string) => h.sim.state.membership.get(urn)?.projectId ?? null;

  it('gives floating IPs their project whether the URN says floatingip or reservedip', async () => {
    const ips = h.sim.state.reservedIps.map((ip) => String(ip.ip));
    const reservedAlias = ips.filter((ip) => h.sim.state.membership.has(`do:reservedip:${ip}`));
    expect(reservedAlias.length).toBeGreaterThan(0);
    await h.run('PROJECTS');
    await h.run('FLOATING_IPS');
    for (const ip of ips) {
      const expected = projectOf(`do:floatingip:${ip}`) ?? projectOf(`do:reservedip:${ip}`);
      expect((await resource('floating_ip', ip)).project?.providerId ?? null).toBe(expected);
    }
  });

  it('attributes a droplet created between two sweeps the same whichever worker runs first', async () => {
    await h.run('PROJECTS');
    await h.run('DROPLETS');
    const a = h.sim.script.create('droplet', { name: 'between-sweeps-a' });
    const b = h.sim.script.create('droplet', { name: 'between-sweeps-b' });
    const project = projectOf(`do:droplet:${a.id}`);
    expect(project).not.toBeNull();

    // a: the droplet worker sees it first, the project sweep second.
    await h.run('DROPLETS');
    expect((await resource('droplet', String(a.id))).tenantSource).toBe('FALLBACK');
    await h.run('PROJECTS');
    const ra = await resource('droplet', String(a.id));
    expect(ra.project?.providerId).toBe(project);

    // b was synced by the same two runs; a third droplet sees the sweep first.
    const c = h.sim.script.create('droplet', { name: 'between-sweeps-c' });
    await h.run('PROJECTS');
    await h.run('DROPLETS');
    const rc = await resource('droplet', String(c.id));
    expect(rc.project?.providerId).toBe(project);
    expect([rc.tenantSource, rc.tenantId]).toEqual([ra.tenantSource, ra.tenantId]);
    expect((await resource('droplet', String(b.id))).project?.providerId).toBe(project);
    const cEvents = await h.db.prisma.resourceEvent.findMany({ where: { resourceId: rc.id } });
    expect(cEvents.map((e) => e.type)).toEqual(['CREATED']);
    expect(cEvents[0]!.projectId).toBe(rc.projectId);
  });

  it('follows the project tenant, sends orphans to the fallback tenant, and backups and snapshots follow their parent', async () => {
    await h.run('PROJECTS');
    const tenant = await h.db.prisma.tenant.create({ data: { slug: 'acme', name: 'Acme' } });
    await h.db.prisma.project.updateMany({ where: { accountId: h.accountId }, data: { tenantId: tenant.id } });
    await h.run('PROJECTS');
    await h.run('DROPLETS');
    await h.run('VOLUMES');
    await h.run('BACKUPS');
    await h.run('SNAPSHOTS');

    const droplets = await h.db.prisma.resource.findMany({ where: { kind: 'droplet' } });
    for (const d of droplets) {
      const inProject = projectOf(`do:droplet:${d.providerId}`) !== null;
      expect([d.providerId, d.tenantSource, d.tenantId]).toEqual(
        inProject ? [d.providerId, 'PROJECT', tenant.id] : [d.providerId, 'FALLBACK', h.app.services().fallbackTenantId],
      );
    }
    expect(droplets.some((d) => d.tenantSource === 'FALLBACK')).toBe(true);

    const children = await h.db.prisma.resource.findMany({ where: { kind: { in: ['droplet_backup', 'snapshot'] } } });
    expect(children.length).toBeGreaterThan(0);
    for (const child of children) {
      const own = h.sim.state.membership.get(child.urn);
      if (own) {
        expect(child.tenantSource).toBe('PROJECT');
        continue;
      }
      const parent = await h.db.prisma.resource.findFirst({ where: { urn: child.parentUrn ?? '' } });
      if (!parent) {
        expect(child.tenantSource).toBe('FALLBACK');
        continue;
      }
      expect([child.urn, child.projectId, child.tenantId]).toEqual([child.urn, parent.projectId, parent.tenantId]);
    }
    const backup = children.find((c) => c.kind === 'droplet_backup')!;
    expect(backup.attrs).toMatchObject({ droplet_id: expect.any(String), droplet_name: expect.any(String) });
  });

  it('keeps volume snapshots that are in a project under their own project', async () => {
    const inProject = [...h.sim.state.membership.keys()].filter((u) => u.startsWith('do:volumesnapshot:'));
    expect(inProject.length).toBeGreaterThan(0);
    await h.run('PROJECTS');
    await h.run('SNAPSHOTS');
    for (const urn of inProject) {
      const id = urn.slice('do:volumesnapshot:'.length);
      const row = await resource('snapshot', id);
      expect(row.urn).toBe(urn);
      expect(row.project?.providerId).toBe(projectOf(urn));
    }
  });

  it('keeps unknown URN types as memberships and never crashes on them', async () => {
    await h.run('PROJECTS');
    const unknown = await h.db.prisma.projectMembership.findMany({ where: { kind: null } });
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown.every((m) => m.urn.startsWith('do:') && m.urnType !== '')).toBe(true);
  });

  it('moves a resource to its new project and records PROJECT_CHANGED when DigitalOcean moves it', async () => {
    await h.run('PROJECTS');
    await h.run('DOMAINS');
    const domain = h.sim.state.domains.find((d) => projectOf(`do:domain:${d.name}`) !== null)!;
    const other = h.sim.state.projects.find((p) => String(p.id) !== projectOf(`do:domain:${domain.name}`))!;
    assign(h.sim.state, 'dns_zone', domain, String(other.id));
    await h.run('PROJECTS');
    const row = await resource('dns_zone', String(domain.name));
    expect(row.project?.providerId).toBe(String(other.id));
    const events = await h.db.prisma.resourceEvent.findMany({ where: { resourceId: row.id, type: 'PROJECT_CHANGED' } });
    expect(events).toHaveLength(1);
    // Stored by id; shown as the provider id (`ResourceEvent.to`).
    expect(events[0]!.to).toBe(row.project!.id);
    expect(row.project!.providerId).toBe(String(other.id));
  });
});
