import type { ResourceEventMessage } from '../pubsub.js';

import type { EventType } from '../domain/event-types.js';

/**
 * What `from`/`to` hold for the types that name another row: its id, never a label, so a
 * renamed tenant slug keeps its history. Labels (tenant slug, project provider id) are read
 * when the event is shown (`loadEventLabels`). The other types hold the value itself (status,
 * lifecycle).
 */
export const EVENT_REFERENCES = { TENANT_CHANGED: 'tenant', PROJECT_CHANGED: 'project' } as const satisfies Partial<Record<EventType, string>>;
export type EventReference = (typeof EVENT_REFERENCES)[keyof typeof EVENT_REFERENCES];

/** The row an event's `from`/`to` names, if its type names one. */
export function referenceOf(type: string): EventReference | null {
  return type in EVENT_REFERENCES ? EVENT_REFERENCES[type as keyof typeof EVENT_REFERENCES] : null;
}

/**
 * An event to store. Account, kind, tenant and project are read from the resource as the
 * transaction left it; who or what caused it is the commit's (`EventCause`).
 */
export type EventDraft = {
  resourceId: string;
  type: EventType;
  /** Status or lifecycle; for TENANT_CHANGED a tenant id, for PROJECT_CHANGED a project id. */
  from: string | null;
  to: string | null;
};

/** Who or what made a change: a sync run, or an operator (with the reason they gave). */
export type EventCause = { syncRunId?: string | null; actor?: string | null; reason?: string | null };

/** An event as stored (and as published after its commit). */
export type StoredEvent = ResourceEventMessage;
