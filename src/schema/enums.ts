// The GraphQL enums of the domain's lists (src/domain/), each derived from its list: a value
// is added or described there, never here.
import { API_KEY_ROLE_DESCRIPTIONS } from '../domain/api-keys.js';
import { INVOICE_SOURCE_DESCRIPTIONS, MATCH_METHOD_DESCRIPTIONS, UNMATCHED_REASON_DESCRIPTIONS } from '../domain/billing.js';
import { EVENT_TYPE_DESCRIPTIONS } from '../domain/event-types.js';
import { RESOURCE_KIND_DESCRIPTIONS, RESOURCE_KINDS, type ResourceKind } from '../domain/kinds.js';
import { LIFECYCLE_DESCRIPTIONS, TENANT_SOURCE_DESCRIPTIONS } from '../domain/lifecycle.js';
import { SYNC_RUN_STATUS_DESCRIPTIONS, SYNC_TRIGGER_DESCRIPTIONS, SYNC_WORKER_DESCRIPTIONS } from '../domain/workers.js';
import { builder } from './builder.js';

/** GraphQL enum case of the stored lower-case kinds: droplet_backup -> DROPLET_BACKUP. */
export const ResourceKindEnum = builder.enumType('ResourceKind', {
  description: 'A kind of DigitalOcean resource the inventory holds (the stored kind in upper case: droplet_backup is DROPLET_BACKUP).',
  values: Object.fromEntries(RESOURCE_KINDS.map((k) => [k.toUpperCase(), { value: k, description: RESOURCE_KIND_DESCRIPTIONS[k].description }])) as Record<
    Uppercase<ResourceKind>,
    { value: ResourceKind; description: string }
  >,
});

export const LifecycleEnum = builder.enumType('ResourceLifecycle', {
  description: 'ACTIVE: seen by the last successful sync of its kind. MISSING: absent from 1 or 2 successful syncs in a row. STALE: absent from 3 or more.',
  values: LIFECYCLE_DESCRIPTIONS,
});

export const TenantSourceEnum = builder.enumType('TenantSource', {
  description: "Where a resource's tenant comes from.",
  values: TENANT_SOURCE_DESCRIPTIONS,
});

export const ResourceEventTypeEnum = builder.enumType('ResourceEventType', {
  description: 'What happened to a resource.',
  values: EVENT_TYPE_DESCRIPTIONS,
});

export const SyncWorkerEnum = builder.enumType('SyncWorker', {
  description: 'A sync worker: what it lists from DigitalOcean, and its default schedule (each one a setting, SYNC_SCHEDULE_<WORKER>).',
  values: SYNC_WORKER_DESCRIPTIONS,
});
export const SyncRunStatusEnum = builder.enumType('SyncRunStatus', { description: "A sync run's state.", values: SYNC_RUN_STATUS_DESCRIPTIONS });
export const SyncTriggerEnum = builder.enumType('SyncTrigger', { description: 'What started a sync run.', values: SYNC_TRIGGER_DESCRIPTIONS });

export const InvoiceSourceEnum = builder.enumType('InvoiceSource', { description: 'Where an invoice came from.', values: INVOICE_SOURCE_DESCRIPTIONS });
export const UnmatchedReasonEnum = builder.enumType('UnmatchedReason', {
  description: 'Why an invoice line is not tied to a resource; every unmatched line has exactly one.',
  values: UNMATCHED_REASON_DESCRIPTIONS,
});
export const MatchMethodEnum = builder.enumType('MatchMethod', {
  description: 'How an invoice line was matched to its resource.',
  values: MATCH_METHOD_DESCRIPTIONS,
});

export const ApiKeyRoleEnum = builder.enumType('ApiKeyRole', { description: 'What an API key may do.', values: API_KEY_ROLE_DESCRIPTIONS });

export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  description: 'Sort direction.',
  values: { ASC: { description: 'Ascending: A to Z, oldest first.' }, DESC: { description: 'Descending: Z to A, newest first.' } } as const,
});
