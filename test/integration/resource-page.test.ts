import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { type Database, openDatabase } from '../../src/db/index.js';
import { hashApiKey } from '../../src/auth.js';
import { createLogger } from '../../src/log.js';
import type { Viewing } from '../../src/scope.js';
import { projectScope, tenantScope } from '../../src/scope.js';
import type { Context } from '../../src/context.js';
import { type ResourceFilter, type ResourceOrder, resourceOrderBy, resourceWhere } from '../../src/schema/resource-filter.js';
import { testConfig } from '../helpers/app.js';
import { testDatabaseTargets } from '../helpers/db.js';
import { type GqlResult, gql } from '../helpers/gql.js';
import { seedInventory } from '../helpers/seed.js';
import { soleAccount } from '../helpers/sole-account.js';
import { startNoTokenApp } from '../helpers/accounts.js';

const ADMIN = 'admin-key-for-resource-page-tests';
const SCOPED = 'tenant-one-key-for-resource-page-tests';

type Node = { id: string; name: string; project: { name: string; tenant: { slug: string } | null } | null; tenant: { slug: string } | null };
type Page = {
  resources: {
    totalCount: number;
    pageInfo: { endCursor: string | null; startCursor: string | null; hasNextPage: boolean; hasPreviousPage: boolean };
    edges: { node: Node }[];
  };
};
const PAGE = `query($first: Int, $after: String, $last: Int, $before: String, $filter: ResourceFilter, $orderBy: ResourceOrder) {
  resources(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { startCursor endCursor hasNextPage hasPreviousPage }
    edges { node { id name project { name tenant { slug } } tenant { slug } } } } }`;

/** Filters as a client sends them: kinds by their GraphQL names (DROPLET). */
type Filter = Omit<ResourceFilter, 'kinds'> & { kinds?: string[] };
const FILTERS: (Filter | null)[] = [
  null,
  { lifecycle: ['ACTIVE', 'MISSING', 'STALE'] },
  { lifecycle: ['STALE'] },
  { kinds: ['DROPLET', 'VOLUME'] },
  { unattributed: true },
  { unattributed: false, region: 'fra1' },
  { status: ['OFF'] },
  { placeholder: true },
  { search: 'PCT%' },
  { search: 'under_' },
  { search: '0001' },
];
const ORDERS: (ResourceOrder | null)[] = [
  null,
  { field: 'NAME', direction: 'DESC' },
  { field: 'KIND', direction: 'ASC' },
  { field: 'LAST_SEEN_AT', direction: 'DESC' },
  { field: 'FIRST_SEEN_AT', direction: 'ASC' },
];

/**
 * The resources page is one SQL statement written by hand (src/read/resource-page.ts). Its
 * rows, order, cursors and relations must be exactly what the Prisma conditions of the same
 * filter, order and scope select (`resourceWhere`, `resourceOrderBy`, `projectScope`,
 * `tenantScope`), for an unscoped key and a tenant-scoped one, paging forward and backward.
 */
