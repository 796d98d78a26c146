import type * as Db from '../generated/prisma/enums.js';
import { dbEnum, type Described } from './list.js';

/**
 * Where a resource is in its life, from the syncs' point of view (the GraphQL
 * `ResourceLifecycle`): ACTIVE when the last successful sync of its kind saw it, MISSING after
 * 1 or 2 successful syncs in a row without it, STALE after 3 or more.
 */
export const LIFECYCLES = dbEnum<Db.Lifecycle>()(['ACTIVE', 'MISSING', 'STALE']);

export type Lifecycle = (typeof LIFECYCLES)[number];

/** What the GraphQL `ResourceLifecycle` says of each value. */
export const LIFECYCLE_DESCRIPTIONS = {
  ACTIVE: { description: 'Seen by the last successful sync of its kind.' },
  MISSING: { description: 'Absent from 1 or 2 successful syncs in a row (it may come back: REVIVED).' },
  STALE: { description: 'Absent from 3 or more successful syncs in a row; hidden from `resources` unless the filter asks for it.' },
} as const satisfies Record<Lifecycle, Described>;

/**
 * Where a resource's tenant comes from: its PROJECT (or its parent's, for backups and
 * snapshots), a MANUAL override that syncs keep, the FALLBACK tenant for orphans, or NONE.
 */
export const TENANT_SOURCES = dbEnum<Db.TenantSource>()(['PROJECT', 'MANUAL', 'FALLBACK', 'NONE']);

export type TenantSource = (typeof TENANT_SOURCES)[number];

/** What the GraphQL `TenantSource` says of each value. */
export const TENANT_SOURCE_DESCRIPTIONS = {
  PROJECT: { description: "The tenant of its project (or of its parent's project, for backups and snapshots)." },
  MANUAL: { description: 'Set by an operator (reassignResourceTenant); syncs keep it until it is removed.' },
  FALLBACK: { description: 'The fallback tenant (FALLBACK_TENANT, default "unassigned"): the resource is in no project, or its project has no tenant.' },
  NONE: { description: 'No tenant.' },
} as const satisfies Record<TenantSource, Described>;
