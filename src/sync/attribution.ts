import type { SqlClient } from '../db/sql.js';
import type { EventDraft } from './events.js';

/** Kinds that DigitalOcean keeps out of projects: they follow the droplet or volume they were taken of. */
export const CHILD_KINDS = ['droplet_backup', 'snapshot'] as const;

/** Where the rule reads a row's own facts from (SQL expressions). */
export type AttributionInputs = {
  account: string;
  kind: string;
  providerId: string;
  parentUrn: string;
  /** The row's current source and tenant (a MANUAL override is kept); NULL for a new row. */
  source: string;
  tenant: string;
  /** The fallback tenant's id. */
  fallback: string;
};

/**
 * THE tenant rule, as SQL over stored facts: a manual override (MANUAL) wins; else the
 * project that holds the row's URN gives project and tenant (PROJECT, or NONE while the project
 * has no tenant); backups and snapshots in no project take their parent's project and tenant
 * (a parent's MANUAL is not the child's own override, so it is inherited as PROJECT); anything
 * else goes to the fallback tenant (FALLBACK). Used by the set-based UPDATE below and by the
 * upsert's INSERT, so a row is written with its attribution in one go.
 */
export function attributionSql(i: AttributionInputs) {
  const child = `${i.kind}::text IN ('droplet_backup', 'snapshot') AND par.id IS NOT NULL`;
  return {
    joins: `LEFT JOIN "ProjectMembership" m ON m."accountId" = ${i.account} AND m.kind = ${i.kind} AND m."providerId" = ${i.providerId}
      LEFT JOIN "Project" p ON p.id = m."projectId"
      LEFT JOIN "Resource" par ON ${i.kind}::text IN ('droplet_backup', 'snapshot') AND par."accountId" = ${i.account} AND par.urn = ${i.parentUrn}`,
    project: `CASE WHEN m.id IS NOT NULL THEN m."projectId" WHEN ${child} THEN par."projectId" END`,
    tenant: `CASE WHEN ${i.source} = 'MANUAL' THEN ${i.tenant} WHEN m.id IS NOT NULL THEN p."tenantId" WHEN ${child} THEN par."tenantId" ELSE ${i.fallback} END`,
    source: `(CASE WHEN ${i.source} = 'MANUAL' THEN 'MANUAL'
       WHEN m.id IS NOT NULL THEN CASE WHEN p."tenantId" IS NULL THEN 'NONE' ELSE 'PROJECT' END
       WHEN ${child} THEN CASE WHEN par."tenantSource" = 'MANUAL' THEN 'PROJECT' ELSE par."tenantSource"::text END
       ELSE 'FALLBACK' END)::"TenantSource"`,
  };
}

export type AttributionScope = {
  accountId: string;
  fallbackTenantId: string;
  /** Only these resources (null: the whole account). */
  resourceIds: string[] | null;
  /** Resources whose changes make no events (rows created in the same transaction). */
  quiet?: Set<string>;
  actor?: string | null;
  reason?: string | null;
};

type Change = {
  id: string;
  old_project: string | null;
  new_project: string | null;
  old_tenant: string | null;
  new_tenant: string | null;
};

/**
 * Re-applies the tenant rule to stored rows and writes only those whose attribution changes.
 * Parents first, then backups and snapshots, so children read their parents as just written.
 * Computed from stored facts alone, so the result does not depend on which worker ran first.
 */
export async function attribute(tx: SqlClient, scope: AttributionScope): Promise<EventDraft[]> {
  const params: unknown[] = [scope.accountId, scope.fallbackTenantId];
  // A scoped call drives the join from the given ids (primary key), never from the account's rows.
  let from = `"Resource" r`;
  if (scope.resourceIds) {
    if (scope.resourceIds.length === 0) return [];
    params.push(scope.resourceIds);
    from = `unnest($3::uuid[]) AS scope(id) JOIN "Resource" r ON r.id = scope.id`;
  }
  const rule = attributionSql({
    account: '$1::uuid',
    kind: 'r.kind',
    providerId: 'r."providerId"',
    parentUrn: 'r."parentUrn"',
    source: 'r."tenantSource"',
    tenant: 'r."tenantId"',
    fallback: '$2::uuid',
  });
  const changes: Change[] = [];
  for (const children of [false, true]) {
    changes.push(
      ...(await tx.query<Change>(
        `WITH d AS (
           SELECT r.id, r."projectId" AS old_project, r."tenantId" AS old_tenant, r."tenantSource" AS old_source,
             ${rule.project} AS new_project, ${rule.tenant} AS new_tenant, ${rule.source} AS new_source
           FROM ${from} ${rule.joins}
           WHERE r."accountId" = $1::uuid AND r.kind::text ${children ? '' : 'NOT'} IN ('droplet_backup', 'snapshot')
         )
         UPDATE "Resource" r SET "projectId" = d.new_project, "tenantId" = d.new_tenant, "tenantSource" = d.new_source, "updatedAt" = now()
         FROM d WHERE r.id = d.id
           AND (d.old_project IS DISTINCT FROM d.new_project OR d.old_tenant IS DISTINCT FROM d.new_tenant OR d.old_source <> d.new_source)
         RETURNING r.id,
           (SELECT "providerId" FROM "Project" WHERE id = d.old_project) AS old_project,
           (SELECT "providerId" FROM "Project" WHERE id = d.new_project) AS new_project,
           (SELECT slug FROM "Tenant" WHERE id = d.old_tenant) AS old_tenant,
           (SELECT slug FROM "Tenant" WHERE id = d.new_tenant) AS new_tenant`, [...params])),
    );
  }
  const drafts: EventDraft[] = [];
  for (const c of changes) {
    if (scope.quiet?.has(c.id)) continue;
    const by = { actor: scope.actor ?? null, reason: scope.reason ?? null };
    if (c.old_project !== c.new_project) drafts.push({ resourceId: c.id, type: 'PROJECT_CHANGED', from: c.old_project, to: c.new_project, ...by });
    if (c.old_tenant !== c.new_tenant) drafts.push({ resourceId: c.id, type: 'TENANT_CHANGED', from: c.old_tenant, to: c.new_tenant, ...by });
  }
  return drafts;
}
