import type { SqlClient } from '../db/sql.js';
import { commitChange, type CommitDeps } from '../events/commit.js';
import type { ChangeCounts } from '../events/counts.js';
import type { EventDraft } from '../events/types.js';
import type { Project, Resource } from '../generated/prisma/client.js';

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
 * Returns the TENANT_CHANGED and PROJECT_CHANGED events, naming tenants and projects by id.
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
         RETURNING r.id, d.old_project, d.new_project, d.old_tenant, d.new_tenant`,
        [...params],
      )),
    );
  }
  const drafts: EventDraft[] = [];
  for (const c of changes) {
    if (scope.quiet?.has(c.id)) continue;
    if (c.old_project !== c.new_project) drafts.push({ resourceId: c.id, type: 'PROJECT_CHANGED', from: c.old_project, to: c.new_project });
    if (c.old_tenant !== c.new_tenant) drafts.push({ resourceId: c.id, type: 'TENANT_CHANGED', from: c.old_tenant, to: c.new_tenant });
  }
  return drafts;
}

/** What an operator's attribution change needs: where to commit, and the accounts whose rows it may change (the row's own is acted on). */
export type AttributionDeps = CommitDeps & { accountIds: readonly string[]; fallbackTenantId: string };

/** Who asks for a manual change, and why (stored on its events). */
export type OperatorChange = { actor: string; reason: string | null };

/** Outcome of an operator's attribution change: the row as it is now, and what changed. */
export type AttributionResult<Row, NoChange extends string> =
  | { status: 'NOT_FOUND'; missing: ('row' | 'tenant')[] }
  | { status: 'NO_CHANGE'; row: Row; why: NoChange }
  | { status: 'CHANGED'; row: Row; counts: ChangeCounts };

/** The resource ids whose attribution follows from these resources or projects: themselves and backups/snapshots taken of them. */
async function withChildren(tx: SqlClient, accountId: string, where: { resourceId?: string; projectId?: string }): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `WITH own AS (
       SELECT r.id, r.urn FROM "Resource" r
       WHERE r."accountId" = $1::uuid AND (r.id = $2::uuid OR r."projectId" = $3::uuid
         OR EXISTS (SELECT 1 FROM "ProjectMembership" m WHERE m."accountId" = r."accountId" AND m.kind = r.kind
                    AND m."providerId" = r."providerId" AND m."projectId" = $3::uuid))
     )
     SELECT id FROM own
     UNION SELECT c.id FROM "Resource" c JOIN own ON c."accountId" = $1::uuid AND c."parentUrn" = own.urn`,
    [accountId, where.resourceId ?? null, where.projectId ?? null],
  );
  return rows.map((r) => r.id);
}

async function tenantExists(deps: AttributionDeps, tenantId: string | null): Promise<boolean> {
  return tenantId === null || (await deps.db.prisma.tenant.count({ where: { id: tenantId } })) > 0;
}

/**
 * Sets (tenantId null: removes) a project's tenant. Its resources without a manual override,
 * and their backups and snapshots, follow in the same commit; each change is a TENANT_CHANGED
 * event carrying the operator's actor and reason. NO_CHANGE when the project has this tenant.
 */
export async function assignProjectTenant(
  deps: AttributionDeps,
  input: OperatorChange & { projectId: string; tenantId: string | null },
): Promise<AttributionResult<Project, 'SAME_TENANT'>> {
  const project = await deps.db.prisma.project.findFirst({ where: { id: input.projectId, accountId: { in: [...deps.accountIds] } } });
  const missing = [...(project ? [] : ['row' as const]), ...((await tenantExists(deps, input.tenantId)) ? [] : ['tenant' as const])];
  if (!project || missing.length) return { status: 'NOT_FOUND', missing };
  if (project.tenantId === input.tenantId) return { status: 'NO_CHANGE', row: project, why: 'SAME_TENANT' };
  const { counts } = await commitChange(deps, { actor: input.actor, reason: input.reason }, async (tx) => {
    await tx.query(`UPDATE "Project" SET "tenantId" = $2::uuid WHERE id = $1::uuid`, [project.id, input.tenantId]);
    const resourceIds = await withChildren(tx, project.accountId, { projectId: project.id });
    return { events: await attribute(tx, { accountId: project.accountId, fallbackTenantId: deps.fallbackTenantId, resourceIds }) };
  });
  return { status: 'CHANGED', row: await deps.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } }), counts };
}

/**
 * Overrides a resource's tenant (MANUAL: later syncs keep it), or with tenantId null removes the
 * override so the tenant rule applies again. Backups and snapshots of the resource follow in the
 * same commit; changes are TENANT_CHANGED events with the operator's actor and reason.
 * NO_CHANGE: removing an override the resource does not have (NO_OVERRIDE), or setting the
 * tenant it already has manually (ALREADY_MANUAL).
 */
export async function reassignResourceTenant(
  deps: AttributionDeps,
  input: OperatorChange & { resourceId: string; tenantId: string | null },
): Promise<AttributionResult<Resource, 'NO_OVERRIDE' | 'ALREADY_MANUAL'>> {
  const { tenantId, reason } = input;
  const resource = await deps.db.prisma.resource.findFirst({ where: { id: input.resourceId, accountId: { in: [...deps.accountIds] } } });
  const missing = [...(resource ? [] : ['row' as const]), ...((await tenantExists(deps, tenantId)) ? [] : ['tenant' as const])];
  if (!resource || missing.length) return { status: 'NOT_FOUND', missing };
  const manual = resource.tenantSource === 'MANUAL';
  if (!tenantId && !manual) return { status: 'NO_CHANGE', row: resource, why: 'NO_OVERRIDE' };
  if (tenantId && manual && resource.tenantId === tenantId) return { status: 'NO_CHANGE', row: resource, why: 'ALREADY_MANUAL' };
  const { counts } = await commitChange(deps, { actor: input.actor, reason: input.reason }, async (tx) => {
    const [before] = await tx.query<{ id: string; tenantId: string | null }>(`SELECT id, "tenantId" FROM "Resource" WHERE id = $1::uuid FOR UPDATE`, [
      resource.id,
    ]);
    if (!before) throw new Error(`resource ${resource.id} disappeared`);
    const events: EventDraft[] = [];
    if (tenantId) {
      await tx.query(`UPDATE "Resource" SET "tenantSource" = 'MANUAL', "tenantId" = $2::uuid, "tenantReason" = $3, "updatedAt" = now() WHERE id = $1::uuid`, [
        before.id,
        tenantId,
        reason,
      ]);
      if (before.tenantId !== tenantId) events.push({ resourceId: before.id, type: 'TENANT_CHANGED', from: before.tenantId, to: tenantId });
    } else {
      // Attribution recomputes the tenant from the project, the parent or the fallback.
      await tx.query(`UPDATE "Resource" SET "tenantSource" = 'NONE', "tenantReason" = NULL, "updatedAt" = now() WHERE id = $1::uuid`, [before.id]);
    }
    const resourceIds = await withChildren(tx, resource.accountId, { resourceId: before.id });
    events.push(...(await attribute(tx, { accountId: resource.accountId, fallbackTenantId: deps.fallbackTenantId, resourceIds })));
    return { events };
  });
  return { status: 'CHANGED', row: await deps.db.prisma.resource.findUniqueOrThrow({ where: { id: resource.id } }), counts };
}
