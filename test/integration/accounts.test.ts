import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Database } from '../../src/db/index.js';
import { createSimulator } from '../../src/simulator/index.js';
import { centsToDecimal } from '../../src/simulator/invoices.js';
import {
  type AccountsApp,
  type SimulatedTeam,
  accountsEnv,
  byKind,
  sortedInventory,
  startAccountsApp,
  startNoTokenApp,
  startTeams,
  stopTeams,
} from '../helpers/accounts.js';
import { testDatabaseTargets } from '../helpers/db.js';
import type { Edges, GqlResult, UserError } from '../helpers/gql.js';
import { ALL_KIND_WORKERS } from '../helpers/sync.js';

const ADMIN = 'admin-key-for-accounts-0123456789';
const PROD = 'acme-prod';
const EU = 'acme-eu';
const TEAMS = [
  { slug: PROD, name: 'Acme production', seed: 1 },
  { slug: EU, name: 'Acme EU', seed: 2 },
];
/** A closed month both simulated teams invoice. */
const PERIOD = '2026-03';

type TResource = { id: string; kind: string; providerId: string; urn: string; account: { slug: string }; tenant: { slug: string } | null };
type TEvent = { sequence: number; type: string; account: { slug: string }; resource: { id: string; account: { slug: string } } };
type TBucket = { key: string | null; label: string; amount: string; lineCount: number };

const RESOURCE_FIELDS = 'id kind providerId urn account { slug } tenant { slug }';

/** Every page of a connection field (`resources`, `resourceEvents`, ...) with these arguments. */
async function everyNode<T>(
  t: Pick<AccountsApp, 'gql'>,
  field: string,
  args: string,
  fields: string,
  vars: Record<string, unknown>,
  key: string | undefined = ADMIN,
): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  for (;;) {
    const varDecl = Object.keys(vars)
      .map((k) => `, $${k}: ${VAR_TYPES[k]}`)
      .join('');
    const r: GqlResult<{ page: Edges<T> & { pageInfo: { hasNextPage: boolean; endCursor: string | null } } }> = await t.gql(
      `query($after: String${varDecl}) { page: ${field}(first: 50, after: $after${args ? `, ${args}` : ''}) { edges { node { ${fields} } } pageInfo { hasNextPage endCursor } } }`,
      { after, ...vars },
      key,
    );
    expect(r.errors).toBeUndefined();
    out.push(...r.data.page.edges.map((e) => e.node));
    if (!r.data.page.pageInfo.hasNextPage) return out;
    after = r.data.page.pageInfo.endCursor;
  }
}
const VAR_TYPES: Record<string, string> = { filter: 'ResourceFilter', eventFilter: 'ResourceEventFilter', accountIds: '[ID!]' };

const resourcesOf = (t: AccountsApp, filter: Record<string, unknown> = {}, key = ADMIN) =>
  everyNode<TResource>(t, 'resources', 'filter: $filter', RESOURCE_FIELDS, { filter }, key);

