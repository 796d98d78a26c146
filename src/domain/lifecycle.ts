import type * as Db from '../generated/prisma/enums.js';
import { dbEnum } from './list.js';

/**
 * Where a resource is in its life, from the syncs' point of view (the GraphQL
 * `ResourceLifecycle`): ACTIVE when the last successful sync of its kind saw it, MISSING after
 * 1 or 2 successful syncs in a row without it, STALE after 3 or more.
 */
export const LIFECYCLES = dbEnum<Db.Lifecycle>()(['ACTIVE', 'MISSING', 'STALE']);

export type Lifecycle = (typeof LIFECYCLES)[number];

/**
 * Where a resource's tenant comes from: its PROJECT (or its parent's, for backups and
 * snapshots), a MANUAL override that syncs keep, the FALLBACK tenant for orphans, or NONE.
 */
export const TENANT_SOURCES = dbEnum<Db.TenantSource>()(['PROJECT', 'MANUAL', 'FALLBACK', 'NONE']);

export type TenantSource = (typeof TENANT_SOURCES)[number];
