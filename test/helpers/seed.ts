import type { Database } from '../../src/db/index.js';
import { RESOURCE_KINDS, type ResourceKind } from '../../src/domain/kinds.js';
import { canonicalUrn } from '../../src/domain/urn.js';

export type SeedOptions = { accountId: string; resources: number; projects: number; tenants?: number; staleEvery?: number };

/**
 * Seeds tenants, projects and resources in bulk (createMany in chunks), deterministically:
 * resource i is in project i % projects (every 10th in none), kinds cycle.
 */
export async function seedInventory(db: Database, o: SeedOptions) {
  const tenants = [];
  for (let t = 0; t < (o.tenants ?? 5); t++) {
    tenants.push(await db.prisma.tenant.create({ data: { slug: `tenant-${t}`, name: `Tenant ${t}` } }));
  }
  const projects = [];
  for (let p = 0; p < o.projects; p++) {
    projects.push({
      accountId: o.accountId,
      providerId: `00000000-0000-4000-8000-${String(p).padStart(12, '0')}`,
      name: `project-${p}`,
      tenantId: p % 7 === 6 ? null : tenants[p % tenants.length]!.id,
      isDefault: p === 0,
    });
  }
  await db.prisma.project.createMany({ data: projects });
  const projectRows = await db.prisma.project.findMany({ where: { accountId: o.accountId }, orderBy: { providerId: 'asc' } });
  const base = Date.UTC(2026, 0, 1);
  for (let start = 0; start < o.resources; start += 2_000) {
    const chunk = [];
    for (let i = start; i < Math.min(o.resources, start + 2_000); i++) {
      const kind: ResourceKind = RESOURCE_KINDS[i % RESOURCE_KINDS.length]!;
      const project = i % 10 === 9 ? null : projectRows[i % projectRows.length]!;
      const providerId = String(100_000 + i);
      const stale = o.staleEvery ? i % o.staleEvery === 0 : false;
      chunk.push({
        accountId: o.accountId,
        kind,
        providerId,
        urn: canonicalUrn(kind, providerId),
        name: `${kind}-${String(i).padStart(6, '0')}`,
        status: i % 3 === 0 ? 'off' : 'active',
        region: ['nyc3', 'fra1', 'sgp1'][i % 3]!,
        attrs: { index: i },
        projectId: project?.id ?? null,
        tenantId: project ? project.tenantId : null,
        tenantSource: project ? (project.tenantId ? 'PROJECT' : 'NONE') : 'FALLBACK',
        lifecycle: stale ? 'STALE' : 'ACTIVE',
        missedSyncs: stale ? 3 : 0,
        staleSince: stale ? new Date(base) : null,
        firstSeenAt: new Date(base + i * 1000),
        lastSeenAt: new Date(base + (o.resources - i) * 1000),
      } as const);
    }
    await db.prisma.resource.createMany({ data: chunk });
  }
  // What autovacuum would do on a server; the embedded database has none.
  await db.prisma.$executeRawUnsafe('ANALYZE');
  return { tenants, projects: projectRows };
}
