import type { Database } from '../db/index.js';
import type { SqlClient } from '../db/sql.js';
import type { EventType } from '../domain/event-types.js';
import type { PubSub, ResourceEventMessage } from '../pubsub.js';

/** An event to store; tenant and project are read from the resource as the transaction left it. */
export type EventDraft = {
  resourceId: string;
  type: EventType;
  from: string | null;
  to: string | null;
  actor?: string | null;
  reason?: string | null;
};

/** Key of the transaction-scoped advisory lock that orders event sequences by commit. */
const EVENT_LOCK_KEY = 7_301_001;

/**
 * Runs `fn` in a transaction that first takes the event-sequence lock. Every transaction
 * that writes resources and events goes through here, so they serialise: sequences are
 * handed out in commit order (a client that saw sequence N never later finds an event
 * below N committed behind it), and no two writers can deadlock on each other's rows.
 */
export async function eventTransaction<T>(db: Database, fn: (tx: SqlClient) => Promise<T>): Promise<T> {
  return db.sql.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${EVENT_LOCK_KEY})`);
    return fn(tx);
  });
}

/** Stores events; only inside `eventTransaction`. */
export async function insertEvents(
  tx: SqlClient,
  accountId: string,
  syncRunId: string | null,
  drafts: EventDraft[],
): Promise<ResourceEventMessage[]> {
  if (drafts.length === 0) return [];
  const rows = await tx.query<Omit<ResourceEventMessage, 'at'> & { at: Date }>(
    `INSERT INTO "ResourceEvent" ("accountId", "resourceId", type, kind, "tenantId", "projectId", "from", "to", at, "syncRunId", actor, reason)
     SELECT $1::uuid, r.id, d.type::"ResourceEventType", r.kind, r."tenantId", r."projectId", d.f, d.t, now(), $2::uuid, d.actor, d.reason
     FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[]) AS d(rid, type, f, t, actor, reason, ord)
     JOIN "Resource" r ON r.id = d.rid
     ORDER BY d.ord
     RETURNING sequence, "accountId", "resourceId", type::text AS type, kind::text AS kind, "tenantId", "projectId", "from", "to", at, "syncRunId", actor, reason`,
    [
      accountId,
      syncRunId,
      drafts.map((d) => d.resourceId),
      drafts.map((d) => d.type),
      drafts.map((d) => d.from),
      drafts.map((d) => d.to),
      drafts.map((d) => d.actor ?? null),
      drafts.map((d) => d.reason ?? null),
      drafts.map((_, i) => i),
    ],
  );
  return rows.map((r) => ({ ...r, sequence: Number(r.sequence), at: new Date(r.at).toISOString() })).sort((a, b) => a.sequence - b.sequence);
}

/** Publishes stored events; call only after their transaction committed. */
export async function publishEvents(pubsub: PubSub, events: ResourceEventMessage[]): Promise<void> {
  for (const e of events) await pubsub.publish('resourceEvent', e);
}
