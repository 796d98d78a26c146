import type { StoredEvent } from './types.js';

/** What one committed change did to the inventory; sums of them make a run's counts. */
export type ChangeCounts = {
  /** Resources that did not exist before (CREATED events of new rows; a placeholder made real is `updated`). */
  created: number;
  /** Existing resources written because something about them changed. */
  updated: number;
  /** Resources listed again exactly as stored (nothing written). */
  unchanged: number;
  /** Resources missed by a complete listing for the first time (MISSED events). */
  missed: number;
  /** Resources missed often enough to be STALE (STALE events). */
  stale: number;
  /** MISSING or STALE resources seen again (REVIVED events). */
  revived: number;
  /** Events stored in the change's transaction. */
  eventsStored: number;
  /** Events handed to the pub/sub after the commit (delivery itself is best effort). */
  eventsPublished: number;
};

export const NO_CHANGE: ChangeCounts = Object.freeze({
  created: 0,
  updated: 0,
  unchanged: 0,
  missed: 0,
  stale: 0,
  revived: 0,
  eventsStored: 0,
  eventsPublished: 0,
});

/** Adds `more` to `total` in place (a run's counts: `ChangeCounts` and what else it counts). */
export function addCounts<T extends Record<keyof T, number>>(total: T, more: Partial<T>): void {
  const sums: Record<string, number> = total;
  for (const [key, value] of Object.entries(more)) if (typeof value === 'number') sums[key] = (sums[key] ?? 0) + value;
}

/** The counts stored events stand for (the others are the writer's: `updated`, `unchanged`). */
export function countEvents(events: readonly StoredEvent[]): Pick<ChangeCounts, 'created' | 'missed' | 'stale' | 'revived' | 'eventsStored'> {
  const counts = { created: 0, missed: 0, stale: 0, revived: 0, eventsStored: events.length };
  for (const e of events) {
    if (e.type === 'CREATED' && e.from === null) counts.created++;
    else if (e.type === 'MISSED') counts.missed++;
    else if (e.type === 'STALE') counts.stale++;
    else if (e.type === 'REVIVED') counts.revived++;
  }
  return counts;
}