describe.each(testDatabaseTargets())('two DigitalOcean accounts in one graph on $name', (target) => {
  let db: Database;
  let teams: SimulatedTeam[];
  let t: AccountsApp;
  let prod: SimulatedTeam;
  let eu: SimulatedTeam;
  /** The tenant owning one project in each account, and its viewer key. */
  let globex: { id: string; gid: string; key: string; projects: Record<string, string> };
  const clients: Client[] = [];

  const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
  const accountIdOf = (slug: string) => t.account(slug).id;
  /** The non-default project with most members in a team (its provider id). */
  const busiestProject = (team: SimulatedTeam) => {
    const counts = new Map<string, number>();
    for (const m of team.sim.state.membership.values()) counts.set(m.projectId, (counts.get(m.projectId) ?? 0) + 1);
    const nonDefault = team.sim.state.projects.filter((p) => p.is_default !== true).map((p) => String(p.id));
    return nonDefault.sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0))[0]!;
  };

  beforeAll(async () => {
    db = await target.open();
    teams = await startTeams(TEAMS);
    [prod, eu] = teams as [SimulatedTeam, SimulatedTeam];
    t = await startAccountsApp(db, { ...accountsEnv(teams), ADMIN_API_KEY: ADMIN }, { listen: true });
    for (const team of teams) {
      const runs = await t.runAll(team.slug);
      expect(runs.map((r) => [r.worker, r.status])).toEqual(ALL_KIND_WORKERS.map((w) => [w, 'SUCCEEDED']));
    }

    const created = await t.gql<{ createTenant: { tenant: { id: string } } }>(
      `mutation { createTenant(input: { slug: "globex", name: "Globex" }) { tenant { id } } }`,
      {},
      ADMIN,
    );
    const tenantGid = created.data.createTenant.tenant.id;
    const tenantRow = await db.prisma.tenant.findUniqueOrThrow({ where: { slug: 'globex' } });
    const projects: Record<string, string> = {};
    for (const team of teams) {
      const row = await db.prisma.project.findFirstOrThrow({ where: { accountId: accountIdOf(team.slug), providerId: busiestProject(team) } });
      projects[team.slug] = row.id;
      const r = await t.gql<{ assignProjectTenant: { userErrors: UserError[] } }>(
        `mutation($p: ID!, $t: ID!) { assignProjectTenant(input: { projectId: $p, tenantId: $t }) { userErrors { code message } } }`,
        { p: gid('Project', row.id), t: tenantGid },
        ADMIN,
      );
      expect(r.data.assignProjectTenant.userErrors).toEqual([]);
    }
    const key = await t.gql<{ createApiKey: { secret: string; userErrors: UserError[] } }>(
      `mutation($t: ID!) { createApiKey(input: { name: "globex viewer", role: VIEWER, tenantId: $t }) { secret userErrors { code message } } }`,
      { t: tenantGid },
      ADMIN,
    );
    expect(key.data.createApiKey.userErrors).toEqual([]);
    globex = { id: tenantRow.id, gid: tenantGid, key: key.data.createApiKey.secret, projects };
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await t?.stop();
    await stopTeams(teams ?? []);
    await db?.close();
  });

  it('lists the configured accounts by slug, each a node', async () => {
    const r = await t.gql<{ accounts: { id: string; slug: string; name: string; simulated: boolean }[] }>(`{ accounts { id slug name simulated } }`, {}, ADMIN);
    expect(r.errors).toBeUndefined();
    expect(r.data.accounts).toEqual([
      { id: t.accountGid(EU), slug: EU, name: 'Acme EU', simulated: false },
      { id: t.accountGid(PROD), slug: PROD, name: 'Acme production', simulated: false },
    ]);
    const node = await t.gql<{ node: { slug: string } }>(`query($id: ID!) { node(id: $id) { ... on Account { slug } } }`, { id: t.accountGid(EU) }, ADMIN);
    expect(node.data.node).toEqual({ slug: EU });
    // Every key sees the accounts (not their sync internals).
    const scoped = await t.gql<{ accounts: { slug: string }[] }>(`{ accounts { slug } }`, {}, globex.key);
    expect(scoped.data.accounts.map((a) => a.slug)).toEqual([EU, PROD]);
  });

  it("holds every resource in the account whose DigitalOcean holds it, as each simulator's state says", async () => {
    for (const team of teams) {
      const rows = await db.prisma.resource.findMany({ where: { accountId: accountIdOf(team.slug) }, select: { kind: true, providerId: true } });
      expect(byKind(rows), team.slug).toEqual(sortedInventory(team.sim.state));
      // The same through the API, filtered by account, each resource naming its account.
      const listed = await resourcesOf(t, { accountIds: [t.accountGid(team.slug)] });
      expect(listed.every((r) => r.account.slug === team.slug)).toBe(true);
      expect(byKind(listed.map((r) => ({ kind: r.kind.toLowerCase(), providerId: r.providerId })))).toEqual(sortedInventory(team.sim.state));
      // Projects and their account.
      const projects = await everyNode<{ providerId: string; account: { slug: string } }>(
        t,
        'projects',
        'accountIds: $accountIds',
        'providerId account { slug }',
        { accountIds: [t.accountGid(team.slug)] },
      );
      expect(projects.map((p) => p.providerId).sort()).toEqual(team.sim.state.projects.map((p) => String(p.id)).sort());
      expect(projects.every((p) => p.account.slug === team.slug)).toBe(true);
    }
    const all = await resourcesOf(t);
    expect(all).toHaveLength(
      (await resourcesOf(t, { accountIds: [t.accountGid(PROD)] })).length + (await resourcesOf(t, { accountIds: [t.accountGid(EU)] })).length,
    );
    // Global ids and URNs stay unique across the two accounts.
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    expect(new Set(all.map((r) => r.urn)).size).toBe(all.length);
  });

  it('Account.summary counts that account only; accountIds of an unknown account match nothing, a malformed one is INVALID_ID', async () => {
    const r = await t.gql<{ accounts: { slug: string; summary: { total: number } }[] }>(`{ accounts { slug summary { total } } }`, {}, ADMIN);
    for (const a of r.data.accounts) expect(a.summary.total, a.slug).toBe(await db.prisma.resource.count({ where: { accountId: accountIdOf(a.slug) } }));
    const unknown = gid('Account', '00000000-0000-4000-8000-00000000dead');
    const none = await t.gql<{ resources: { totalCount: number }; projects: { totalCount: number } }>(
      `query($a: [ID!]) { resources(filter: { accountIds: $a }) { totalCount } projects(accountIds: $a) { totalCount } }`,
      { a: [unknown] },
      ADMIN,
    );
    expect(none.errors).toBeUndefined();
    expect(none.data).toEqual({ resources: { totalCount: 0 }, projects: { totalCount: 0 } });
    const bad = await t.gql(`{ resources(filter: { accountIds: ["not-an-id"] }) { totalCount } }`, {}, ADMIN);
    expect(bad.errors?.[0]?.extensions?.code).toBe('INVALID_ID');
  });

  it("attributes across accounts: a tenant owning a project in each holds both projects' resources", async () => {
    const expected = await db.prisma.resource.findMany({
      where: { projectId: { in: Object.values(globex.projects) }, lifecycle: { not: 'STALE' } },
      select: { id: true },
    });
    const owned = await resourcesOf(t, { tenantId: globex.gid });
    expect(owned.map((r) => r.id).sort()).toEqual(expected.map((r) => gid('Resource', r.id)).sort());
    expect(new Set(owned.map((r) => r.account.slug))).toEqual(new Set([PROD, EU]));
    const tenant = await t.gql<{ tenant: { projects: Edges<{ account: { slug: string } }> } }>(
      `{ tenant(slug: "globex") { projects { edges { node { account { slug } } } } } }`,
      {},
      ADMIN,
    );
    expect(tenant.data.tenant.projects.edges.map((e) => e.node.account.slug).sort()).toEqual([EU, PROD]);
  });

  it('a tenant-scoped key sees exactly its rows in both accounts: resources, projects, events, node lookups, counts', async () => {
    const mine = await db.prisma.resource.findMany({ where: { tenantId: globex.id, lifecycle: { not: 'STALE' } }, select: { id: true, accountId: true } });
    expect(new Set(mine.map((r) => r.accountId)).size).toBe(2);
    const seen = await resourcesOf(t, {}, globex.key);
    expect(seen.map((r) => r.id).sort()).toEqual(mine.map((r) => gid('Resource', r.id)).sort());
    expect(seen.every((r) => r.tenant?.slug === 'globex')).toBe(true);

    const projects = await everyNode<{ id: string; account: { slug: string } }>(t, 'projects', '', 'id account { slug }', {}, globex.key);
    expect(projects.map((p) => p.id).sort()).toEqual(
      Object.values(globex.projects)
        .map((id) => gid('Project', id))
        .sort(),
    );

    // Events: those of its resources while they were its (both accounts), nothing else.
    const events = await everyNode<TEvent>(t, 'resourceEvents', '', 'sequence type account { slug } resource { id account { slug } }', {}, globex.key);
    const expectedEvents = await db.prisma.resourceEvent.count({ where: { tenantId: globex.id, resource: { tenantId: globex.id } } });
    expect(events).toHaveLength(expectedEvents);
    expect(new Set(events.map((e) => e.account.slug))).toEqual(new Set([PROD, EU]));
    const mineIds = new Set(mine.map((r) => gid('Resource', r.id)));
    expect(events.every((e) => mineIds.has(e.resource.id) && e.resource.account.slug === e.account.slug)).toBe(true);

    // Node lookups: its own resources in either account; another tenant's or nobody's in either, null.
    const other = await db.prisma.resource.findMany({
      where: { OR: [{ tenantId: { not: globex.id } }, { tenantId: null }] },
      select: { id: true, accountId: true },
    });
    const otherPerAccount = [PROD, EU].map((slug) => other.find((r) => r.accountId === accountIdOf(slug))!);
    const minePerAccount = [PROD, EU].map((slug) => mine.find((r) => r.accountId === accountIdOf(slug))!);
    const lookup = await t.gql<{ nodes: ({ id: string } | null)[] }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
      { ids: [...minePerAccount, ...otherPerAccount].map((r) => gid('Resource', r.id)) },
      globex.key,
    );
    expect(lookup.data.nodes).toEqual([...minePerAccount.map((r) => ({ id: gid('Resource', r.id) })), null, null]);

    const counts = await t.gql<{ inventorySummary: { total: number }; accounts: { slug: string; summary: { total: number } }[] }>(
      `{ inventorySummary { total } accounts { slug summary { total } } }`,
      {},
      globex.key,
    );
    expect(counts.data.inventorySummary.total).toBe(mine.length);
    for (const a of counts.data.accounts) {
      expect(a.summary.total, a.slug).toBe(await db.prisma.resource.count({ where: { tenantId: globex.id, accountId: accountIdOf(a.slug) } }));
    }

    // Sync internals stay an operator's: per account too.
    const sync = await t.gql(`{ accounts { syncStatus { worker } } }`, {}, globex.key);
    expect(sync.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const status = await t.gql(`query($a: ID) { syncStatus(accountId: $a) { worker } }`, { a: t.accountGid(EU) }, globex.key);
    expect(status.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('ingestInvoice needs accountId with several accounts; costs group by account (keyed by slug) and filter by accountIds', async () => {
    const INGEST = `mutation($input: IngestInvoiceInput!) { ingestInvoice(input: $input) {
      invoice { id providerUuid period account { slug } } userErrors { code message path } } }`;
    const closed = (team: SimulatedTeam) => team.sim.invoices().find((i) => i.period === PERIOD)!;
    const without = await t.gql<{ ingestInvoice: { invoice: null; userErrors: UserError[] } }>(INGEST, { input: { providerUuid: closed(prod).uuid } }, ADMIN);
    expect(without.data.ingestInvoice.invoice).toBeNull();
    expect(without.data.ingestInvoice.userErrors).toEqual([
      { code: 'INVALID_INPUT', message: expect.stringMatching(/accountId.*required.*several accounts/), path: ['input', 'accountId'] },
    ]);
    const unknown = await t.gql<{ ingestInvoice: { userErrors: UserError[] } }>(
      INGEST,
      { input: { providerUuid: closed(prod).uuid, accountId: gid('Account', '00000000-0000-4000-8000-00000000dead') } },
      ADMIN,
    );
    expect(unknown.data.ingestInvoice.userErrors).toEqual([{ code: 'NOT_FOUND', message: expect.any(String), path: ['input', 'accountId'] }]);

    for (const team of teams) {
      const r = await t.gql<{ ingestInvoice: { invoice: { providerUuid: string; account: { slug: string } }; userErrors: UserError[] } }>(
        INGEST,
        { input: { providerUuid: closed(team).uuid, accountId: t.accountGid(team.slug) } },
        ADMIN,
      );
      expect(r.data.ingestInvoice.userErrors).toEqual([]);
      expect(r.data.ingestInvoice.invoice).toMatchObject({ providerUuid: closed(team).uuid, account: { slug: team.slug } });
    }
    // The other team's invoice uuid is not this account's: DigitalOcean answers 404.
    const foreign = await t.gql<{ ingestInvoice: { invoice: null; userErrors: UserError[] } }>(
      INGEST,
      { input: { providerUuid: closed(eu).uuid, accountId: t.accountGid(PROD) } },
      ADMIN,
    );
    expect(foreign.data.ingestInvoice.invoice).toBeNull();
    expect(foreign.data.ingestInvoice.userErrors).not.toEqual([]);

    const invoices = await t.gql<{ all: Edges<{ account: { slug: string } }>; eu: Edges<{ providerUuid: string; account: { slug: string } }> }>(
      `query($eu: [ID!]) { all: invoices { edges { node { account { slug } } } } eu: invoices(accountIds: $eu) { edges { node { providerUuid account { slug } } } } }`,
      { eu: [t.accountGid(EU)] },
      ADMIN,
    );
    expect(invoices.data.all.edges.map((e) => e.node.account.slug).sort()).toEqual([EU, PROD]);
    expect(invoices.data.eu.edges.map((e) => e.node)).toEqual([{ providerUuid: closed(eu).uuid, account: { slug: EU } }]);

    const COSTS = `query($g: CostGroupBy!, $a: [ID!]) { costs(period: "${PERIOD}", groupBy: $g, accountIds: $a) { key label amount lineCount } }`;
    const bucketOf = (team: SimulatedTeam): TBucket => ({
      key: team.slug,
      label: team.name,
      amount: centsToDecimal(closed(team).amountCents),
      lineCount: closed(team).items.length,
    });
    const byKey = (b: TBucket[]) => [...b].sort((x, y) => String(x.key).localeCompare(String(y.key)));
    const perAccount = await t.gql<{ costs: TBucket[] }>(COSTS, { g: 'ACCOUNT' }, ADMIN);
    expect(perAccount.errors).toBeUndefined();
    expect(byKey(perAccount.data.costs)).toEqual(byKey([bucketOf(prod), bucketOf(eu)]));
    const onlyEu = await t.gql<{ costs: TBucket[] }>(COSTS, { g: 'ACCOUNT', a: [t.accountGid(EU)] }, ADMIN);
    expect(onlyEu.data.costs).toEqual([bucketOf(eu)]);
    // Any grouping of one account adds up to that account's invoice.
    const cents = (b: TBucket[]) => b.reduce((n, x) => n + Math.round(Number(x.amount) * 100), 0);
    for (const team of teams) {
      const tenants = await t.gql<{ costs: TBucket[] }>(COSTS, { g: 'TENANT', a: [t.accountGid(team.slug)] }, ADMIN);
      expect(cents(tenants.data.costs), team.slug).toBe(closed(team).amountCents);
    }

    // The tenant's key: its own costs only, per account adding up to its tenant bucket.
    const scopedAccounts = await t.gql<{ costs: TBucket[] }>(COSTS, { g: 'ACCOUNT' }, globex.key);
    const scopedTenant = await t.gql<{ costs: TBucket[] }>(COSTS, { g: 'TENANT' }, globex.key);
    expect(scopedAccounts.errors).toBeUndefined();
    expect(scopedTenant.data.costs.map((b) => b.key)).toEqual(['globex']);
    expect(cents(scopedAccounts.data.costs)).toBe(cents(scopedTenant.data.costs));
    for (const b of scopedAccounts.data.costs) {
      expect([PROD, EU]).toContain(b.key);
      const one = await t.gql<{ costs: TBucket[] }>(COSTS, { g: 'TENANT', a: [t.accountGid(String(b.key))] }, globex.key);
      expect(cents(one.data.costs), String(b.key)).toBe(cents([b]));
    }
  });

  it('runSync needs accountId with several accounts; runs, statuses and their account', async () => {
    const RUN = `mutation($input: RunSyncInput!) { runSync(input: $input) { syncRun { status worker account { slug } } userErrors { code message path } } }`;
    const without = await t.gql<{ runSync: { syncRun: null; userErrors: UserError[] } }>(RUN, { input: { worker: 'DROPLETS' } }, ADMIN);
    expect(without.data.runSync).toEqual({
      syncRun: null,
      userErrors: [{ code: 'INVALID_INPUT', message: expect.stringMatching(/accountId.*required.*several accounts/), path: ['input', 'accountId'] }],
    });
    const unknown = await t.gql<{ runSync: { userErrors: UserError[] } }>(
      RUN,
      { input: { worker: 'DROPLETS', accountId: gid('Account', '00000000-0000-4000-8000-00000000dead') } },
      ADMIN,
    );
    expect(unknown.data.runSync.userErrors).toEqual([{ code: 'NOT_FOUND', message: expect.any(String), path: ['input', 'accountId'] }]);
    const ok = await t.gql<{ runSync: { syncRun: { status: string; worker: string; account: { slug: string } }; userErrors: UserError[] } }>(
      RUN,
      { input: { worker: 'DROPLETS', accountId: t.accountGid(EU) } },
      ADMIN,
    );
    expect(ok.data.runSync).toEqual({ syncRun: { status: 'SUCCEEDED', worker: 'DROPLETS', account: { slug: EU } }, userErrors: [] });

    const runs = await t.gql<{ syncRuns: Edges<{ account: { slug: string } }> & { totalCount: number } }>(
      `query($a: ID) { syncRuns(first: 100, accountId: $a) { totalCount edges { node { account { slug } } } } }`,
      { a: t.accountGid(EU) },
      ADMIN,
    );
    expect(runs.data.syncRuns.totalCount).toBe(await db.prisma.syncRun.count({ where: { accountId: accountIdOf(EU) } }));
    expect(runs.data.syncRuns.edges.every((e) => e.node.account.slug === EU)).toBe(true);

    const status = await t.gql<{
      all: { worker: string; account: { slug: string } }[];
      eu: { worker: string; account: { slug: string }; lastSuccess: { account: { slug: string } } | null }[];
    }>(
      `query($a: ID) { all: syncStatus { worker account { slug } } eu: syncStatus(accountId: $a) { worker account { slug } lastSuccess { account { slug } } } }`,
      { a: t.accountGid(EU) },
      ADMIN,
    );
    expect(status.errors).toBeUndefined();
    const workers = status.data.eu.map((s) => s.worker);
    expect(status.data.eu.every((s) => s.account.slug === EU && (s.lastSuccess === null || s.lastSuccess.account.slug === EU))).toBe(true);
    expect(status.data.eu.find((s) => s.worker === 'DROPLETS')?.lastSuccess).toEqual({ account: { slug: EU } });
    expect(status.data.all.map((s) => `${s.account.slug}/${s.worker}`).sort()).toEqual(
      [...workers.map((w) => `${EU}/${w}`), ...workers.map((w) => `${PROD}/${w}`)].sort(),
    );
  });

  it('events carry their account, filter by it, and a subscription filtered by account hears only that one', async () => {
    for (const team of teams) {
      const events = await everyNode<TEvent>(t, 'resourceEvents', 'filter: $eventFilter', 'sequence type account { slug } resource { id account { slug } }', {
        eventFilter: { accountIds: [t.accountGid(team.slug)] },
      });
      expect(events).toHaveLength(await db.prisma.resourceEvent.count({ where: { accountId: accountIdOf(team.slug) } }));
      expect(events.every((e) => e.account.slug === team.slug && e.resource.account.slug === team.slug)).toBe(true);
    }

    const client = createClient({
      url: `${t.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams: { authorization: `Bearer ${ADMIN}` },
    });
    clients.push(client);
    const received: { type: string; to: string; account: { slug: string }; resource: { providerId: string } }[] = [];
    // From the last event on (replayed if the subscription starts late): nothing is lost to a race.
    const after = (await db.prisma.resourceEvent.aggregate({ _max: { sequence: true } }))._max.sequence ?? 0;
    const iterator = client.iterate<{ resourceStatusChanged: (typeof received)[number] }>({
      query: `subscription($f: ResourceEventFilter) { resourceStatusChanged(filter: $f) { type to account { slug } resource { providerId } } }`,
      variables: { f: { afterSequence: after, accountIds: [t.accountGid(EU)] } },
    });
    const first = (async () => {
      for await (const r of iterator) {
        received.push(r.data!.resourceStatusChanged);
        return;
      }
    })();
    // Prod's change gets the smaller sequence: were the filter ignored, it would come first.
    const prodDroplet = prod.sim.state.droplets.find((d) => d.status === 'active')!;
    const euDroplet = eu.sim.state.droplets.find((d) => d.status === 'active')!;
    prod.sim.script.setDropletStatus(prodDroplet.id, 'off');
    eu.sim.script.setDropletStatus(euDroplet.id, 'off');
    expect((await t.run(PROD, 'DROPLETS')).updated).toBe(1);
    expect((await t.run(EU, 'DROPLETS')).updated).toBe(1);
    await first;
    expect(received).toEqual([{ type: 'STATUS_CHANGED', to: 'off', account: { slug: EU }, resource: { providerId: String(euDroplet.id) } }]);
    await iterator.return?.();
  });

  it("one account's revoked token or 5xx fails only that account's runs; nobody's strikes change by a failed run", async () => {
    const strikes = async () =>
      new Map(
        (await db.prisma.resource.findMany({ select: { id: true, missedSyncs: true, lifecycle: true } })).map((r) => [r.id, `${r.missedSyncs}/${r.lifecycle}`]),
      );
    const before = await strikes();

    eu.sim.script.faults.revokeToken();
    const failed = await t.runAll(EU);
    expect(failed.map((r) => r.status)).toEqual(ALL_KIND_WORKERS.map(() => 'FAILED'));
    for (const r of failed) {
      expect(r.error).toMatch(/401|authenticat/i);
      expect(r.error).not.toContain(eu.token);
    }
    const fine = await t.runAll(PROD);
    expect(fine.map((r) => r.status)).toEqual(ALL_KIND_WORKERS.map(() => 'SUCCEEDED'));
    expect(await strikes()).toEqual(before);

    // Through the API too: the failed run is the EU account's, with its error.
    const api = await t.gql<{ runSync: { syncRun: { status: string; account: { slug: string }; error: string } } }>(
      `mutation($a: ID) { runSync(input: { worker: VOLUMES, accountId: $a }) { syncRun { status account { slug } error } } }`,
      { a: t.accountGid(EU) },
      ADMIN,
    );
    expect(api.data.runSync.syncRun).toMatchObject({ status: 'FAILED', account: { slug: EU } });
    expect(api.data.runSync.syncRun.error).not.toContain(eu.token);

    // Prod still counts its own strikes while EU's token stays revoked.
    const gone = prod.sim.state.droplets.at(-1)!;
    prod.sim.script.destroy('droplet', gone.id);
    expect((await t.run(PROD, 'DROPLETS')).markedMissing).toBe(1);
    const goneRow = await db.prisma.resource.findFirstOrThrow({ where: { accountId: accountIdOf(PROD), kind: 'droplet', providerId: String(gone.id) } });
    expect([goneRow.missedSyncs, goneRow.lifecycle]).toEqual([1, 'MISSING']);
    const afterStrike = await strikes();
    expect([...afterStrike].filter(([id, s]) => before.get(id) !== s).map(([id]) => id)).toEqual([goneRow.id]);

    // The other way round: EU's token works again, prod's API answers 500 on every page of droplets.
    eu.sim.script.faults.clear();
    prod.sim.script.faults.failPage('/v2/droplets', 1, 500, 1_000);
    const prodFailed = await t.run(PROD, 'DROPLETS');
    expect(prodFailed.status).toBe('FAILED');
    const euRuns = await t.runAll(EU);
    expect(euRuns.map((r) => r.status)).toEqual(ALL_KIND_WORKERS.map(() => 'SUCCEEDED'));
    expect(await strikes()).toEqual(afterStrike);
    prod.sim.script.faults.clear();
  });
  it('resourceByUrn: the only match by default, accountId to choose, an error naming accountId when a URN is in both', async () => {
    const BY_URN = `query($u: String!, $a: ID) { resourceByUrn(urn: $u, accountId: $a) { providerId account { slug } } }`;
    const domain = String(prod.sim.state.domains[0]!.name);
    const urn = `do:domain:${domain}`;
    const only = await t.gql<{ resourceByUrn: { account: { slug: string } } | null }>(BY_URN, { u: urn }, ADMIN);
    expect(only.data.resourceByUrn).toEqual({ providerId: domain, account: { slug: PROD } });
    const elsewhere = await t.gql<{ resourceByUrn: null }>(BY_URN, { u: urn, a: t.accountGid(EU) }, ADMIN);
    expect(elsewhere.errors).toBeUndefined();
    expect(elsewhere.data.resourceByUrn).toBeNull();

    // The zone moves to the EU team (deleted in one, added in the other): prod's row is still there until it goes stale.
    prod.sim.script.destroy('dns_zone', domain);
    eu.sim.script.create('dns_zone', { name: domain });
    await t.run(PROD, 'DOMAINS');
    await t.run(EU, 'DOMAINS');
    const both = await t.gql(BY_URN, { u: urn }, ADMIN);
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(both.errors?.[0]?.message).toMatch(/accountId/);
    for (const slug of [PROD, EU]) {
      const chosen = await t.gql<{ resourceByUrn: { account: { slug: string } } | null }>(BY_URN, { u: urn, a: t.accountGid(slug) }, ADMIN);
      expect(chosen.data.resourceByUrn).toEqual({ providerId: domain, account: { slug } });
    }
  });
});

describe.each(testDatabaseTargets())('accounts across restarts on $name', (target) => {
  let db: Database;
  let teams: SimulatedTeam[];

  beforeAll(async () => {
    db = await target.open();
    teams = await startTeams([
      { slug: 'default', name: 'DigitalOcean account', seed: 1 },
      { slug: EU, name: 'Acme EU', seed: 2 },
    ]);
  });
  afterAll(async () => {
    await stopTeams(teams ?? []);
    await db?.close();
  });

  it('a single-account database keeps its rows when restarted with that slug among several accounts; an unconfigured account hides its rows', async () => {
    const [first, second] = teams as [SimulatedTeam, SimulatedTeam];
    // Before: DIGITALOCEAN_TOKEN alone (the account `default`).
    const single = await startAccountsApp(db, { DIGITALOCEAN_TOKEN: first.token, DIGITALOCEAN_API_URL: first.sim.url, ADMIN_API_KEY: ADMIN });
    await single.runAll('default');
    const accountId = single.account('default').id;
    const snapshot = async () =>
      (await db.prisma.resource.findMany({ where: { accountId }, orderBy: { id: 'asc' } })).map((r) => ({
        id: r.id,
        urn: r.urn,
        firstSeenAt: r.firstSeenAt.toISOString(),
        lifecycle: r.lifecycle,
        tenantId: r.tenantId,
      }));
    const rows = await snapshot();
    const events = await db.prisma.resourceEvent.count({ where: { accountId } });
    expect(rows.length).toBeGreaterThan(0);
    await single.stop();

    // After: the same slug among several accounts.
    const several = await startAccountsApp(db, { ...accountsEnv([first, second]), ADMIN_API_KEY: ADMIN });
    expect(several.account('default').id).toBe(accountId);
    expect(await snapshot()).toEqual(rows);
    const visible = await resourcesOf(several, { accountIds: [several.accountGid('default')] });
    expect(visible.map((r) => r.id).sort()).toEqual(rows.map((r) => Buffer.from(`Resource:${r.id}`).toString('base64')).sort());
    // Syncing it again creates nothing: the rows are the same resources.
    const again = await several.runAll('default');
    expect(again.map((r) => [r.worker, r.status, r.created])).toEqual(ALL_KIND_WORKERS.map((w) => [w, 'SUCCEEDED', 0]));
    expect(await db.prisma.resourceEvent.count({ where: { accountId } })).toBe(events);
    await several.runAll(EU);
    const euCount = await db.prisma.resource.count({ where: { accountId: several.account(EU).id } });
    expect(euCount).toBeGreaterThan(0);
    const euGid = several.accountGid(EU);
    await several.stop();

    // Only `default` configured: EU's rows stay in the database but are invisible, its id a node no more.
    const alone = await startAccountsApp(db, { DIGITALOCEAN_TOKEN: first.token, DIGITALOCEAN_API_URL: first.sim.url, ADMIN_API_KEY: ADMIN });
    const seen = await alone.gql<{ resources: { totalCount: number }; node: null; accounts: { slug: string }[] }>(
      `query($eu: ID!) { resources { totalCount } node(id: $eu) { id } accounts { slug } }`,
      { eu: euGid },
      ADMIN,
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data.accounts).toEqual([{ slug: 'default' }]);
    expect(seen.data.node).toBeNull();
    expect(seen.data.resources.totalCount).toBe(await db.prisma.resource.count({ where: { accountId, lifecycle: { not: 'STALE' } } }));
    expect(await db.prisma.resource.count({ where: { accountId: { not: accountId } } })).toBe(euCount);
    await alone.stop();
  });

  it('the no-token start serves two simulated accounts; a database of the single simulated account (slug "simulated") keeps its rows', async () => {
    const account = await db.prisma.cloudAccount.upsert({
      where: { slug: 'simulated' },
      create: { slug: 'simulated', name: 'Simulated DigitalOcean account', apiUrl: 'http://127.0.0.1:1' },
      update: {},
    });
    const kept = await db.prisma.resource.create({
      data: { accountId: account.id, kind: 'droplet', providerId: '1', urn: 'do:droplet:1', name: 'kept-from-before', status: 'active' },
    });
    const app = await startNoTokenApp(db);
    try {
      const r = await app.gql<{
        accounts: { id: string; slug: string; name: string; simulated: boolean }[];
        node: { name: string; account: { slug: string } } | null;
      }>(`query($r: ID!) { accounts { id slug name simulated } node(id: $r) { ... on Resource { name account { slug } } } }`, {
        r: Buffer.from(`Resource:${kept.id}`).toString('base64'),
      });
      expect(r.errors).toBeUndefined();
      expect(r.data.accounts).toEqual([
        { id: Buffer.from(`Account:${account.id}`).toString('base64'), slug: 'simulated', name: 'Simulated DigitalOcean account', simulated: true },
        { id: expect.any(String), slug: 'simulated-eu', name: 'Simulated DigitalOcean account (EU)', simulated: true },
      ]);
      expect(r.data.node).toEqual({ name: 'kept-from-before', account: { slug: 'simulated' } });

      // Each simulated account syncs its own simulator: seed 1's droplets and seed 2's.
      for (const [slug, seed] of [
        ['simulated', 1],
        ['simulated-eu', 2],
      ] as const) {
        const id = r.data.accounts.find((a) => a.slug === slug)!.id;
        const run = await app.gql<{ runSync: { syncRun: { status: string }; userErrors: UserError[] } }>(
          `mutation($a: ID) { runSync(input: { worker: DROPLETS, accountId: $a }) { syncRun { status } userErrors { code message } } }`,
          { a: id },
        );
        expect(run.data.runSync).toEqual({ syncRun: { status: 'SUCCEEDED' }, userErrors: [] });
        const droplets = await everyNode<{ providerId: string }>(
          app,
          'resources',
          'filter: $filter',
          'providerId',
          { filter: { accountIds: [id], kinds: ['DROPLET'], lifecycle: ['ACTIVE'] } },
          undefined,
        );
        const state = createSimulator({ seed }).state;
        expect(droplets.map((d) => d.providerId).sort(), slug).toEqual([...state.droplets, ...state.gpuDroplets].map((d) => String(d.id)).sort());
      }
    } finally {
      await app.stop();
    }
  });
});