describe.each(testDatabaseTargets())('the resources page statement on $name', (target) => {
  let db: Database;
  let app: App;
  let accountId: string;
  let tenantId: string;

  beforeAll(async () => {
    db = await target.open();
    app = buildApp(testConfig({ ADMIN_API_KEY: ADMIN }), { database: db, listen: false, logger: createLogger('silent'), sync: false });
    await app.start();
    accountId = soleAccount(app).id;
    const { tenants, projects } = await seedInventory(db, { accountId, resources: 240, projects: 9, tenants: 3, staleEvery: 7 });
    tenantId = tenants[1]!.id;
    await db.prisma.apiKey.create({ data: { name: 'tenant one', keyHash: hashApiKey(SCOPED), role: 'VIEWER', tenantId } });
    const rows = await db.prisma.resource.findMany({ orderBy: { name: 'asc' } });
    const fallback = await db.prisma.tenant.findFirstOrThrow({ where: { isFallback: true } });
    // Ties on every order column, a manual override into tenant one from another tenant's project,
    // the fallback tenant, missing and placeholder rows, and names holding LIKE's wildcards.
    for (const [i, r] of rows.entries()) {
      const data: Record<string, unknown> = {};
      if (i % 5 === 0) Object.assign(data, { name: 'same-name', lastSeenAt: new Date(Date.UTC(2026, 1, 1)), firstSeenAt: new Date(Date.UTC(2026, 1, 1)) });
      if (i % 11 === 0) Object.assign(data, { tenantId, tenantSource: 'MANUAL', projectId: projects[0]!.id });
      if (i % 13 === 0) Object.assign(data, { tenantId: fallback.id, tenantSource: 'FALLBACK', projectId: null });
      if (i % 17 === 0) Object.assign(data, { lifecycle: 'MISSING', missedSyncs: 1 });
      if (i % 19 === 0) data.placeholder = true;
      if (i === 3) data.name = 'a 100PCT% match';
      if (i === 4) data.name = 'under_score';
      if (i === 6) data.name = 'underXscore';
      if (Object.keys(data).length) await db.prisma.resource.update({ where: { id: r.id }, data });
    }
  });
  afterAll(async () => {
    await app?.stop();
    await db?.close();
  });

  /** What Prisma selects for the same filter, order and scope, as the page shows it. */
  async function expected(viewerTenant: string | null, filter: Filter | null, order: ResourceOrder | null) {
    const ctx = { accountIds: [accountId], viewer: { tenantId: viewerTenant } } as Viewing as Context;
    // GraphQL's enum values (DROPLET) are the database's (droplet) in resolvers.
    const internal: ResourceFilter | null = filter && { ...filter, kinds: filter.kinds?.map((k) => k.toLowerCase()) as ResourceFilter['kinds'] };
    const rows = await db.prisma.resource.findMany({
      where: resourceWhere(ctx, internal),
      orderBy: resourceOrderBy(order),
      include: { project: { where: projectScope(ctx), include: { tenant: { where: tenantScope(ctx) } } }, tenant: { where: tenantScope(ctx) } },
    });
    return rows.map((r) => ({
      name: r.name,
      project: r.project ? { name: r.project.name, tenant: r.project.tenant ? { slug: r.project.tenant.slug } : null } : null,
      tenant: r.tenant ? { slug: r.tenant.slug } : null,
    }));
  }

  const shown = (n: Node) => ({ name: n.name, project: n.project, tenant: n.tenant });

  for (const [who, key] of [
    ['an unscoped key', ADMIN],
    ['a tenant-scoped key', SCOPED],
  ] as const) {
    it(`pages forward and backward through every filter and order like Prisma, for ${who}`, async () => {
      let compared = 0;
      for (const filter of FILTERS) {
        for (const orderBy of ORDERS) {
          const want = await expected(key === SCOPED ? tenantId : null, filter, orderBy);
          const forward: Node[] = [];
          let after: string | null = null;
          let pages = 0;
          for (;;) {
            const r: GqlResult<Page> = await gql<Page>(app, PAGE, { first: 13, after, filter, orderBy }, key);
            expect(r.errors, JSON.stringify({ filter, orderBy, errors: r.errors })).toBeUndefined();
            expect(r.data.resources.totalCount).toBe(want.length);
            expect(r.data.resources.pageInfo.hasPreviousPage).toBe(after !== null);
            forward.push(...r.data.resources.edges.map((e) => e.node));
            pages++;
            if (!r.data.resources.pageInfo.hasNextPage) break;
            after = r.data.resources.pageInfo.endCursor;
          }
          expect(forward.map(shown), JSON.stringify({ filter, orderBy })).toEqual(want);
          expect(pages).toBe(Math.max(1, Math.ceil(want.length / 13)));

          const backward: Node[] = [];
          let before: string | null = null;
          for (;;) {
            const r: GqlResult<Page> = await gql<Page>(app, PAGE, { last: 13, before, filter, orderBy }, key);
            expect(r.errors).toBeUndefined();
            backward.unshift(...r.data.resources.edges.map((e) => e.node));
            if (!r.data.resources.pageInfo.hasPreviousPage) break;
            before = r.data.resources.pageInfo.startCursor;
          }
          expect(backward.map(shown), JSON.stringify({ filter, orderBy, backward: true })).toEqual(want);
          compared += want.length;
        }
      }
      // The corpus really exercises the page: rows compared across filters and orders.
      expect(compared).toBeGreaterThan(1_000);
    });
  }

  it('a tenant-scoped key sees a manually reassigned resource without its project, and every relation scoped', async () => {
    const r = await gql<Page>(app, PAGE, { first: 100, filter: { lifecycle: ['ACTIVE', 'MISSING', 'STALE'] } }, SCOPED);
    const nodes = r.data.resources.edges.map((e) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((n) => n.tenant?.slug === 'tenant-1')).toBe(true);
    expect(nodes.some((n) => n.project === null)).toBe(true);
    expect(nodes.every((n) => n.project === null || n.project.tenant?.slug === 'tenant-1')).toBe(true);
  });

  it("searches for a substring: LIKE's wildcards in the search are plain characters, in the page, its count and the summary", async () => {
    for (const [search, names] of [
      ['under_', ['under_score']],
      ['PCT%', ['a 100PCT% match']],
    ] as const) {
      const r = await gql<Page & { inventorySummary: { total: number } }>(
        app,
        `query($filter: ResourceFilter) { resources(filter: $filter) { totalCount edges { node { name } } } inventorySummary(filter: $filter) { total } }`,
        { filter: { search } },
        ADMIN,
      );
      expect(r.errors).toBeUndefined();
      expect(r.data.resources.edges.map((e) => e.node.name)).toEqual(names);
      expect([r.data.resources.totalCount, r.data.inventorySummary.total]).toEqual([1, 1]);
    }
  });

  it('reads only the columns its fields need, and answers every selection as the same resources looked up by id', async () => {
    const R =
      'fragment R on Resource { id urn kind providerId name status region attrs placeholder tenantSource lifecycle missedSyncs staleSince firstSeenAt lastSeenAt providerCreatedAt }';
    const P = 'fragment P on Project { id name providerId description purpose environment isDefault lifecycle tenant { ...T } }';
    const T = 'fragment T on Tenant { id slug name isFallback }';
    // A selection, and the fragments it spreads.
    const selections: [string, string[]][] = [
      ['...R project { ...P } tenant { ...T }', [R, P, T]],
      ['name', []],
      ['... on Node { id } ... on Resource { lastSeenAt project { name } }', []],
      // Relations the page statement does not build: Pothos loads them from the page's rows.
      ['name project { name resources(first: 2) { totalCount } } tenant { slug projects { totalCount } }', []],
      ['name events(first: 1) { totalCount } tenant { __typename slug }', []],
    ];
    for (const key of [ADMIN, SCOPED]) {
      for (const [selection, spread] of selections) {
        const page = await gql<{ resources: { edges: { node: { id: string } }[] } }>(
          app,
          `query($filter: ResourceFilter) { resources(first: 40, filter: $filter) { edges { ... on ResourceEdge { node { id ${selection} } } } } } ${spread.join(' ')}`,
          { filter: { lifecycle: ['ACTIVE', 'MISSING', 'STALE'] } },
          key,
        );
        expect(page.errors, selection).toBeUndefined();
        const nodes = page.data.resources.edges.map((e) => e.node);
        expect(nodes.length, selection).toBeGreaterThan(key === ADMIN ? 39 : 5);
        const byId = await gql<{ nodes: unknown[] }>(
          app,
          `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Resource { id ${selection} } } } ${spread.join(' ')}`,
          { ids: nodes.map((n) => n.id) },
          key,
        );
        expect(byId.errors, selection).toBeUndefined();
        expect(nodes, selection).toEqual(byId.data.nodes);
      }
    }
  });

  it('answers a page, its project and tenant in one statement, and a malformed or unknown cursor with an empty page', async () => {
    const counter = db.countQueries();
    const r = await gql<Page>(
      app,
      `{ resources(first: 100) { edges { node { id name status kind region project { name tenant { slug name } } tenant { slug name } } } } }`,
      {},
      ADMIN,
    );
    counter.stop();
    expect(r.data.resources.edges).toHaveLength(100);
    expect(counter.count).toBe(1);
    const unknown = Buffer.from('GPC:S:00000000-0000-4000-8000-000000000000').toString('base64');
    const notUuid = Buffer.from('GPC:S:nope').toString('base64');
    for (const after of [unknown, notUuid]) {
      const page = await gql<Page>(app, PAGE, { first: 5, after }, ADMIN);
      expect(page.errors).toBeUndefined();
      expect(page.data.resources.edges).toEqual([]);
    }
  });
});

