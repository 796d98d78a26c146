/**
 * An item a listing left out because it failed validation of a field the product needs: the
 * client names it (`TOnInvalid`) and the listing goes on with the valid items.
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

/** Zod's path as the API shows it: `node_pools.0.nodes.2.droplet_id`; the item itself is `(item)`. */
export function skippedPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(item)' : path.map(String).join('.');
}
