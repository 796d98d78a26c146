/**
 * Items a listing left out: one that fails validation of a field the product needs is skipped
 * and named, the valid items of the listing are written, and the run counts no strikes.
 * Stored on the run (`SyncRun.skippedItems`, JSON).
 */
import { z } from 'zod';
import { ZSkippedItem, type TSkippedItem } from '../digitalocean/skipped-item.js';

/** Skipped items named per run; a run that skips more stays incomplete and logs how many it skipped. */
export const MAX_SKIPPED_ITEMS_STORED = 100;

/** The stored JSON of a run as items; anything else (an older row) reads as none. */
export function readSkippedItems(value: unknown): TSkippedItem[] {
  const parsed = z.array(ZSkippedItem).safeParse(value);
  return parsed.success ? parsed.data : [];
}
