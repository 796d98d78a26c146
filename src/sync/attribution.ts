import type { Prisma } from '../generated/prisma/client.js';
import type { EventDraft } from './events.js';

type Tx = Prisma.TransactionClient;

/** Kinds that DigitalOcean keeps out of projects: they follow the droplet or volume they were taken of. */
export const CHILD_KINDS = ['droplet_backup', 'snapshot'] as const;

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

const CHANGED = `d.old_project IS DISTINCT FROM d.new_project OR d.old_tenant IS DISTINCT FROM d.new_tenant OR d.old_source <> d.new_source`;

const RETURNING = `RETURNING r.id,
  (SELECT "providerId" FROM "Project" WHERE id = d.old_project) AS old_project,
  (SELECT "providerId" FROM "Project" WHERE id = d.new_project) AS new_project,
  (SELECT slug FROM "Tenant" WHERE id = d.old_tenant) AS old_tenant,
  (SELECT slug FROM "Tenant" WHERE id = d.new_tenant) AS new_tenant`;

/**
 * Tenant resolution, set-based: a manual override (MANUAL) wins; else the project's tenant
 * (PROJECT), none while the project has no tenant (NONE); a resource in no project goes to the
 * fallback tenant (FALLBACK). Backups and snapshots outside projects take their parent's
 * project and tenant. Computed from the stored facts alone, so the result does not depend on
 * which worker ran first. Only rows whose attribution changes are written.
 */
export async function attribute(tx: Tx, scope: AttributionScope): Promise<EventDraft[]> {
  const params: unknown[] = [scope.accountId, scope.fallbackTenantId];
  let filter = '';
  if (scope.resourceIds) {
    if (scope.resourceIds.length === 0) return [];
    params.push(scope.resourceIds);
    filter = `AND r.id = ANY($3::uuid[])`;
  }
  const membership = `LEFT JOIN "ProjectMembership" m ON m."accountId" = r."accountId" AND m.kind = r.kind AND m."providerId" = r."providerId"`;
  const own = await tx.$queryRawUnsafe<Change[]>(
    `WITH d AS (
       SELECT r.id, r."projectId" AS old_project, r."tenantId" AS old_tenant, r."tenantSource" AS old_source,
         m."projectId" AS new_project,
         CASE WHEN r."tenantSource" = 'MANUAL' THEN r."tenantId" WHEN m.id IS NOT NULL THEN p."tenantId" ELSE $2::uuid END AS new_tenant,
         (CASE WHEN r."tenantSource" = 'MANUAL' THEN 'MANUAL'
               WHEN m.id IS NOT NULL THEN CASE WHEN p."tenantId" IS NULL THEN 'NONE' ELSE 'PROJECT' END
               ELSE 'FALLBACK' END)::"TenantSource" AS new_source
       FROM "Resource" r ${membership}
       LEFT JOIN "Project" p ON p.id = m."projectId"
       WHERE r."accountId" = $1::uuid AND (r.kind NOT IN ('droplet_backup', 'snapshot') OR m.id IS NOT NULL) ${filter}
     )
     UPDATE "Resource" r SET "projectId" = d.new_project, "tenantId" = d.new_tenant, "tenantSource" = d.new_source, "updatedAt" = now()
     FROM d WHERE r.id = d.id AND (${CHANGED})
     ${RETURNING}`,
    ...params,
  );
  // Children second, so they read their parents' attribution as just written.
  const children = await tx.$queryRawUnsafe<Change[]>(
    `WITH d AS (
       SELECT r.id, r."projectId" AS old_project, r."tenantId" AS old_tenant, r."tenantSource" AS old_source,
         par."projectId" AS new_project,
         CASE WHEN r."tenantSource" = 'MANUAL' THEN r."tenantId" WHEN par.id IS NOT NULL THEN par."tenantId" ELSE $2::uuid END AS new_tenant,
         (CASE WHEN r."tenantSource" = 'MANUAL' THEN 'MANUAL'::"TenantSource"
               -- A parent's MANUAL is not the child's own override: copied as MANUAL it would stick after the parent's is removed.
               WHEN par.id IS NOT NULL THEN CASE WHEN par."tenantSource" = 'MANUAL' THEN 'PROJECT'::"TenantSource" ELSE par."tenantSource" END
               ELSE 'FALLBACK'::"TenantSource" END) AS new_source
       FROM "Resource" r ${membership}
       LEFT JOIN "Resource" par ON par."accountId" = r."accountId" AND par.urn = r."parentUrn"
       WHERE r."accountId" = $1::uuid AND r.kind IN ('droplet_backup', 'snapshot') AND m.id IS NULL ${filter}
     )
     UPDATE "Resource" r SET "projectId" = d.new_project, "tenantId" = d.new_tenant, "tenantSource" = d.new_source, "updatedAt" = now()
     FROM d WHERE r.id = d.id AND (${CHANGED})
     ${RETURNING}`,
    ...params,
  );
  const drafts: EventDraft[] = [];
  for (const c of [...own, ...children]) {
    if (scope.quiet?.has(c.id)) continue;
    const by = { actor: scope.actor ?? null, reason: scope.reason ?? null };
    if (c.old_project !== c.new_project) drafts.push({ resourceId: c.id, type: 'PROJECT_CHANGED', from: c.old_project, to: c.new_project, ...by });
    if (c.old_tenant !== c.new_tenant) drafts.push({ resourceId: c.id, type: 'TENANT_CHANGED', from: c.old_tenant, to: c.new_tenant, ...by });
  }
  return drafts;
}
