import { RESOURCE_KINDS } from '../domain/kinds.js';
import { builder } from './builder.js';

/** GraphQL enum case of the stored lower-case kinds: droplet_backup -> DROPLET_BACKUP. */
export const ResourceKindEnum = builder.enumType('ResourceKind', {
  values: Object.fromEntries(RESOURCE_KINDS.map((k) => [k.toUpperCase(), { value: k }])) as Record<
    Uppercase<(typeof RESOURCE_KINDS)[number]>,
    { value: (typeof RESOURCE_KINDS)[number] }
  >,
});

export const LifecycleEnum = builder.enumType('ResourceLifecycle', {
  description:
    'ACTIVE: seen by the last successful sync of its kind. MISSING: absent from 1 or 2 successful syncs in a row. STALE: absent from 3 or more.',
  values: ['ACTIVE', 'MISSING', 'STALE'] as const,
});

export const TenantSourceEnum = builder.enumType('TenantSource', {
  description: "Where a resource's tenant comes from.",
  values: ['PROJECT', 'MANUAL', 'FALLBACK', 'NONE'] as const,
});

export const OrderDirectionEnum = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });

/** Expected problems are data: every mutation payload carries these (empty on success). */
export type UserErrorShape = { code: string; message: string; path?: string[] | null };

export const UserErrorRef = builder.objectRef<UserErrorShape>('UserError').implement({
  fields: (t) => ({
    code: t.exposeString('code', {
      description: 'Stable machine-readable code, e.g. NOT_FOUND, INVALID_INPUT, INVALID_CSV, DUPLICATE, UPSTREAM_ERROR.',
    }),
    message: t.exposeString('message'),
    path: t.exposeStringList('path', { nullable: true, description: 'Input field path the error refers to, when there is one.' }),
  }),
});
