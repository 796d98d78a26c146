import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { buildApp, type App } from '../../src/app.js';
import type { Database } from '../../src/db/index.js';
import { createLogger } from '../../src/log.js';
import type { ResourceEventMessage } from '../../src/pubsub.js';
import { testConfig } from '../helpers/app.js';
import { testDatabaseTargets } from '../helpers/db.js';
import { ALPHA_KEY, leakedRows, seedTwoTenants } from '../helpers/two-tenants.js';
import { soleAccount } from '../helpers/sole-account.js';

const ADMIN = 'admin-key-for-tenant-scope-tests';
const asAlpha = { authorization: `Bearer ${ALPHA_KEY}` };
const asAdmin = { authorization: `Bearer ${ADMIN}` };

const RESOURCE = `id name urn
  project { id name providerId tenant { id slug name } }
  tenant { id slug name }
  events(first: 50) { totalCount edges { node { id type from to syncRun { id error } } } }`;

/** Every relation, lookup and count a frontend could walk, as alpha's key sees them. */
function corpus(f: Awaited<ReturnType<typeof seedTwoTenants>>): Record<string, string> {
  const allIds = Object.values(f.forbidden)
    .map((markers) => markers.find((m) => /^[A-Za-z0-9+/]+=*$/.test(m) && m.length > 20))
    .filter(Boolean);
  return {
    resources: `{ resources(first: 100, filter: { lifecycle: [ACTIVE, MISSING, STALE] }) { totalCount edges { node { ${RESOURCE} } } } }`,
    projects: `{ projects { totalCount edges { node { id name providerId tenant { slug name } resources { totalCount edges { node { name } } } } } } }`,
    tenants: `{ tenants { totalCount edges { node { id slug name projects { totalCount edges { node { id name providerId } } } resources { totalCount edges { node { name urn } } } } } } }`,
    tenantBySlug: `{ own: tenant(slug: "alpha") { projects { totalCount edges { node { name providerId resources { totalCount edges { node { name } } } } } } } other: tenant(slug: "bravo") { slug name } }`,
    resourceEvents: `{ resourceEvents(first: 100) { totalCount edges { node { id type from to resource { ${RESOURCE} } syncRun { id error } } } } }`,
    costsByProject: `{ costs(period: "2026-01", groupBy: PROJECT) { key label amount } }`,
    costsByTenant: `{ costs(period: "2026-01", groupBy: TENANT) { key label amount } }`,
    costsByResource: `{ costs(period: "2026-01", groupBy: RESOURCE) { key label amount } }`,
    invoices: `{ invoices { edges { node { amount matchStats { lineCount } lines(first: 100) { totalCount edges { node { id description match { id resource { name urn } line { description } } candidates { name urn } } } } } } } }`,
    resourceByUrn: `{ b: resourceByUrn(urn: "do:droplet:7003") { name } m: resourceByUrn(urn: "do:droplet:7004") { name } n: resourceByUrn(urn: "do:droplet:7006") { name } }`,
    node: `{ ${allIds.map((id, i) => `n${i}: node(id: "${id}") { id ... on Tenant { slug name } ... on Project { name providerId } ... on Resource { name urn } ... on ResourceEvent { from to } ... on SyncRun { error } ... on InvoiceLine { description } }`).join(' ')} }`,
    nodes: `{ nodes(ids: ${JSON.stringify(allIds)}) { id } }`,
  };
}

