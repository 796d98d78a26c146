import type { ResourceKind } from '../domain/kinds.js';
import { commitChange, type CommitDeps } from '../events/commit.js';
import { NO_CHANGE, type ChangeCounts } from '../events/counts.js';
import type { EventDraft } from '../events/types.js';

/** Misses in a row after which a resource is STALE. */
export const STALE_AFTER_MISSES = 3;

/**
 * Three strikes, after a complete listing only: every resource of the kind the listing did
 * not contain gets one more miss; at 1 it is MISSING (event MISSED), at 3 STALE (event STALE,
 * staleSince set). Stale rows are not touched again; nothing is deleted. `placeholders`
 * chooses which rows the listing speaks for: a kind's worker lists real rows, the project
 * membership sweep lists placeholders.
 */
export async function markMissing(
  deps: CommitDeps,
  ctx: { accountId: string; syncRunId: string | null },
  kind: ResourceKind,
  seen: string[],
  placeholders: boolean,
): Promise<ChangeCounts> {
  // A cheap read first: an account where nothing disappeared writes nothing.
  const [{ n }] = (await deps.db.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "Resource"
     WHERE "accountId" = $1::uuid AND kind = $2::"ResourceKind" AND placeholder = $3 AND lifecycle <> 'STALE'
       AND NOT ("providerId" = ANY($4::text[]))`,
    [ctx.accountId, kind, placeholders, seen],
  )) as [{ n: number }];
  if (n === 0) return NO_CHANGE;
  const { counts } = await commitChange(deps, { syncRunId: ctx.syncRunId }, async (tx) => {
    const missed = await tx.query<{ id: string; missedSyncs: number }>(
      `UPDATE "Resource" SET "missedSyncs" = "missedSyncs" + 1,
         lifecycle = (CASE WHEN "missedSyncs" + 1 >= ${STALE_AFTER_MISSES} THEN 'STALE' ELSE 'MISSING' END)::"Lifecycle",
         "staleSince" = CASE WHEN "missedSyncs" + 1 >= ${STALE_AFTER_MISSES} THEN now() ELSE NULL END,
         "updatedAt" = now()
       WHERE "accountId" = $1::uuid AND kind = $2::"ResourceKind" AND placeholder = $3 AND lifecycle <> 'STALE'
         AND NOT ("providerId" = ANY($4::text[]))
       RETURNING id, "missedSyncs"`,
      [ctx.accountId, kind, placeholders, seen],
    );
    const events: EventDraft[] = [];
    for (const m of missed) {
      if (m.missedSyncs === 1) events.push({ resourceId: m.id, type: 'MISSED', from: 'ACTIVE', to: 'MISSING' });
      else if (m.missedSyncs >= STALE_AFTER_MISSES) events.push({ resourceId: m.id, type: 'STALE', from: 'MISSING', to: 'STALE' });
    }
    return { events };
  });
  return counts;
}
