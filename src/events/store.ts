import type { SqlClient } from '../db/sql.js';
import type { EventCause, EventDraft, StoredEvent } from './types.js';

/** Key of the transaction-scoped advisory lock that orders event sequences by commit. */
const EVENT_LOCK_KEY = 7_301_001;

/**
 * Takes the event-sequence lock for the rest of the transaction. Every transaction that writes
 * resources and events takes it first (`commitChange`), so they serialise: sequences are handed
 * out in commit order (a client that saw sequence N never later finds an event below N
 * committed behind it), and no two writers can deadlock on each other's rows.
 */
export async function lockEventSequence(tx: SqlClient): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(${EVENT_LOCK_KEY})`);
}

/** Stores events in draft order; only inside `commitChange`'s transaction, after the lock. */
export async function storeEvents(tx: SqlClient, cause: EventCause, drafts: readonly EventDraft[]): Promise<StoredEvent[]> {
  if (drafts.length === 0) return [];
  const rows = await tx.query<Omit<StoredEvent, 'at'> & { at: Date }>(
    `INSERT INTO "ResourceEvent" ("accountId", "resourceId", type, kind, "tenantId", "projectId", "from", "to", at, "syncRunId", actor, reason)
     SELECT r."accountId", r.id, d.type::"ResourceEventType", r.kind, r."tenantId", r."projectId", d.f, d.t, now(), $1::uuid, $2, $3
     FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::int[]) AS d(rid, type, f, t, ord)
     JOIN "Resource" r ON r.id = d.rid
     ORDER BY d.ord
     RETURNING sequence, "accountId", "resourceId", type::text AS type, kind::text AS kind, "tenantId", "projectId", "from", "to", at, "syncRunId", actor, reason`,
    [
      cause.syncRunId ?? null,
      cause.actor ?? null,
      cause.reason ?? null,
      drafts.map((d) => d.resourceId),
      drafts.map((d) => d.type),
      drafts.map((d) => d.from),
      drafts.map((d) => d.to),
      drafts.map((_, i) => i),
    ],
  );
  return rows.map((r) => ({ ...r, sequence: Number(r.sequence), at: new Date(r.at).toISOString() })).sort((a, b) => a.sequence - b.sequence);
}
