import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth.js';
import { canonicalUrn } from '../../src/domain/urn.js';
import { SYNC_WORKERS } from '../../src/domain/workers.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { openEmbeddedTestDatabase } from '../helpers/db.js';

const gid = (type: string, id: string | number) => Buffer.from(`${type}:${id}`).toString('base64');
const ADMIN = 'admin-key-for-accounts-tests';
const SCOPED = 'scoped-key-for-accounts-tests';
const admin = { authorization: `Bearer ${ADMIN}` };
const scoped = { authorization: `Bearer ${SCOPED}` };
const CSV = readFileSync(join(import.meta.dirname, '../unit/billing/fixtures/invoice.csv'), 'utf8');

const RUN_SYNC = `mutation($input: RunSyncInput!) { runSync(input: $input) {
  syncRun { status worker account { slug } } userErrors { code message path } } }`;
const INGEST = `mutation($input: IngestInvoiceInput!) { ingestInvoice(input: $input) {
  invoice { id account { slug name } } userErrors { code message path } } }`;

/** Two configured accounts, each synced from its own simulator, with an operator key and a key scoped to one tenant. */
describe('several accounts over GraphQL', () => {
  let prod: Simulator;
  let eu: Simulator;
  let t: TestApp;
  let ids: Record<'prod' | 'eu', string>;
  const gql = (query: string, variables?: Record<string, unknown>, headers = admin) => t.gql(query, variables, headers);

  beforeAll(async () => {
    prod = createSimulator({ seed: 11 });
    eu = createSimulator({ seed: 12 });
    await Promise.all([prod.start(), eu.start()]);
    const accounts = [
      { slug: 'acme-prod', name: 'Acme production', token: 'token-of-acme-prod', apiUrl: prod.url },
      { slug: 'acme-eu', name: 'Acme Europe', token: 'token-of-acme-eu', apiUrl: eu.url },
    ];
    t = await startTestApp(
      await openEmbeddedTestDatabase(),
      { ADMIN_API_KEY: ADMIN, DIGITALOCEAN_ACCOUNTS: JSON.stringify(accounts) },
      { sync: { runOnStart: false }, doClient: { retries: { max: 1, baseDelayMs: 1, maxDelayMs: 2 }, limits: { pathLimits: [] } } },
    );
    const rows = await t.db.prisma.cloudAccount.findMany();
    ids = { prod: rows.find((r) => r.slug === 'acme-prod')!.id, eu: rows.find((r) => r.slug === 'acme-eu')!.id };
    const tenant = await t.db.prisma.tenant.create({ data: { slug: 'acme', name: 'Acme' } });
    await t.db.prisma.apiKey.create({ data: { keyHash: hashApiKey(SCOPED), role: 'VIEWER', tenantId: tenant.id, name: 'acme viewer' } });
  });
  afterAll(async () => {
    await t?.stop();
    await t?.db.close();
    await Promise.all([prod?.stop(), eu?.stop()]);
  });

  it('lists the configured accounts by slug, to every key, and finds each by its global id', async () => {
    const expected = [
      { id: gid('Account', ids.eu), slug: 'acme-eu', name: 'Acme Europe', simulated: false },
      { id: gid('Account', ids.prod), slug: 'acme-prod', name: 'Acme production', simulated: false },
    ];
    for (const headers of [admin, scoped]) {
      const r = await gql(`{ accounts { id slug name simulated } }`, undefined, headers);
      expect(r.errors).toBeUndefined();
      expect(r.data.accounts).toEqual(expected);
    }
    const node = await gql(`query($id: ID!) { node(id: $id) { id ... on Account { slug } } }`, { id: gid('Account', ids.prod) });
    expect(node.data.node).toEqual({ id: gid('Account', ids.prod), slug: 'acme-prod' });
    const malformed = await gql(`{ node(id: "${gid('Account', 'not-a-uuid')}") { id } }`);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('INVALID_ID');
  });

  it('runSync needs accountId with several accounts; each account syncs from its own DigitalOcean', async () => {
    const missing = await gql(RUN_SYNC, { input: { worker: 'DROPLETS' } });
    expect(missing.data.runSync).toEqual({
      syncRun: null,
      userErrors: [{ code: 'INVALID_INPUT', message: expect.stringMatching(/required when the server syncs several accounts/), path: ['input', 'accountId'] }],
    });
    const unknown = await gql(RUN_SYNC, { input: { worker: 'DROPLETS', accountId: gid('Account', '00000000-0000-4000-8000-000000000009') } });
    expect(unknown.data.runSync.userErrors).toEqual([{ code: 'NOT_FOUND', message: expect.any(String), path: ['input', 'accountId'] }]);
    const malformed = await gql(RUN_SYNC, { input: { worker: 'DROPLETS', accountId: gid('Tenant', ids.prod) } });
    expect(malformed.data.runSync.userErrors).toEqual([{ code: 'INVALID_INPUT', message: expect.any(String), path: ['input', 'accountId'] }]);

    for (const [slug, id] of [
      ['acme-prod', ids.prod],
      ['acme-eu', ids.eu],
    ] as const) {
      const r = await gql(RUN_SYNC, { input: { worker: 'DROPLETS', accountId: gid('Account', id) } });
      expect(r.data.runSync).toEqual({ syncRun: { status: 'SUCCEEDED', worker: 'DROPLETS', account: { slug } }, userErrors: [] });
    }
    for (const [sim, id] of [
      [prod, ids.prod],
      [eu, ids.eu],
    ] as const) {
      const ours = await t.db.prisma.resource.findMany({ where: { accountId: id, kind: 'droplet' }, select: { providerId: true } });
      expect(ours.map((r) => r.providerId).sort()).toEqual([...sim.state.droplets, ...sim.state.gpuDroplets].map((d) => String(d.id)).sort());
    }
  });

  it('filters resources, events, projects and sync runs by account; an unknown account matches nothing', async () => {
    const prodDroplets = prod.state.droplets.length + prod.state.gpuDroplets.length;
    const euDroplets = eu.state.droplets.length + eu.state.gpuDroplets.length;
    const r = await gql(
      `query($prod: [ID!], $none: [ID!], $one: ID) {
        all: resources(filter: { kinds: [DROPLET] }) { totalCount }
        prod: resources(first: 100, filter: { kinds: [DROPLET], accountIds: $prod }) { totalCount edges { node { account { slug } } } }
        none: resources(filter: { accountIds: $none }) { totalCount }
        events: resourceEvents(first: 100, filter: { accountIds: $prod, types: [CREATED] }) { totalCount edges { node { account { slug } } } }
        projects: projects(accountIds: $none) { totalCount }
        runs: syncRuns(accountId: $one) { totalCount edges { node { account { slug } } } }
        summary: inventorySummary(filter: { accountIds: $prod, kinds: [DROPLET] }) { total }
      }`,
      { prod: [gid('Account', ids.prod)], none: [gid('Account', '00000000-0000-4000-8000-000000000009')], one: gid('Account', ids.eu) },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.all.totalCount).toBe(prodDroplets + euDroplets);
    expect(r.data.prod.totalCount).toBe(prodDroplets);
    expect(new Set(r.data.prod.edges.map((e: any) => e.node.account.slug))).toEqual(new Set(['acme-prod']));
    expect(r.data.none.totalCount).toBe(0);
    expect(r.data.events.totalCount).toBe(prodDroplets);
    expect(new Set(r.data.events.edges.map((e: any) => e.node.account.slug))).toEqual(new Set(['acme-prod']));
    expect(r.data.projects.totalCount).toBe(0);
    expect(r.data.runs).toEqual({ totalCount: 1, edges: [{ node: { account: { slug: 'acme-eu' } } }] });
    expect(r.data.summary.total).toBe(prodDroplets);

    const bad = await gql(`{ resources(filter: { accountIds: ["${gid('Tenant', ids.prod)}"] }) { totalCount } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('INVALID_ID');
  });

  it('syncStatus: every worker of every account, or of one; Account.syncStatus and summary; FORBIDDEN for a scoped key', async () => {
    const r = await gql(
      `query($eu: ID) {
        all: syncStatus { worker account { slug } lastRun { worker } }
        eu: syncStatus(accountId: $eu) { worker account { slug } lastRun { account { slug } } }
        accounts { slug syncStatus { worker lastSuccess { account { slug } } } summary { total } }
      }`,
      { eu: gid('Account', ids.eu) },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.all).toHaveLength(2 * SYNC_WORKERS.length);
    expect(r.data.all.filter((s: any) => s.worker === 'DROPLETS').map((s: any) => s.account.slug)).toEqual(['acme-eu', 'acme-prod']);
    expect(r.data.eu).toHaveLength(SYNC_WORKERS.length);
    expect(r.data.eu.find((s: any) => s.worker === 'DROPLETS')).toEqual({
      worker: 'DROPLETS',
      account: { slug: 'acme-eu' },
      lastRun: { account: { slug: 'acme-eu' } },
    });
    for (const a of r.data.accounts) {
      expect(a.syncStatus.find((s: any) => s.worker === 'DROPLETS').lastSuccess).toEqual({ account: { slug: a.slug } });
      const sim = a.slug === 'acme-eu' ? eu : prod;
      expect(a.summary.total).toBe(sim.state.droplets.length + sim.state.gpuDroplets.length);
    }
    const forbidden = await gql(`{ accounts { slug syncStatus { worker } } }`, undefined, scoped);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const summary = await gql(`{ accounts { summary { total } } }`, undefined, scoped);
    expect(summary.data.accounts).toEqual([{ summary: { total: 0 } }, { summary: { total: 0 } }]);
  });

  it('resourceByUrn: the only match by default; a URN in several accounts needs accountId', async () => {
    const droplet = prod.state.droplets[0]!;
    const urn = `do:droplet:${droplet.id}`;
    const one = await gql(`query($urn: String!) { resourceByUrn(urn: $urn) { account { slug } } }`, { urn });
    expect(one.data.resourceByUrn).toEqual({ account: { slug: 'acme-prod' } });

    // The same droplet id in the other account (DigitalOcean never does this; a URN lookup still names its account when asked).
    await t.db.prisma.resource.create({
      data: { accountId: ids.eu, kind: 'droplet', providerId: String(droplet.id), urn: canonicalUrn('droplet', String(droplet.id)), name: 'twin' },
    });
    const ambiguous = await gql(`query($urn: String!) { resourceByUrn(urn: $urn) { id } }`, { urn });
    expect(ambiguous.data.resourceByUrn).toBeNull();
    expect(ambiguous.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/pass accountId/), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
    const chosen = await gql(`query($urn: String!, $a: ID) { resourceByUrn(urn: $urn, accountId: $a) { name account { slug } } }`, {
      urn,
      a: gid('Account', ids.eu),
    });
    expect(chosen.data.resourceByUrn).toEqual({ name: 'twin', account: { slug: 'acme-eu' } });
    await t.db.prisma.resource.deleteMany({ where: { accountId: ids.eu, name: 'twin' } });
  });

  it('ingestInvoice needs accountId with several accounts; invoices and costs per account (groupBy ACCOUNT by slug)', async () => {
    const missing = await gql(INGEST, { input: { csv: CSV, period: '2020-07' } });
    expect(missing.data.ingestInvoice).toEqual({
      invoice: null,
      userErrors: [{ code: 'INVALID_INPUT', message: expect.stringMatching(/required when the server syncs several accounts/), path: ['input', 'accountId'] }],
    });
    expect(await t.db.prisma.invoice.count()).toBe(0);
    const unknown = await gql(INGEST, { input: { accountId: gid('Account', '00000000-0000-4000-8000-000000000009'), csv: CSV, period: '2020-07' } });
    expect(unknown.data.ingestInvoice.userErrors).toEqual([{ code: 'NOT_FOUND', message: expect.any(String), path: ['input', 'accountId'] }]);

    const ingested = await gql(INGEST, { input: { accountId: gid('Account', ids.eu), csv: CSV, period: '2020-07' } });
    expect(ingested.data.ingestInvoice).toEqual({ invoice: { id: expect.any(String), account: { slug: 'acme-eu', name: 'Acme Europe' } }, userErrors: [] });
    const r = await gql(
      `query($eu: [ID!], $prod: [ID!]) {
        eu: invoices(accountIds: $eu) { totalCount edges { node { account { slug } } } }
        prod: invoices(accountIds: $prod) { totalCount }
        byAccount: costs(period: "2020-07", groupBy: ACCOUNT) { key label amount lineCount }
        prodCosts: costs(period: "2020-07", groupBy: KIND, accountIds: $prod) { key }
      }`,
      { eu: [gid('Account', ids.eu)], prod: [gid('Account', ids.prod)] },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.eu).toEqual({ totalCount: 1, edges: [{ node: { account: { slug: 'acme-eu' } } }] });
    expect(r.data.prod.totalCount).toBe(0);
    expect(r.data.byAccount).toEqual([{ key: 'acme-eu', label: 'Acme Europe', amount: '3.27', lineCount: 2 }]);
    expect(r.data.prodCosts).toEqual([]);
  });

  it('rows of an account that is no longer configured stay in the database, invisible', async () => {
    const gone = await t.db.prisma.cloudAccount.create({ data: { slug: 'acme-old', name: 'Old', apiUrl: 'http://old.example' } });
    const resource = await t.db.prisma.resource.create({
      data: { accountId: gone.id, kind: 'volume', providerId: 'old-volume', urn: canonicalUrn('volume', 'old-volume'), name: 'old-volume' },
    });
    const r = await gql(
      `query($a: ID!, $r: ID!) { account: node(id: $a) { id } resource: node(id: $r) { id } accounts { slug }
        resources(filter: { kinds: [VOLUME], search: "old-volume" }) { totalCount } }`,
      { a: gid('Account', gone.id), r: gid('Resource', resource.id) },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ account: null, resource: null, accounts: [{ slug: 'acme-eu' }, { slug: 'acme-prod' }], resources: { totalCount: 0 } });
  });
});

describe('the start without a token', () => {
  it('serves two simulated accounts, each with its own sync workers', async () => {
    const t = await startTestApp(await openEmbeddedTestDatabase(), {}, { sync: { runOnStart: false } });
    try {
      const r = await t.gql(`{ accounts { slug name simulated } syncStatus { account { slug } } }`);
      expect(r.errors).toBeUndefined();
      expect(r.data.accounts).toEqual([
        { slug: 'simulated', name: 'Simulated DigitalOcean account', simulated: true },
        { slug: 'simulated-eu', name: 'Simulated DigitalOcean account (EU)', simulated: true },
      ]);
      expect(r.data.syncStatus).toHaveLength(2 * SYNC_WORKERS.length);
      expect(t.app.services().accounts.list.every((a) => a.client && a.sync)).toBe(true);
    } finally {
      await t.stop();
      await t.db.close();
    }
  });
});