describe('the resources page on an embedded database the server migrated itself', () => {
  it('filters by enum lists (lifecycle, kinds) right after the migrations created those types', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'resource-page-'));
    const db = await openDatabase({ databaseUrl: null, dataDir: dir });
    const app = buildApp(testConfig(), { database: db, listen: false, logger: createLogger('silent'), sync: false });
    try {
      await app.start();
      await seedInventory(db, { accountId: soleAccount(app).id, resources: 20, projects: 2, tenants: 1, staleEvery: 4 });
      const r = await gql<Page>(app, `{ resources(first: 100, filter: { kinds: [DROPLET, VOLUME] }) { totalCount edges { node { name } } } }`);
      expect(r.errors).toBeUndefined();
      const all = await gql<Page>(app, `{ resources(first: 100) { totalCount } }`);
      expect(all.errors).toBeUndefined();
      expect(all.data.resources.totalCount).toBe(15);
      expect(r.data.resources.edges.length).toBeGreaterThan(0);
    } finally {
      await app.stop();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.each(testDatabaseTargets())('the resources page of several accounts on $name', (target) => {
  let db: Database;
  let app: Awaited<ReturnType<typeof startNoTokenApp>>['app'];
  let ids: string[];

  beforeAll(async () => {
    db = await target.open();
    ({ app } = await startNoTokenApp(db));
    ids = app.services().accounts.ids.slice();
    const { tenants } = await seedInventory(db, { accountId: ids[0]!, resources: 60, projects: 4, tenants: 2, staleEvery: 9 });
    // The second account's names interleave with the first's and tie with some of them.
    const rows = await db.prisma.resource.findMany({ where: { accountId: ids[0]! } });
    await db.prisma.resource.createMany({
      data: rows.map((r, i) => ({
        accountId: ids[1]!,
        kind: r.kind,
        providerId: `b-${r.providerId}`,
        urn: `${r.urn}-b`,
        name: i % 4 === 0 ? r.name : `${r.name}-b`,
        lifecycle: r.lifecycle,
        tenantId: i % 3 === 0 ? tenants[1]!.id : null,
        firstSeenAt: r.lastSeenAt,
        lastSeenAt: r.firstSeenAt,
      })),
    });
  });
  afterAll(async () => {
    await app?.stop();
    await db?.close();
  });

  it('pages forward and backward through every order like Prisma, over both accounts and over each', async () => {
    expect(ids).toHaveLength(2);
    const gid = (id: string) => Buffer.from(`Account:${id}`).toString('base64');
    for (const accounts of [null, [ids[0]!], [ids[1]!]]) {
      for (const orderBy of ORDERS) {
        const filter = { lifecycle: ['ACTIVE', 'MISSING', 'STALE'], ...(accounts ? { accountIds: accounts.map(gid) } : {}) };
        const ctx = { accountIds: accounts ?? ids, viewer: { tenantId: null } } as Viewing as Context;
        const want = await db.prisma.resource.findMany({
          where: resourceWhere(ctx, { lifecycle: ['ACTIVE', 'MISSING', 'STALE'] }),
          orderBy: resourceOrderBy(orderBy),
          include: { tenant: true },
        });
        const forward: Node[] = [];
        let after: string | null = null;
        for (;;) {
          const r: GqlResult<Page> = await gql<Page>(app, PAGE, { first: 11, after, filter, orderBy });
          expect(r.errors, JSON.stringify({ accounts, orderBy })).toBeUndefined();
          forward.push(...r.data.resources.edges.map((e) => e.node));
          if (!r.data.resources.pageInfo.hasNextPage) break;
          after = r.data.resources.pageInfo.endCursor;
        }
        expect(forward.map((n) => [n.name, n.tenant?.slug ?? null])).toEqual(want.map((r) => [r.name, r.tenant?.slug ?? null]));
        const last = await gql<Page>(app, PAGE, { last: 11, filter, orderBy });
        expect(last.data.resources.edges.map((e) => e.node.name)).toEqual(want.slice(-11).map((r) => r.name));
      }
    }
  });
});
