import type { Context } from '../context.js';
import { escapeLike } from '../domain/like-pattern.js';
import { accountsArg } from '../schema/account-args.js';
import { decodeIdOf } from '../schema/builder.js';
import type { ResourceFilter } from '../schema/resource-filter.js';
import { resourceScopeSql } from './scope-sql.js';
import { isUuid, type SqlParams } from './sql-params.js';

/**
 * The SQL condition on resources (alias `r`) of a ResourceFilter and the viewer's scope: the
 * same rows as `resourceWhere` selects through Prisma (test/integration/resource-page.test.ts
 * compares them). A tenant or project id that cannot be a uuid matches no row. `accounts`
 * (default: those the filter leaves visible) narrows the rows to some of those accounts.
 */
export function resourceConditionsSql(
  ctx: Context,
  filter: ResourceFilter | null | undefined,
  params: SqlParams,
  accounts: readonly string[] = filterAccounts(ctx, filter),
): string {
  const and = [resourceScopeSql({ accountIds: accounts, viewer: ctx.viewer }, 'r', params)];
  const lifecycle = filter?.lifecycle ?? ['ACTIVE', 'MISSING'];
  and.push(`r.lifecycle = ANY(${params.add(lifecycle)}::"Lifecycle"[])`);
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

/** The accounts whose resources the filter leaves visible to the viewer (`filter.accountIds` among the viewer's). */
export function filterAccounts(ctx: Context, filter: ResourceFilter | null | undefined): readonly string[] {
  return accountsArg(ctx, filter?.accountIds, 'filter.accountIds');
}

function uuidEquals(column: string, id: string, params: SqlParams): string {
  return isUuid(id) ? `${column} = ${params.add(id)}::uuid` : 'FALSE';
}
