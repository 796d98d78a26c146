import type { Database } from '../db/index.js';
import type { SqlClient } from '../db/sql.js';
import type { Logger } from '../log.js';
import type { PubSub } from '../pubsub.js';
import { countEvents, NO_CHANGE, type ChangeCounts } from './counts.js';
import { lockEventSequence, storeEvents } from './store.js';
import type { EventCause, EventDraft, StoredEvent } from './types.js';

/** What a commit needs: the database to write to, the pub/sub to announce on, a log for what fails after the commit; metrics when kept. */
export type CommitDeps = { db: Database; pubsub: PubSub; log: Logger; metrics?: { events?: EventObserver } };

/** What a commit reports (src/metrics): the events stored and how many of them were published. */
export type EventObserver = { committed(cause: EventCause, events: readonly StoredEvent[], published: number): void };

/** What a change's body did: the events it makes, and the counts no event stands for. */
export type Change = { events: EventDraft[]; updated?: number; unchanged?: number };

export type Committed = { counts: ChangeCounts; events: StoredEvent[] };

/**
 * THE way to change inventory state (resources, their tenants and projects): runs `change` in
 * one transaction after the event-sequence lock (`lockEventSequence`), stores the events it
 * returns with their sequence in the same transaction, and once committed publishes them on
 * the pub/sub. Publishing is best effort and never throws: the change is committed, and
 * subscribers catch up by sequence. Returns what the change did, counted (`ChangeCounts`).
 */
export async function commitChange(deps: CommitDeps, cause: EventCause, change: (tx: SqlClient) => Promise<Change>): Promise<Committed> {
  const { events, updated, unchanged } = await deps.db.sql.transaction(async (tx) => {
    await lockEventSequence(tx);
    const done = await change(tx);
    return { ...done, events: await storeEvents(tx, cause, done.events) };
  });
  const eventsPublished = await publishCommitted(deps, events);
  deps.metrics?.events?.committed(cause, events, eventsPublished);
  return { counts: { ...NO_CHANGE, ...countEvents(events), updated: updated ?? 0, unchanged: unchanged ?? 0, eventsPublished }, events };
}

/**
 * Publishes committed events in sequence order; returns how many were handed over. All are handed
 * over at once: the transport keeps the order of its calls (one emitter, one Redis connection), and
 * a commit's later events do not wait for Redis to answer about the earlier ones.
 */
async function publishCommitted(deps: CommitDeps, events: readonly StoredEvent[]): Promise<number> {
  const handedOver = await Promise.all(
    events.map(async (e) => {
      try {
        await deps.pubsub.publish('resourceEvent', e);
        return true;
      } catch (error) {
        // The PubSub contract says publish never rejects; a transport that breaks it still must not undo a commit.
        deps.log.warn('publishing a committed event failed', { sequence: e.sequence, error: error instanceof Error ? error.message : String(error) });
        return false;
      }
    }),
  );
  return handedOver.filter(Boolean).length;
}
