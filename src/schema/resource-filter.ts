import type { Prisma } from '../generated/prisma/client.js';
import { escapeLike } from '../domain/like-pattern.js';
import type { Context } from '../context.js';
import { resourceScope } from '../scope.js';
import { accountsArg } from './account-args.js';
import { builder, decodeIdOf } from './builder.js';
import { LIST_LIMIT, STRING_LIMIT } from './docs.js';
import { LifecycleEnum, OrderDirectionEnum, ResourceKindEnum } from './enums.js';

export const ResourceFilterInput = builder.inputType('ResourceFilter', {
  description: 'Conditions a resource must meet, all of them (fields left out do not filter).',
  fields: (t) => ({
    accountIds: t.idList({ description: 'Only these accounts (default: every account the viewer may see).' }),
    kinds: t.field({ type: [ResourceKindEnum], description: 'Only these kinds.' }),
    lifecycle: t.field({ type: [LifecycleEnum], description: 'Default: ACTIVE and MISSING (stale rows hidden).' }),
    tenantId: t.id({ description: 'Only resources of this tenant (a global id).' }),
    projectId: t.id({ description: 'Only resources in this project (a global id).' }),
    unattributed: t.boolean({ description: 'Resources with no tenant, or only the fallback tenant.' }),
    placeholder: t.boolean({ description: 'true: only placeholder rows (known from project URNs only); false: none of them.' }),
    status: t.stringList({ description: `Only these provider statuses (any case), ${LIST_LIMIT}.` }),
    region: t.string({ description: 'Only this region slug (nyc3, fra1, ...).' }),
    search: t.string({ description: `Case-insensitive substring of name, provider id or urn; ${STRING_LIMIT}.` }),
  }),
});

export type ResourceFilter = typeof ResourceFilterInput.$inferInput;

export const ResourceOrderFieldEnum = builder.enumType('ResourceOrderField', {
  description: 'What resources can be sorted by.',
  values: {
    NAME: { description: 'Name.' },
    KIND: { description: 'Kind.' },
    LAST_SEEN_AT: { description: 'When a sync last wrote the row.' },
    FIRST_SEEN_AT: { description: 'When a sync first saw it.' },
  } as const,
});

export const ResourceOrderInput = builder.inputType('ResourceOrder', {
  description: 'A sort order for resources; the id breaks ties so cursors stay stable.',
  fields: (t) => ({
    field: t.field({ type: ResourceOrderFieldEnum, required: true, description: 'What to sort by.' }),
    direction: t.field({ type: OrderDirectionEnum, required: true, description: 'Ascending or descending.' }),
  }),
});

export type ResourceOrder = typeof ResourceOrderInput.$inferInput;

/** The column each ResourceOrderField sorts by (Prisma's field name, also the SQL column). */
export const ORDER_COLUMN = { NAME: 'name', KIND: 'kind', LAST_SEEN_AT: 'lastSeenAt', FIRST_SEEN_AT: 'firstSeenAt' } as const;

/** orderBy for a resource page; the id breaks ties so cursors are stable. */
export function resourceOrderBy(order: typeof ResourceOrderInput.$inferInput | null | undefined): Prisma.ResourceOrderByWithRelationInput[] {
  const direction = order?.direction === 'DESC' ? 'desc' : 'asc';
  if (!order) return [{ name: 'asc' }, { id: 'asc' }];
  return [{ [ORDER_COLUMN[order.field]]: direction }, { id: direction }];
}

/** The SQL conditions of a ResourceFilter, and the viewer's scope (accounts, tenant). */
export function resourceWhere(
  ctx: Context,
  filter: ResourceFilter | null | undefined,
  options: { defaultLifecycle?: boolean } = {},
): Prisma.ResourceWhereInput {
  const and: Prisma.ResourceWhereInput[] = [resourceScope(ctx)];
  const lifecycle = filter?.lifecycle ?? (options.defaultLifecycle === false ? null : ['ACTIVE', 'MISSING']);
  if (lifecycle) and.push({ lifecycle: { in: lifecycle } });
  if (filter?.accountIds) and.push({ accountId: { in: [...accountsArg(ctx, filter.accountIds, 'filter.accountIds')] } });
  if (filter?.kinds) and.push({ kind: { in: filter.kinds } });
  if (filter?.tenantId) and.push({ tenantId: decodeIdOf('Tenant', String(filter.tenantId), 'filter.tenantId') });
  if (filter?.projectId) and.push({ projectId: decodeIdOf('Project', String(filter.projectId), 'filter.projectId') });
  if (filter?.unattributed != null) {
    const unattributed: Prisma.ResourceWhereInput = { OR: [{ tenantId: null }, { tenant: { isFallback: true } }] };
    and.push(filter.unattributed ? unattributed : { NOT: unattributed });
  }
  if (filter?.placeholder != null) and.push({ placeholder: filter.placeholder });
  if (filter?.status) and.push({ status: { in: filter.status.map((s) => s.toLowerCase()) } });
  if (filter?.region) and.push({ region: filter.region });
  if (filter?.search) {
    // A substring, wildcards included: Prisma passes `contains` to LIKE unescaped.
    const contains = escapeLike(filter.search);
    and.push({
      OR: [{ name: { contains, mode: 'insensitive' } }, { providerId: { contains, mode: 'insensitive' } }, { urn: { contains, mode: 'insensitive' } }],
    });
  }
  return { AND: and };
}
