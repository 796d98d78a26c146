import type { PrismaClient } from '../generated/prisma/client.js';
import { projectScope, resourceScope, tenantScope, type Viewing } from '../scope.js';
import { formatMoney, parseMoney } from '../domain/money.js';

/**
 * Cost roll-ups of one billing month (`costs(period, groupBy)`), computed in SQL per
 * (resource, derived kind) and folded into buckets here: a fixed number of statements
 * whatever the number of lines.
 *
 * Which invoice counts for a month, in each account: the closed API invoice(s) of that period;
 * else the CSV ingested for it; else the month-to-date preview. (An account holds one invoice
 * per month; the same month ingested from several sources must not be counted twice.)
 *
 * Keys: account slug, tenant slug, project provider id, lower-case kind (the line's derived
 * kind, else its resource's kind), resource URN; `null` collects what none applies to (unmatched lines,
 * tax, credits, resources with no tenant/project), with a label saying so.
 *
 * Tenant attribution: the tenant in effect at the period's end where the resource's history
 * covers that time; for a resource first seen after the period ended, its current tenant
 * (the best knowledge there is: an inventory installed after the month knows nothing of who
 * held the resource then, and its first sync's fallback tenant is no such knowledge).
 * - History covers the end when the resource was first seen (its `firstSeenAt`, or an
 *   earlier event) before the next month started. Then: the `to` of its last TENANT_CHANGED
 *   event before the end; when all of them are later, the `from` of the first; when it has
 *   none, its current tenant. (Events name tenants by id, so a renamed slug changes nothing.)
 * - Otherwise: its current tenant, whatever its later events say.
 */

export const COST_GROUPS = ['ACCOUNT', 'TENANT', 'PROJECT', 'KIND', 'RESOURCE'] as const;
export type CostGroupBy = (typeof COST_GROUPS)[number];

export type CostBucket = { key: string | null; label: string; amount: string; lineCount: number };

/** Labels of the `null` bucket per grouping. */
export const UNATTRIBUTED_LABELS: Record<CostGroupBy, string> = {
  // Every line is on an invoice of an account: this bucket stays empty.
  ACCOUNT: 'No account',
  TENANT: 'Unattributed (no tenant, or not matched to a resource)',
  PROJECT: 'No project (or not matched to a resource)',
  KIND: 'No resource kind (tax, credits, account-level charges)',
  RESOURCE: 'Not matched to a resource',
};

/**
 * Labels of the `null` bucket for a tenant-scoped key: its lines are all matched to resources
 * that were its tenant's at the month's end, so what lands there is a project or resource it
 * may no longer see (named by neither key nor label).
 */
export const SCOPED_UNATTRIBUTED_LABELS: Record<CostGroupBy, string> = {
  ...UNATTRIBUTED_LABELS,
  PROJECT: 'No project, or a project outside this tenant',
  RESOURCE: 'Resources no longer in this tenant',
};

type Row = {
  accountId: string;
  resourceId: string | null;
  firstSeenAt: Date | string | null;
  urn: string | null;
  name: string | null;
  resourceKind: string | null;
  tenantId: string | null;
  projectId: string | null;
  derivedKind: string | null;
  amount: string;
  lineCount: number;
};

/** First instant of the month after `period` (`YYYY-MM`), UTC. */
export function periodEnd(period: string): Date {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1));
}

/** The invoices that stand for a month in each of the accounts (see module doc). */
export async function invoicesForPeriod(prisma: PrismaClient, accountIds: readonly string[], period: string): Promise<string[]> {
  const all = await prisma.invoice.findMany({
    where: { accountId: { in: [...accountIds] }, period },
    select: { id: true, accountId: true, source: true, isPreview: true },
  });
  return accountIds.flatMap((accountId) => {
    const own = all.filter((i) => i.accountId === accountId);
    const closed = own.filter((i) => i.source === 'API' && !i.isPreview);
    if (closed.length > 0) return closed.map((i) => i.id);
    const csv = own.filter((i) => i.source === 'CSV');
    if (csv.length > 0) return csv.map((i) => i.id);
    return own.filter((i) => i.isPreview).map((i) => i.id);
  });
}