describe.each(testDatabaseTargets())('tenant-scoped keys on $name', (target) => {
  let db: Database;
  let app: App;
  let wsUrl: string;
  let f: Awaited<ReturnType<typeof seedTwoTenants>>;
  const clients: Client[] = [];

  const gql = async (query: string, variables: Record<string, unknown> = {}, headers = asAlpha): Promise<any> => {
    const res = await app.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return res.json();
  };

  beforeAll(async () => {
    db = await target.open();
    app = buildApp(testConfig({ PORT: '0', ADMIN_API_KEY: ADMIN }), { database: db, listen: true, logger: createLogger('silent'), sync: false });
    const { url } = await app.start();
    wsUrl = `${url.replace(/^http/, 'ws')}/graphql`;
    f = await seedTwoTenants(db, soleAccount(app).id);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await app?.stop();
    await db?.close();
  });

  it('leaks no row of another tenant through any relation, lookup or count', async () => {
    const leaks: Record<string, string[]> = {};
    for (const [name, query] of Object.entries(corpus(f))) {
      const r = await gql(query);
      const found = leakedRows(f.forbidden, JSON.stringify(r));
      if (found.length) leaks[name] = found;
    }
    const total = Object.values(leaks).reduce((n, rows) => n + rows.length, 0);
    console.info(`tenant-scope corpus (${target.name}): ${total} forbidden rows leaked`, leaks);
    expect(leaks).toEqual({});
  });

  it('answers the same when its documents run compiled: every corpus query, error and refusal, for both keys', async () => {
    // The same database through an app that never compiles: graphql-js's answers.
    const interpreted = buildApp(testConfig({ ADMIN_API_KEY: ADMIN }), {
      database: db,
      listen: false,
      logger: createLogger('silent'),
      sync: false,
      compileFromExecution: Number.POSITIVE_INFINITY,
    });
    await interpreted.start();
    try {
      const documents = {
        ...corpus(f),
        malformedId: `{ node(id: "not-a-global-id!") { id } }`,
        partlyMalformed: `{ nodes(ids: ["${f.globalId('Resource', f.resources.a1.id)}", "nope"]) { id } }`,
        forbidden: `{ syncRuns { totalCount } syncStatus { worker } }`,
        mutation: `mutation { createTenant(input: { slug: "x" }) { tenant { slug } userErrors { code } } }`,
      };
      const differences: string[] = [];
      for (const headers of [asAlpha, asAdmin]) {
        for (const [name, query] of Object.entries(documents)) {
          if (name === 'mutation' && headers === asAdmin) continue;
          const ask = async (target: App) => {
            const res = await target.fetch('/graphql', {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...headers },
              body: JSON.stringify({ query }),
            });
            return res.json();
          };
          // Its second execution on `app` at the latest runs compiled (COMPILE_FROM_EXECUTION).
          await ask(app);
          const compiled = await ask(app);
          const expected = await ask(interpreted);
          if (!isDeepStrictEqual(compiled, expected)) differences.push(`${name} as ${headers === asAlpha ? 'alpha' : 'admin'}`);
          if (headers === asAlpha) expect(leakedRows(f.forbidden, JSON.stringify(compiled))).toEqual([]);
        }
      }
      expect(differences).toEqual([]);
    } finally {
      await interpreted.stop();
    }
  });

  it('counts only what the key may see', async () => {
    const r = await gql(`{
      resources { totalCount }
      projects { totalCount }
      own: tenant(slug: "alpha") { projects { totalCount } resources { totalCount } }
      resourceEvents { totalCount }
      inventorySummary { total }
    }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.resources.totalCount).toBe(3);
    expect(r.data.inventorySummary.total).toBe(3);
    expect(r.data.projects.totalCount).toBe(1);
    expect(r.data.own.projects.totalCount).toBe(1);
    expect(r.data.own.resources.totalCount).toBe(3);
    // a1 CREATED, a2 CREATED, came TENANT_CHANGED and PROJECT_CHANGED.
    expect(r.data.resourceEvents.totalCount).toBe(4);
  });

  it("a resource of the key in another tenant's project shows no project; a project shows only its own tenant", async () => {
    const r = await gql(
      `query($a2: ID!, $pA: ID!) {
      a2: node(id: $a2) { ... on Resource { name project { name } tenant { slug } } }
      pA: node(id: $pA) { ... on Project { name tenant { slug } } }
    }`,
      { a2: f.globalId('Resource', f.resources.a2.id), pA: f.globalId('Project', f.projects.pA.id) },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.a2).toEqual({ name: 'alpha-manual-in-bravo-project', project: null, tenant: { slug: 'alpha' } });
    expect(r.data.pA).toEqual({ name: 'Alpha Web', tenant: { slug: 'alpha' } });
  });

  it('node() is null for a row outside the scope exactly as for a missing one, and nodes() nulls only those entries', async () => {
    const missing = f.globalId('Resource', '00000000-0000-4000-8000-00000000dead');
    const own = f.globalId('Resource', f.resources.a1.id);
    const otherTenant = f.globalId('Tenant', f.bravo.id);
    const otherResource = f.globalId('Resource', f.resources.b1.id);
    for (const headers of [asAlpha, asAdmin]) {
      const r = await gql(`query($id: ID!) { node(id: $id) { id } }`, { id: missing }, headers);
      expect(r).toEqual({ data: { node: null } });
    }
    const scoped = await gql(`query($t: ID!, $r: ID!) { t: node(id: $t) { id ... on Tenant { slug } } r: node(id: $r) { id } }`, {
      t: otherTenant,
      r: otherResource,
    });
    expect(scoped).toEqual({ data: { t: null, r: null } });
    const admin = await gql(`query($t: ID!) { t: node(id: $t) { ... on Tenant { slug } } }`, { t: otherTenant }, asAdmin);
    expect(admin.data.t).toEqual({ slug: 'bravo' });

    const bad = 'not-a-global-id!';
    const list = await gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [own, missing, otherResource, bad, own] });
    expect(list.data.nodes).toEqual([{ id: own }, null, null, null, { id: own }]);
    expect(list.errors).toHaveLength(1);
    expect(list.errors[0].path).toEqual(['nodes', 3]);
    expect(list.errors[0].extensions.code).toBe('INVALID_ID');
  });

  it("events: only those of the key's tenant while the resource is still there; other tenants' names in from/to are hidden", async () => {
    const r = await gql(`{ resourceEvents(first: 100) { edges { node { sequence type from to resource { name } } } } }`);
    expect(r.errors).toBeUndefined();
    const seen = r.data.resourceEvents.edges.map((e: any) => e.node);
    expect(seen.map((e: any) => e.sequence)).toEqual([f.events.a1Created, f.events.a2Created, f.events.cameIn, f.events.cameProject].map((e) => e.sequence));
    const cameIn = seen.find((e: any) => e.sequence === f.events.cameIn.sequence);
    expect(cameIn).toMatchObject({ type: 'TENANT_CHANGED', from: null, to: 'alpha', resource: { name: 'came-from-bravo' } });
    const cameProject = seen.find((e: any) => e.sequence === f.events.cameProject.sequence);
    expect(cameProject).toMatchObject({ type: 'PROJECT_CHANGED', from: null, to: f.projects.pA.providerId });
    // The operator sees everything as stored.
    const admin = await gql(`{ resourceEvents(first: 100) { totalCount edges { node { from } } } }`, {}, asAdmin);
    expect(admin.data.resourceEvents.totalCount).toBe(9);
    expect(admin.data.resourceEvents.edges.map((e: any) => e.node.from)).toContain('bravo');
  });

  it('subscription catch-up and live delivery follow the same event rule', async () => {
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: asAlpha });
    clients.push(client);
    const received: any[] = [];
    const iterator = client.iterate({
      query: `subscription { resourceEvents(filter: { afterSequence: 0 }) { sequence type from resource { name tenant { slug } } } }`,
    });
    const accountId = soleAccount(app).id;
    const publishNew = async (resourceId: string, tenantId: string) => {
      const row = await db.prisma.resourceEvent.create({
        data: { accountId, resourceId, type: 'STATUS_CHANGED', kind: 'droplet', tenantId, from: 'active', to: 'off' },
      });
      const message: ResourceEventMessage = { ...row, at: row.at.toISOString(), type: row.type, kind: row.kind };
      await app.services().pubsub.publish('resourceEvent', message);
      return row;
    };
    let marker: { sequence: number } | null = null;
    for await (const result of iterator) {
      expect(result.errors).toBeUndefined();
      received.push(result.data!.resourceEvents);
      if (received.length === 4 && !marker) {
        // A live message stamped with alpha's tenant for a resource that is bravo's by now, then one of alpha's.
        await publishNew(f.resources.moved.id, f.alpha.id);
        marker = await publishNew(f.resources.a1.id, f.alpha.id);
      }
      if (marker && (result.data!.resourceEvents as any).sequence === marker.sequence) break;
    }
    const text = JSON.stringify(received);
    expect(leakedRows(f.forbidden, text)).toEqual([]);
    expect(text).not.toContain('moved-to-bravo');
    expect(received.map((e) => e.resource.name)).toEqual(['alpha-web-1', 'alpha-manual-in-bravo-project', 'came-from-bravo', 'came-from-bravo', 'alpha-web-1']);
    expect(received.every((e) => e.resource.tenant.slug === 'alpha')).toBe(true);
  });

  it('sync internals are for unscoped keys only', async () => {
    const r = await gql(`{ syncRuns { totalCount } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const s = await gql(`{ syncStatus { worker } }`);
    expect(s.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const n = await gql(`query($id: ID!) { node(id: $id) { id ... on SyncRun { error } } }`, { id: f.globalId('SyncRun', f.run.id) });
    expect(n).toEqual({ data: { node: null } });
    const e = await gql(`{ resourceEvents(first: 1) { edges { node { syncRun { id } } } } }`);
    expect(e.data.resourceEvents.edges[0].node.syncRun).toBeNull();

    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: asAlpha });
    clients.push(client);
    const sub = client.iterate({ query: `subscription { syncRunUpdated { id error } }` });
    const first = await sub.next().then(
      (r) => r.value,
      (error: unknown) => error,
    );
    expect(JSON.stringify(first)).toContain('FORBIDDEN');
    await sub.return?.();

    const admin = await gql(`{ syncRuns { edges { node { error } } } syncStatus { worker } }`, {}, asAdmin);
    expect(admin.errors).toBeUndefined();
    expect(admin.data.syncRuns.edges[0].node.error).toBe('upstream exploded at 7 am');
  });
});
