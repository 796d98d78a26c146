import type * as Db from '../generated/prisma/enums.js';
import { dbEnum } from './list.js';

/**
 * What happened to a resource (`ResourceEvent.type`): CREATED, STATUS_CHANGED, the lifecycle
 * steps MISSED, STALE and REVIVED, and the attribution changes TENANT_CHANGED and PROJECT_CHANGED.
 */
export const EVENT_TYPES = dbEnum<Db.ResourceEventType>()(['CREATED', 'STATUS_CHANGED', 'MISSED', 'STALE', 'REVIVED', 'TENANT_CHANGED', 'PROJECT_CHANGED']);

export type EventType = (typeof EVENT_TYPES)[number];
