// The GraphQL enums of the domain's lists (src/domain/), each derived from its list: a value
// is added or described there, never here.
import { API_KEY_ROLE_DESCRIPTIONS } from '../domain/api-keys.js';
import { INVOICE_SOURCES, MATCH_METHODS, UNMATCHED_REASON_DESCRIPTIONS } from '../domain/billing.js';
import { EVENT_TYPES } from '../domain/event-types.js';
import { RESOURCE_KINDS, type ResourceKind } from '../domain/kinds.js';
import { LIFECYCLES, TENANT_SOURCES } from '../domain/lifecycle.js';
import { SYNC_RUN_STATUSES, SYNC_TRIGGERS, SYNC_WORKERS } from '../domain/workers.js';
import { builder } from './builder.js';

/** GraphQL enum case of the stored lower-case kinds: droplet_backup -> DROPLET_BACKUP. */
export const ResourceKindEnum = builder.enumType('ResourceKind', {
  values: Object.fromEntries(RESOURCE_KINDS.map((k) => [k.toUpperCase(), { value: k }])) as Record<Uppercase<ResourceKind>, { value: ResourceKind }>,
});

export const LifecycleEnum = builder.enumType('ResourceLifecycle', {
  description: 'ACTIVE: seen by the last successful sync of its kind. MISSING: absent from 1 or 2 successful syncs in a row. STALE: absent from 3 or more.',
  values: LIFECYCLES,
});

export const TenantSourceEnum = builder.enumType('TenantSource', {
  description: "Where a resource's tenant comes from.",
  values: TENANT_SOURCES,
});

export const ResourceEventTypeEnum = builder.enumType('ResourceEventType', { values: EVENT_TYPES });

export const SyncWorkerEnum = builder.enumType('SyncWorker', { values: SYNC_WORKERS });
export const SyncRunStatusEnum = builder.enumType('SyncRunStatus', { values: SYNC_RUN_STATUSES });
export const SyncTriggerEnum = builder.enumType('SyncTrigger', { values: SYNC_TRIGGERS });

export const InvoiceSourceEnum = builder.enumType('InvoiceSource', { values: INVOICE_SOURCES });
export const UnmatchedReasonEnum = builder.enumType('UnmatchedReason', { values: UNMATCHED_REASON_DESCRIPTIONS });
export const MatchMethodEnum = builder.enumType('MatchMethod', { values: MATCH_METHODS });

export const ApiKeyRoleEnum = builder.enumType('ApiKeyRole', { values: API_KEY_ROLE_DESCRIPTIONS });

export const OrderDirectionEnum = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });
