import { hashApiKey } from '../../src/auth.js';
import type { Database } from '../../src/db/index.js';
import { canonicalUrn } from '../../src/domain/urn.js';

/** The secret of the fixture's viewer key scoped to tenant "alpha". */
export const ALPHA_KEY = 'alpha-viewer-key-0123456789';

const globalId = (type: string, id: string | number) => Buffer.from(`${type}:${id}`).toString('base64');

/**
 * Two tenants in one account, with a viewer key scoped to "alpha", and every way a row of
 * "bravo" could reach that key: a resource of alpha's in bravo's project (manual override),
 * a resource that moved from alpha to bravo (its old events carry alpha's tenant), one that
 * moved from bravo to alpha (its events name bravo), an invoice with lines of both, an
 * ambiguous line whose candidates belong to both, and a failed sync run the events point at.
 *
 * `forbidden` lists every row alpha's key must never see, each with the strings that would
 * betray it in a response (names, URNs, global ids).
 */
export async function seedTwoTenants(db: Database, accountId: string) {
  const p = db.prisma;
  const alpha = await p.tenant.create({ data: { slug: 'alpha', name: 'Alpha Corp' } });
  const bravo = await p.tenant.create({ data: { slug: 'bravo', name: 'Bravo Ltd' } });
  const project = (providerId: string, name: string, tenantId: string | null) => p.project.create({ data: { accountId, providerId, name, tenantId } });
  const pA = await project('aaaaaaaa-0000-4000-8000-000000000001', 'Alpha Web', alpha.id);
  const pB = await project('bbbbbbbb-0000-4000-8000-000000000002', 'Bravo Web', bravo.id);
  const pN = await project('cccccccc-0000-4000-8000-000000000003', 'Nobody Project', null);
  const resource = (providerId: string, name: string, projectId: string, tenantId: string, manual = false) =>
    p.resource.create({
      data: {
        accountId,
        kind: 'droplet',
        providerId,
        urn: canonicalUrn('droplet', providerId),
        name,
        status: 'active',
        region: 'nyc3',
        projectId,
        tenantId,
        tenantSource: manual ? 'MANUAL' : 'PROJECT',
      },
    });
  const a1 = await resource('7001', 'alpha-web-1', pA.id, alpha.id);
  const a2 = await resource('7002', 'alpha-manual-in-bravo-project', pB.id, alpha.id, true);
  const b1 = await resource('7003', 'bravo-db-1', pB.id, bravo.id);
  const moved = await resource('7004', 'moved-to-bravo', pB.id, bravo.id);
  const came = await resource('7005', 'came-from-bravo', pA.id, alpha.id);
  const n1 = await resource('7006', 'nobody-box', pN.id, bravo.id, true);

  const run = await p.syncRun.create({
    data: { accountId, worker: 'DROPLETS', trigger: 'MANUAL', status: 'FAILED', finishedAt: new Date(), error: 'upstream exploded at 7 am' },
  });
  const event = (
    resourceId: string,
    type: 'CREATED' | 'STATUS_CHANGED' | 'TENANT_CHANGED' | 'PROJECT_CHANGED',
    tenantId: string,
    projectId: string,
    from: string | null = null,
    to: string | null = null,
  ) => p.resourceEvent.create({ data: { accountId, resourceId, type, kind: 'droplet', tenantId, projectId, from, to, syncRunId: run.id } });
  const a1Created = await event(a1.id, 'CREATED', alpha.id, pA.id);
  const a2Created = await event(a2.id, 'CREATED', alpha.id, pB.id);
  // While "moved" was alpha's; it went to bravo since.
  const movedCreated = await event(moved.id, 'CREATED', alpha.id, pA.id);
  const movedStatus = await event(moved.id, 'STATUS_CHANGED', alpha.id, pA.id, 'off', 'active');
  // Events name tenants and projects by id (labels are read when shown).
  const movedAway = await event(moved.id, 'TENANT_CHANGED', bravo.id, pB.id, alpha.id, bravo.id);
  // "came" was bravo's, then alpha's.
  const cameCreated = await event(came.id, 'CREATED', bravo.id, pB.id);
  const cameIn = await event(came.id, 'TENANT_CHANGED', alpha.id, pA.id, bravo.id, alpha.id);
  const cameProject = await event(came.id, 'PROJECT_CHANGED', alpha.id, pA.id, pB.id, pA.id);
  const b1Created = await event(b1.id, 'CREATED', bravo.id, pB.id);

  const invoice = await p.invoice.create({
    data: { accountId, identity: 'csv:2026-01', period: '2026-01', amount: '100.00', source: 'CSV', contentHash: 'x' },
  });
  let position = 0;
  const line = async (description: string, amount: string, match: string | null, extra: { candidateIds?: string[]; unmatchedReason?: 'AMBIGUOUS' } = {}) => {
    const row = await p.invoiceLine.create({
      data: {
        invoiceId: invoice.id,
        lineKey: `k${position}`,
        position: position++,
        product: 'Droplets',
        description,
        amount,
        derivedKind: 'droplet',
        ...extra,
      },
    });
    if (match) await p.invoiceMatch.create({ data: { lineId: row.id, resourceId: match, method: 'NAME' } });
    return row;
  };
  await line('alpha web line', '10.00', a1.id);
  await line('alpha manual line', '20.00', a2.id);
  const bravoLine = await line('bravo db line', '30.00', b1.id);
  const movedLine = await line('moved line', '15.00', moved.id);
  await line('ambiguous line', '25.00', null, { candidateIds: [a1.id, b1.id], unmatchedReason: 'AMBIGUOUS' });

  const key = await p.apiKey.create({ data: { name: 'alpha viewer', keyHash: hashApiKey(ALPHA_KEY), role: 'VIEWER', tenantId: alpha.id } });

  const resourceMarkers = (r: { id: string; name: string; urn: string }) => [r.name, `"${r.urn}"`, globalId('Resource', r.id)];
  const eventMarkers = (e: { sequence: number }) => [globalId('ResourceEvent', e.sequence)];
  const forbidden: Record<string, string[]> = {
    'tenant bravo': ['"bravo"', 'Bravo Ltd', globalId('Tenant', bravo.id)],
    'project Bravo Web': ['Bravo Web', pB.providerId, globalId('Project', pB.id)],
    'project Nobody Project': ['Nobody Project', pN.providerId, globalId('Project', pN.id)],
    'resource bravo-db-1': resourceMarkers(b1),
    'resource moved-to-bravo': resourceMarkers(moved),
    'resource nobody-box': resourceMarkers(n1),
    'sync run': [globalId('SyncRun', run.id), 'upstream exploded'],
    'line bravo db': ['bravo db line', globalId('InvoiceLine', bravoLine.id)],
    'line moved': ['moved line', globalId('InvoiceLine', movedLine.id)],
  };
  for (const [name, e] of Object.entries({ movedCreated, movedStatus, movedAway, cameCreated, b1Created })) forbidden[`event ${name}`] = eventMarkers(e);

  return {
    alpha,
    bravo,
    projects: { pA, pB, pN },
    resources: { a1, a2, b1, moved, came, n1 },
    events: { a1Created, a2Created, movedCreated, movedStatus, movedAway, cameCreated, cameIn, cameProject, b1Created },
    run,
    invoice,
    key,
    forbidden,
    globalId,
  };
}

/** The forbidden rows whose markers appear in `text`. */
export function leakedRows(forbidden: Record<string, string[]>, text: string): string[] {
  return Object.entries(forbidden)
    .filter(([, markers]) => markers.some((m) => text.includes(m)))
    .map(([name]) => name);
}