/** What the event history of the matched resources says about their tenant at `end`. */
type TenantHistory = {
  /** Tenant id in effect at `end`, for resources whose TENANT_CHANGED events say so. */
  atEnd: Map<string, string | null>;
  /** Earliest event of any type, per resource (history may start before `firstSeenAt`). */
  firstEventAt: Map<string, Date>;
};

/** `TenantHistory` of every resource matched by lines of `invoiceIds` (one statement). */
async function tenantsAt(prisma: PrismaClient, invoiceIds: string[], end: Date): Promise<TenantHistory> {
  const events = await prisma.$queryRawUnsafe<{ resourceId: string; type: string; from: string | null; to: string | null; at: Date; sequence: number }[]>(
    `WITH matched AS (
       SELECT DISTINCT m."resourceId" FROM "InvoiceMatch" m JOIN "InvoiceLine" l ON l.id = m."lineId"
        WHERE l."invoiceId" = ANY(string_to_array($1, ',')::uuid[]))
     SELECT e."resourceId", e.type::text AS type, e."from", e."to", e.at, e.sequence
       FROM "ResourceEvent" e JOIN matched x ON x."resourceId" = e."resourceId"
      WHERE e.type = 'TENANT_CHANGED'
     UNION ALL
     SELECT f."resourceId", 'FIRST', NULL, NULL, f.at, f.sequence
       FROM matched x CROSS JOIN LATERAL (
         SELECT e."resourceId", e.at, e.sequence FROM "ResourceEvent" e
          WHERE e."resourceId" = x."resourceId" ORDER BY e.sequence LIMIT 1) f
      ORDER BY 1, 6`,
    invoiceIds.join(','),
  );
  const out = new Map<string, string | null>();
  const firstEventAt = new Map<string, Date>();
  const decided = new Set<string>();
  for (const e of events) {
    const at = e.at instanceof Date ? e.at : new Date(e.at);
    if (!firstEventAt.has(e.resourceId)) firstEventAt.set(e.resourceId, at);
    if (e.type !== 'TENANT_CHANGED') continue;
    if (at < end) {
      out.set(e.resourceId, e.to);
      decided.add(e.resourceId);
    } else if (!decided.has(e.resourceId)) {
      out.set(e.resourceId, e.from);
      decided.add(e.resourceId);
    }
  }
  return { atEnd: out, firstEventAt };
}

/**
 * Costs of `period` in the viewer's accounts (`viewing.accountIds`) grouped by `groupBy`,
 * largest first (the `null` bucket last). For a tenant-scoped viewer only lines attributed to
 * its tenant count, and buckets are keyed and labelled only by tenants, projects and resources
 * in its scope (`src/scope.ts`); the rest goes to the `null` bucket.
 */
