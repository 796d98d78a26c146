import type * as Db from '../generated/prisma/enums.js';
import { dbEnum, type Described } from './list.js';

/**
 * What happened to a resource (`ResourceEvent.type`): CREATED, STATUS_CHANGED, the lifecycle
 * steps MISSED, STALE and REVIVED, and the attribution changes TENANT_CHANGED and PROJECT_CHANGED.
 */
export const EVENT_TYPES = dbEnum<Db.ResourceEventType>()(['CREATED', 'STATUS_CHANGED', 'MISSED', 'STALE', 'REVIVED', 'TENANT_CHANGED', 'PROJECT_CHANGED']);

export type EventType = (typeof EVENT_TYPES)[number];

/** What the GraphQL `ResourceEventType` says of each type. */
export const EVENT_TYPE_DESCRIPTIONS = {
  CREATED: { description: 'A sync saw the resource for the first time.' },
  STATUS_CHANGED: { description: 'The provider status changed (from/to: the statuses, lower case).' },
  MISSED: { description: 'A successful sync of its kind did not see it: ACTIVE became MISSING (from/to: the lifecycles).' },
  STALE: { description: 'Missing from 3 successful syncs in a row: it became STALE.' },
  REVIVED: { description: 'A MISSING or STALE resource was seen again and is ACTIVE.' },
  TENANT_CHANGED: { description: 'Its tenant changed (from/to: tenant slugs), by a sync or an operator (actor, reason).' },
  PROJECT_CHANGED: { description: 'It moved to another project (from/to: project provider ids).' },
} as const satisfies Record<EventType, Described>;
