/**
 * Items a listing left out: one that fails validation of a field the product needs is skipped
 * and named, the valid items of the listing are written, and the run counts no strikes.
 * Stored on the run (`SyncRun.skippedItems`, JSON).
 */
import { z } from 'zod';

export const ZSkippedItem = z.object({
  /** The item's id (its key field) where it could be read. */
  providerId: z.string().nullable(),
  /** Zod path of the field that failed, dot-separated, e.g. `node_pools.0.count`. */
  path: z.string(),
  /** Zod's description of the problem (never the value, so never a secret). */
  message: z.string(),
});
export type TSkippedItem = z.infer<typeof ZSkippedItem>;

/** Skipped items named per run; a run that skips more stays incomplete and logs how many it skipped. */
export const MAX_SKIPPED_ITEMS_STORED = 100;

/** The stored JSON of a run as items; anything else (an older row) reads as none. */
export function readSkippedItems(value: unknown): TSkippedItem[] {
  const parsed = z.array(ZSkippedItem).safeParse(value);
  return parsed.success ? parsed.data : [];
}

/** Zod's path as the API shows it: `node_pools.0.nodes.2.droplet_id`; the item itself is `(item)`. */
export function skippedPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(item)' : path.map(String).join('.');
}
