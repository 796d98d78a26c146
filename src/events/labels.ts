import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { EventReference } from './types.js';

/** Which tenants and projects a reader may see named; the rest get no label. */
export type LabelScope = { tenant: Prisma.TenantWhereInput; project: Prisma.ProjectWhereInput };

export type EventLabels = Record<EventReference, Map<string, string>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The labels of ids that events keep in `from`/`to` (`EVENT_REFERENCES`), as they are now:
 * a tenant's current slug, a project's provider id. An id outside `scope`, or one that names
 * nothing, has no label. Two queries at most, whatever the number of ids.
 */
export async function loadEventLabels(prisma: PrismaClient, scope: LabelScope, ids: Record<EventReference, Iterable<string>>): Promise<EventLabels> {
  const wanted = (values: Iterable<string>) => [...new Set(values)].filter((v) => UUID.test(v));
  const tenantIds = wanted(ids.tenant);
  const projectIds = wanted(ids.project);
  const [tenants, projects] = await Promise.all([
    tenantIds.length ? prisma.tenant.findMany({ where: { AND: [scope.tenant, { id: { in: tenantIds } }] }, select: { id: true, slug: true } }) : [],
    projectIds.length ? prisma.project.findMany({ where: { AND: [scope.project, { id: { in: projectIds } }] }, select: { id: true, providerId: true } }) : [],
  ]);
  return {
    tenant: new Map(tenants.map((t) => [t.id, t.slug])),
    project: new Map(projects.map((p) => [p.id, p.providerId])),
  };
}
