import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '../helpers/db.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { seedInventory } from '../helpers/seed.js';
import { soleAccount } from '../helpers/sole-account.js';

const RESOURCES = 600;

describe.each(testDatabaseTargets())('read API on $name', (target) => {
  let t: TestApp;
  let seeded: Awaited<ReturnType<typeof seedInventory>>;

  beforeAll(async () => {
    t = await startTestApp(await target.open());
    seeded = await seedInventory(t.db, { accountId: soleAccount(t.app).id, resources: RESOURCES, projects: 20, staleEvery: 50 });
  });
  afterAll(async () => {
    await t.stop();
    await t.db.close();
  });

  it('hides stale resources by default and counts them when asked', async () => {
    const r = await t.gql(
      `{ all: resources { totalCount } stale: resources(filter: { lifecycle: [STALE] }) { totalCount edges { node { lifecycle missedSyncs staleSince } } } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.all.totalCount).toBe(RESOURCES - RESOURCES / 50);
    expect(r.data.stale.totalCount).toBe(RESOURCES / 50);
    expect(r.data.stale.edges.every((e: any) => e.node.lifecycle === 'STALE' && e.node.missedSyncs === 3 && e.node.staleSince)).toBe(true);
  });

  it('pages through every resource exactly once in the requested order', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const r: any = await t.gql(
        `query($after: String) { resources(first: 100, after: $after, orderBy: { field: NAME, direction: DESC }) { pageInfo { hasNextPage endCursor } edges { node { name } } } }`,
        { after },
      );
      expect(r.errors).toBeUndefined();
      seen.push(...r.data.resources.edges.map((e: any) => e.node.name));
      if (!r.data.resources.pageInfo.hasNextPage) break;
      after = r.data.resources.pageInfo.endCursor;
    }
    expect(seen.length).toBe(RESOURCES - RESOURCES / 50);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('applies every filter', async () => {
    const tenant = seeded.tenants[1]!;
    const project = seeded.projects[3]!;
    const tenantGid = Buffer.from(`Tenant:${tenant.id}`).toString('base64');
    const projectGid = Buffer.from(`Project:${project.id}`).toString('base64');
    const r = await t.gql(
      `query($t: ID, $p: ID) {
        kinds: resources(filter: { kinds: [DROPLET, VOLUME] }) { totalCount edges { node { kind } } }
        tenant: resources(filter: { tenantId: $t }) { totalCount edges { node { tenant { slug } } } }
        project: resources(filter: { projectId: $p }) { totalCount edges { node { project { name } } } }
        unattributed: resources(filter: { unattributed: true }) { totalCount edges { node { tenantSource } } }
        status: resources(filter: { status: ["OFF"] }) { totalCount edges { node { status } } }
        region: resources(filter: { region: "fra1" }) { totalCount edges { node { region } } }
        search: resources(filter: { search: "DROPLET-00001" }) { totalCount edges { node { name } } }
        placeholder: resources(filter: { placeholder: true }) { totalCount }
      }`,
      { t: tenantGid, p: projectGid },
    );
    expect(r.errors).toBeUndefined();
    const d = r.data;
    expect(d.kinds.totalCount).toBeGreaterThan(0);
    expect(d.kinds.edges.every((e: any) => ['DROPLET', 'VOLUME'].includes(e.node.kind))).toBe(true);
    expect(d.tenant.edges.every((e: any) => e.node.tenant.slug === tenant.slug)).toBe(true);
    expect(d.tenant.totalCount).toBeGreaterThan(0);
    expect(d.project.edges.every((e: any) => e.node.project.name === project.name)).toBe(true);
    expect(d.unattributed.edges.every((e: any) => ['NONE', 'FALLBACK'].includes(e.node.tenantSource))).toBe(true);
    expect(d.unattributed.totalCount).toBeGreaterThan(0);
    expect(d.status.edges.every((e: any) => e.node.status === 'off')).toBe(true);
    expect(d.region.edges.every((e: any) => e.node.region === 'fra1')).toBe(true);
    expect(d.search.edges.every((e: any) => e.node.name.includes('droplet-00001'))).toBe(true);
    expect(d.search.totalCount).toBeGreaterThan(0);
    expect(d.placeholder.totalCount).toBe(0);
  });

  it('finds nodes by global id and rejects malformed ids with a reason', async () => {
    const first = await t.gql(`{ resources(first: 2) { edges { node { id urn } } } }`);
    const ids = first.data.resources.edges.map((e: any) => e.node.id);
    const r = await t.gql(`query($id: ID!, $ids: [ID!]!) { node(id: $id) { id ... on Resource { urn } } nodes(ids: $ids) { id } }`, {
      id: ids[0],
      ids,
    });
    expect(r.errors).toBeUndefined();
    expect(r.data.node.urn).toBe(first.data.resources.edges[0].node.urn);
    expect(r.data.nodes.map((n: any) => n.id)).toEqual(ids);

    for (const bad of ['garbage!', Buffer.from('Resource:not-a-uuid').toString('base64'), Buffer.from('Nope:1').toString('base64')]) {
      const e = await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: bad });
      expect(e.errors?.[0]?.extensions?.code).toBe('INVALID_ID');
    }
    const wrongType = await t.gql(`query($p: ID) { resources(filter: { projectId: $p }) { totalCount } }`, {
      p: Buffer.from(`Tenant:${seeded.tenants[0]!.id}`).toString('base64'),
    });
    expect(wrongType.errors?.[0]?.message).toMatch(/expected a Project id/);
  });

  it('refuses pages over 100 with a message instead of a 500', async () => {
    const r = await t.gql(`{ resources(first: 101) { totalCount edges { node { id } } } }`);
    expect(r.errors?.[0]?.message).toMatch(/first must be between 0 and 100/);
    const nested = await t.gql(`{ tenants(first: 1) { edges { node { resources(first: 500) { totalCount } } } } }`);
    expect(nested.errors?.[0]?.message).toMatch(/first must be between 0 and 100/);
    const unknownEnum = await t.gql(`{ resources(filter: { kinds: [TOASTER] }) { totalCount } }`);
    expect(unknownEnum.errors?.[0]?.message).toMatch(/TOASTER/);
  });

  it('loads a page of 100 resources with project and tenant in a constant number of statements', async () => {
    const query = `query($n: Int) { resources(first: $n) { totalCount edges { node { name project { name tenant { slug } } tenant { slug isFallback } } } } }`;
    const counts: number[] = [];
    for (const n of [5, 100]) {
      const counter = t.db.countQueries();
      const r = await t.gql(query, { n });
      counter.stop();
      expect(r.errors).toBeUndefined();
      expect(r.data.resources.edges).toHaveLength(n);
      counts.push(counter.count);
    }
    expect(counts[1]).toBe(counts[0]);
    expect(counts[1]).toBeLessThanOrEqual(6);
  });

  it('loads pages of events and sync runs with their relations in a constant number of statements', async () => {
    const accountId = soleAccount(t.app).id;
    const run = await t.db.prisma.syncRun.create({ data: { accountId, worker: 'DROPLETS', trigger: 'MANUAL' } });
    const resources = await t.db.prisma.resource.findMany({ take: 150, select: { id: true, kind: true } });
    await t.db.prisma.resourceEvent.createMany({
      data: resources.map((r) => ({ accountId, resourceId: r.id, kind: r.kind, type: 'CREATED' as const, syncRunId: run.id })),
    });
    const query = `query($n: Int) {
      resourceEvents(first: $n) { totalCount edges { node { sequence type resource { name tenant { slug } project { name } } syncRun { worker status } } } }
      syncRuns(first: $n) { totalCount edges { node { worker status } } } }`;
    const counts: number[] = [];
    for (const n of [5, 100]) {
      const counter = t.db.countQueries();
      const r = await t.gql(query, { n });
      counter.stop();
      expect(r.errors).toBeUndefined();
      expect(r.data.resourceEvents.edges).toHaveLength(n);
      counts.push(counter.count);
    }
    expect(counts[1]).toBe(counts[0]);
  });

  it('resolves any URN alias to the same resource', async () => {
    const ip = await t.db.prisma.resource.findFirstOrThrow({ where: { kind: 'floating_ip' } });
    const r = await t.gql(
      `query($a: String!, $b: String!) { a: resourceByUrn(urn: $a) { id } b: resourceByUrn(urn: $b) { id } none: resourceByUrn(urn: "not-a-urn") { id } }`,
      {
        a: `do:floatingip:${ip.providerId}`,
        b: `do:reservedip:${ip.providerId}`,
      },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.a.id).toBeTruthy();
    expect(r.data.b.id).toBe(r.data.a.id);
    expect(r.data.none).toBeNull();
  });

  it('summarises the inventory per kind and lifecycle', async () => {
    const r = await t.gql(`{ inventorySummary { total unattributed byKind { kind active missing stale } } }`);
    expect(r.errors).toBeUndefined();
    const s = r.data.inventorySummary;
    expect(s.total).toBe(RESOURCES);
    const sum = s.byKind.reduce((n: number, k: any) => n + k.active + k.missing + k.stale, 0);
    expect(sum).toBe(RESOURCES);
    expect(s.byKind.reduce((n: number, k: any) => n + k.stale, 0)).toBe(RESOURCES / 50);
    expect(s.unattributed).toBe(await t.db.prisma.resource.count({ where: { OR: [{ tenantId: null }, { tenant: { isFallback: true } }] } }));
  });

  it('lists tenants and projects, and finds a tenant by slug', async () => {
    const tenantGid = Buffer.from(`Tenant:${seeded.tenants[0]!.id}`).toString('base64');
    const r = await t.gql(
      `query($t: ID) { tenants { totalCount edges { node { slug isFallback } } } tenant(slug: "tenant-0") { name projects { totalCount } resources(first: 3) { totalCount edges { node { tenant { slug } } } } } projects(tenantId: $t) { totalCount edges { node { tenant { slug } isDefault lifecycle } } } }`,
      { t: tenantGid },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.tenants.totalCount).toBe(6);
    expect(r.data.tenants.edges.filter((e: any) => e.node.isFallback)).toHaveLength(1);
    expect(r.data.tenant.name).toBe('Tenant 0');
    expect(r.data.tenant.projects.totalCount).toBe(r.data.projects.totalCount);
    expect(r.data.projects.edges.every((e: any) => e.node.tenant.slug === 'tenant-0')).toBe(true);
    expect(r.data.tenant.resources.edges.every((e: any) => e.node.tenant.slug === 'tenant-0')).toBe(true);
  });
});
