import type { Context } from '../context.js';
import { escapeLike } from '../domain/like-pattern.js';
import { accountsArg } from '../schema/account-args.js';
import { decodeIdOf } from '../schema/builder.js';
import type { ResourceFilter } from '../schema/resource-filter.js';
import { resourceScopeSql } from './scope-sql.js';
import { isUuid, type SqlParams, uuidIn } from './sql-params.js';

/**
 * The SQL condition on resources (alias `r`) of a ResourceFilter and the viewer's scope: the
 * same rows as `resourceWhere` selects through Prisma (test/integration/resource-page.test.ts
 * compares them). A tenant or project id that cannot be a uuid matches no row.
 */
export function resourceConditionsSql(ctx: Context, filter: ResourceFilter | null | undefined, params: SqlParams): string {
  const and = [resourceScopeSql(ctx, 'r', params)];
  const lifecycle = filter?.lifecycle ?? ['ACTIVE', 'MISSING'];
  and.push(`r.lifecycle = ANY(${params.add(lifecycle)}::"Lifecycle"[])`);
  if (filter?.accountIds) and.push(uuidIn('r."accountId"', [...accountsArg(ctx, filter.accountIds, 'filter.accountIds')], params));
  if (filter?.kinds) and.push(`r.kind = ANY(${params.add(filter.kinds)}::"ResourceKind"[])`);
  if (filter?.tenantId) and.push(uuidEquals('r."tenantId"', decodeIdOf('Tenant', String(filter.tenantId), 'filter.tenantId'), params));
  if (filter?.projectId) and.push(uuidEquals('r."projectId"', decodeIdOf('Project', String(filter.projectId), 'filter.projectId'), params));
  if (filter?.unattributed != null) {
    const unattributed = `(r."tenantId" IS NULL OR EXISTS (SELECT 1 FROM "Tenant" ft WHERE ft.id = r."tenantId" AND ft."isFallback"))`;
    and.push(filter.unattributed ? unattributed : `NOT ${unattributed}`);
  }
  if (filter?.placeholder != null) and.push(`r.placeholder = ${params.add(filter.placeholder)}`);
  if (filter?.status) and.push(`r.status = ANY(${params.add(filter.status.map((s) => s.toLowerCase()))}::text[])`);
  if (filter?.region) and.push(`r.region = ${params.add(filter.region)}`);
  if (filter?.search) {
    const pattern = params.add(`%${escapeLike(filter.search)}%`);
    and.push(`(r.name ILIKE ${pattern} OR r."providerId" ILIKE ${pattern} OR r.urn ILIKE ${pattern})`);
  }
  return and.join(' AND ');
}

function uuidEquals(column: string, id: string, params: SqlParams): string {
  return isUuid(id) ? `${column} = ${params.add(id)}::uuid` : 'FALSE';
}
