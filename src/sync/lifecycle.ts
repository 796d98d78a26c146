import type { Database } from '../db/index.js';
import type { ResourceKind } from '../domain/kinds.js';
import type { ResourceEventMessage } from '../pubsub.js';
import { eventTransaction, insertEvents, type EventDraft } from './events.js';

/** Misses in a row after which a resource is STALE. */
export const STALE_AFTER_MISSES = 3;

export type MissResult = { markedMissing: number; markedStale: number; events: ResourceEventMessage[] };

/**
 * Three strikes, after a complete listing only: every resource of the kind the listing did
 * not contain gets one more miss; at 1 it is MISSING (event MISSED), at 3 STALE (event STALE,
 * staleSince set). Stale rows are not touched again; nothing is deleted. `placeholders`
 * chooses which rows the listing speaks for: a kind's worker lists real rows, the project
 * membership sweep lists placeholders.
 */
export async function markMissing(
  db: Database,
  ctx: { accountId: string; syncRunId: string | null },
  kind: ResourceKind,
  seen: string[],
  placeholders: boolean,
): Promise<MissResult> {
  // A cheap read first: an account where nothing disappeared writes nothing.
  const [{ n }] = await db.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "Resource"
     WHERE "accountId" = $1::uuid AND kind = $2::"ResourceKind" AND placeholder = $3 AND lifecycle <> 'STALE'
       AND NOT ("providerId" = ANY($4::text[]))`, [ctx.accountId,
    kind,
    placeholders,
    seen]) as [{ n: number }];
  if (n === 0) return { markedMissing: 0, markedStale: 0, events: [] };
  return eventTransaction(db, async (tx) => {
    const missed = await tx.query<{ id: string; missedSyncs: number }>(
      `UPDATE "Resource" SET "missedSyncs" = "missedSyncs" + 1,
         lifecycle = (CASE WHEN "missedSyncs" + 1 >= ${STALE_AFTER_MISSES} THEN 'STALE' ELSE 'MISSING' END)::"Lifecycle",
         "staleSince" = CASE WHEN "missedSyncs" + 1 >= ${STALE_AFTER_MISSES} THEN now() ELSE NULL END,
         "updatedAt" = now()
       WHERE "accountId" = $1::uuid AND kind = $2::"ResourceKind" AND placeholder = $3 AND lifecycle <> 'STALE'
         AND NOT ("providerId" = ANY($4::text[]))
       RETURNING id, "missedSyncs"`, [ctx.accountId,
      kind,
      placeholders,
      seen]);
    const drafts: EventDraft[] = [];
    let markedMissing = 0;
    let markedStale = 0;
    for (const m of missed) {
      if (m.missedSyncs === 1) {
        markedMissing++;
        drafts.push({ resourceId: m.id, type: 'MISSED', from: 'ACTIVE', to: 'MISSING' });
      } else if (m.missedSyncs >= STALE_AFTER_MISSES) {
        markedStale++;
        drafts.push({ resourceId: m.id, type: 'STALE', from: 'MISSING', to: 'STALE' });
      }
    }
    const events = await insertEvents(tx, ctx.accountId, ctx.syncRunId, drafts);
    return { markedMissing, markedStale, events };
  });
}
