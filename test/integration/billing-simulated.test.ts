import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFromApi } from '../../src/billing/ingest.js';
import { loadMatchIndex, matchLines, replaceInvoice } from '../../src/billing/store.js';
import { linesFromApiItems } from '../../src/billing/do-invoice.js';
import { rematchInvoice } from '../../src/billing/rematch.js';
import { createSimulator, type Simulator, type TSimInvoice } from '../../src/simulator/index.js';
import { testDatabaseTargets } from '../helpers/db.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { ALL_KIND_WORKERS } from '../helpers/sync.js';
import { soleAccount } from '../helpers/sole-account.js';

const INGEST = `mutation($uuid: String!) { ingestInvoice(input: { providerUuid: $uuid }) {
  invoice { id providerUuid period amount source matchStats { lineCount matchedCount attributableCount currentResourceMatchRate } }
  userErrors { code message path } } }`;

describe.each(testDatabaseTargets())('a simulated account invoice, inventory synced from the simulator, on $name', (target) => {
  let sim: Simulator;
  let t: TestApp;
  let accountId: string;
  let closed: TSimInvoice;

  async function snapshot() {
    const [invoices, lines, matches] = await Promise.all([
      t.db.prisma.invoice.findMany({ orderBy: { id: 'asc' }, select: { id: true, contentHash: true, ingestedAt: true, amount: true } }),
      t.db.prisma.invoiceLine.findMany({ orderBy: { id: 'asc' }, select: { id: true, unmatchedReason: true } }),
      t.db.prisma.invoiceMatch.count(),
    ]);
    return { invoices, lines, matches };
  }

  beforeAll(async () => {
    sim = createSimulator({ seed: 11 });
    await sim.start();
    t = await startTestApp(
      await target.open(),
      { DIGITALOCEAN_TOKEN: 'test-token' },
      // Small pages so invoice items span several; fast retries so a failing page gives up quickly.
      { doClient: { baseUrl: sim.url, perPage: 20, retries: { max: 1, baseDelayMs: 1, maxDelayMs: 2 } }, sync: { runOnStart: false } },
    );
    accountId = soleAccount(t.app).id;
    const sync = soleAccount(t.app).sync!;
    for (const worker of ALL_KIND_WORKERS) {
      const outcome = await sync.run(worker, 'MANUAL');
      expect('run' in outcome && outcome.run.status, worker).toBe('SUCCEEDED');
    }
    closed = sim
      .invoices()
      .filter((i) => !i.preview)
      .at(-1)!;
  });
  afterAll(async () => {
    await t.stop();
    await t.db.close();
    await sim.stop();
  });

  it('matches every line of a currently-existing resource and gives every other line the true reason, with no false match', async () => {
    const r = await t.gql(INGEST, { uuid: closed.uuid });
    expect(r.errors).toBeUndefined();
    expect(r.data.ingestInvoice.userErrors).toEqual([]);
    expect(r.data.ingestInvoice.invoice).toMatchObject({ providerUuid: closed.uuid, period: closed.period, source: 'API' });

    const lines = await t.db.prisma.invoiceLine.findMany({
      where: { invoiceId: (await t.db.prisma.invoice.findFirstOrThrow({ where: { providerUuid: closed.uuid } })).id },
      orderBy: { position: 'asc' },
      select: {
        position: true,
        description: true,
        unmatchedReason: true,
        candidateIds: true,
        match: { select: { resource: { select: { kind: true, providerId: true } } } },
      },
    });
    const truth = sim.invoiceTruth(closed.uuid);
    expect(lines).toHaveLength(truth.length);
    const got = lines.map((l) => (l.match ? `${l.match.resource.kind}:${l.match.resource.providerId}` : l.unmatchedReason));
    const want = truth.map((w) => ('reason' in w ? w.reason : `${w.kind}:${w.providerId}`));
    expect(got).toEqual(want);
    // The cases the simulator plants are all present, so the comparison above covers them.
    const reasons = new Set(truth.flatMap((w) => ('reason' in w ? [w.reason] : [])));
    expect([...reasons].sort()).toEqual(['ACCOUNT_LEVEL', 'CREDIT', 'KIND_NOT_INVENTORIED', 'RESOURCE_DESTROYED', 'TAX']);
    expect(truth.some((w) => w.lineKind === 'droplet_backup' && 'kind' in w)).toBe(true);
    const stats = r.data.ingestInvoice.invoice.matchStats;
    const matchable = truth.filter((w) => 'kind' in w).length;
    expect(stats.matchedCount).toBe(matchable);
    // Only the Container Registry line (a kind not inventoried) keeps the rate under 1, as the contract defines it.
    const notInventoried = truth.filter((w) => 'reason' in w && w.reason === 'KIND_NOT_INVENTORIED').length;
    expect(stats.currentResourceMatchRate).toBe(matchable / (matchable + notInventoried));
  });

  it('refuses an unknown invoice uuid with NOT_FOUND and writes nothing', async () => {
    const before = await snapshot();
    const r = await t.gql(INGEST, { uuid: '00000000-0000-4000-8000-00000000dead' });
    expect(r.data.ingestInvoice).toEqual({
      invoice: null,
      userErrors: [{ code: 'NOT_FOUND', message: expect.any(String), path: ['input', 'providerUuid'] }],
    });
    expect(await snapshot()).toEqual(before);
  });

  it('a DigitalOcean 5xx on a later page of items: UPSTREAM_ERROR, the invoice held before untouched', async () => {
    const before = await snapshot();
    sim.script.faults.failPage(`/v2/customers/my/invoices/${closed.uuid}`, 2, 503, 10);
    try {
      const r = await t.gql(INGEST, { uuid: closed.uuid });
      expect(r.data.ingestInvoice.invoice).toBeNull();
      expect(r.data.ingestInvoice.userErrors).toEqual([{ code: 'UPSTREAM_ERROR', message: expect.stringMatching(/503/), path: ['input', 'providerUuid'] }]);
    } finally {
      sim.script.faults.clear();
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refreshes the month-to-date preview in place, found as invoice(providerUuid: "preview")', async () => {
    const first = await t.gql(INGEST, { uuid: 'preview' });
    expect(first.data.ingestInvoice.userErrors).toEqual([]);
    const again = await t.gql(INGEST, { uuid: 'preview' });
    expect(again.data.ingestInvoice.invoice.id).toBe(first.data.ingestInvoice.invoice.id);
    const preview = sim.invoices().find((i) => i.preview)!;
    const q = await t.gql(`{ invoice(providerUuid: "preview") { id period lines { totalCount } } }`);
    expect(q.data.invoice).toEqual({ id: first.data.ingestInvoice.invoice.id, period: preview.period, lines: { totalCount: preview.items.length } });
    expect(await t.db.prisma.invoice.count({ where: { isPreview: true } })).toBe(1);
  });

  it('the INVOICES worker ingests the closed invoices not yet held, then nothing more', async () => {
    const sync = soleAccount(t.app).sync!;
    const first = await sync.run('INVOICES', 'MANUAL');
    expect('run' in first && first.run).toMatchObject({ status: 'SUCCEEDED', fetched: 2, created: 1, unchanged: 1 });
    const second = await sync.run('INVOICES', 'MANUAL');
    expect('run' in second && second.run).toMatchObject({ status: 'SUCCEEDED', fetched: 2, created: 0, unchanged: 2 });
    expect(await t.db.prisma.invoice.count({ where: { isPreview: false, source: 'API' } })).toBe(2);
  });

  it('issues the same number of SQL statements for an invoice of 10 lines as for one of 1,400 (ingest and rematch)', async () => {
    const items = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        product: 'Droplets',
        resource_id: String(9_000_000 + i),
        description: `gone-${i} (s-1vcpu-1gb)`,
        amount: '1.00',
        duration: '10',
        start_time: '2020-01-01T00:00:00Z',
        end_time: '2020-02-01T00:00:00Z',
      }));
    const counts: number[][] = [];
    for (const n of [10, 1_400]) {
      const parsed = linesFromApiItems(items(n));
      if (!parsed.ok) throw new Error(parsed.error.message);
      const header = {
        identity: `test:${n}`,
        providerUuid: null,
        invoiceNumber: null,
        period: '2020-01',
        amount: parsed.total,
        source: 'API' as const,
        isPreview: false,
        contentHash: 'x',
      };
      const c1 = t.db.countQueries();
      const index = await loadMatchIndex(t.db.prisma, accountId);
      const { invoice } = await replaceInvoice(t.db.prisma, accountId, header, await matchLines(parsed.lines, index));
      c1.stop();
      const c2 = t.db.countQueries();
      await replaceInvoice(t.db.prisma, accountId, header, await matchLines(parsed.lines, index));
      c2.stop();
      const c3 = t.db.countQueries();
      await rematchInvoice(t.db.prisma, [accountId], invoice.id);
      c3.stop();
      counts.push([c1.count, c2.count, c3.count]);
    }
    expect(counts[1]).toEqual(counts[0]);
  });

  it('ingestFromApi checks the uuid before any request', async () => {
    const session = soleAccount(t.app).client!.session();
    const r = await ingestFromApi(t.db.prisma, accountId, session, '../../v2/account');
    expect(r).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: expect.any(String), path: ['input', 'providerUuid'] } });
    expect(session.requests).toBe(0);
  });
});