export async function computeCosts(prisma: PrismaClient, period: string, groupBy: CostGroupBy, viewing: Viewing): Promise<CostBucket[]> {
  const tenantId = viewing.viewer.tenantId;
  const invoiceIds = await invoicesForPeriod(prisma, viewing.accountIds, period);
  if (invoiceIds.length === 0) return [];
  const rows = await prisma.$queryRawUnsafe<Row[]>(
    `SELECT i."accountId", r.id AS "resourceId", r."firstSeenAt", r.urn, r.name, r.kind::text AS "resourceKind", r."tenantId", r."projectId",
            l."derivedKind"::text AS "derivedKind", sum(l.amount)::text AS amount, count(*)::int AS "lineCount"
       FROM "InvoiceLine" l
       JOIN "Invoice" i ON i.id = l."invoiceId"
       LEFT JOIN "InvoiceMatch" m ON m."lineId" = l.id
       LEFT JOIN "Resource" r ON r.id = m."resourceId"
      WHERE l."invoiceId" = ANY(string_to_array($1, ',')::uuid[])
      GROUP BY i."accountId", r.id, l."derivedKind"`,
    invoiceIds.join(','),
  );

  const needTenant = groupBy === 'TENANT' || tenantId !== null;
  const labelled = groupBy === 'TENANT' ? await prisma.tenant.findMany({ where: tenantScope(viewing), select: { id: true, slug: true, name: true } }) : [];
  const tenantById = new Map(labelled.map((t) => [t.id, t]));
  const end = periodEnd(period);
  const history: TenantHistory = needTenant ? await tenantsAt(prisma, invoiceIds, end) : { atEnd: new Map(), firstEventAt: new Map() };
  const tenantOf = (r: Row): string | null => {
    if (r.resourceId === null) return null;
    const seen = [r.firstSeenAt === null ? null : new Date(r.firstSeenAt), history.firstEventAt.get(r.resourceId) ?? null];
    const coveredFrom = Math.min(...seen.map((d) => (d === null ? Infinity : d.getTime())));
    if (coveredFrom >= end.getTime()) return r.tenantId;
    return history.atEnd.has(r.resourceId) ? history.atEnd.get(r.resourceId)! : r.tenantId;
  };
  const projects =
    groupBy === 'PROJECT' ? await prisma.project.findMany({ where: projectScope(viewing), select: { id: true, providerId: true, name: true } }) : [];
  const projectById = new Map(projects.map((p) => [p.id, p]));
  const accounts =
    groupBy === 'ACCOUNT'
      ? await prisma.cloudAccount.findMany({ where: { id: { in: [...viewing.accountIds] } }, select: { id: true, slug: true, name: true } })
      : [];
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const resourceIds = rows.flatMap((r) => (r.resourceId ? [r.resourceId] : []));
  const visibleResources =
    groupBy === 'RESOURCE' && resourceIds.length
      ? new Set(
          (await prisma.resource.findMany({ where: { AND: [resourceScope(viewing), { id: { in: resourceIds } }] }, select: { id: true } })).map((r) => r.id),
        )
      : new Set<string>();

  const buckets = new Map<string | null, { label: string; cents: bigint; lineCount: number }>();
  const add = (key: string | null, label: string, r: Row) => {
    const b = buckets.get(key) ?? { label, cents: 0n, lineCount: 0 };
    b.cents += parseMoney(r.amount);
    b.lineCount += Number(r.lineCount);
    buckets.set(key, b);
  };
  const none = (tenantId ? SCOPED_UNATTRIBUTED_LABELS : UNATTRIBUTED_LABELS)[groupBy];
  for (const r of rows) {
    const tenant = needTenant ? tenantOf(r) : null;
    if (tenantId !== null && tenant !== tenantId) continue;
    switch (groupBy) {
      case 'ACCOUNT': {
        const a = accountById.get(r.accountId);
        if (a) add(a.slug, a.name, r);
        else add(null, none, r);
        break;
      }
      case 'TENANT': {
        const t = tenant ? tenantById.get(tenant) : undefined;
        if (t) add(t.slug, t.name, r);
        else add(null, none, r);
        break;
      }
      case 'PROJECT': {
        const p = r.projectId ? projectById.get(r.projectId) : undefined;
        if (p) add(p.providerId, p.name, r);
        else add(null, none, r);
        break;
      }
      case 'KIND': {
        const kind = r.derivedKind ?? r.resourceKind;
        if (kind) add(kind, kind, r);
        else add(null, none, r);
        break;
      }
      case 'RESOURCE':
        if (r.urn && visibleResources.has(r.resourceId!)) add(r.urn, r.name ?? r.urn, r);
        else add(null, none, r);
        break;
    }
  }
  return [...buckets.entries()]
    .map(([key, b]) => ({ key, label: b.label, amount: formatMoney(b.cents), lineCount: b.lineCount, cents: b.cents }))
    .sort((a, b) => (a.key === null ? 1 : b.key === null ? -1 : a.cents !== b.cents ? (a.cents > b.cents ? -1 : 1) : a.key < b.key ? -1 : 1))
    .map(({ cents: _cents, ...bucket }) => bucket);
}
