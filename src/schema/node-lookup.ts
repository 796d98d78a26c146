import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { resolveNodes } from '@pothos/plugin-relay';

type DecodedId = { typename: string; id: string };

/** Global ids that did not decode, with the error that says why. */
const invalidIds = new WeakMap<object, GraphQLError>();

/**
 * The relay plugin's `decodeGlobalID`: `decode`, except that a malformed id becomes a marker
 * instead of failing the whole field, so `nodes` can null that one entry (with its error) and
 * `node` can still answer INVALID_ID.
 */
export function lenientDecoder(decode: (globalId: string) => DecodedId): (globalId: string) => DecodedId {
  return (globalId) => {
    try {
      return decode(globalId);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      const marker = { typename: '', id: globalId };
      invalidIds.set(marker, error);
      return marker;
    }
  };
}

/** `node(id)`: the error of a malformed id, else the lookup (null for a missing or out-of-scope row). */
export function resolveOneNode(id: DecodedId, resolveNode: (id: DecodedId) => unknown): unknown {
  const error = invalidIds.get(id);
  if (error) throw error;
  return resolveNode(id);
}

/**
 * `nodes(ids)`: each entry on its own. A missing or out-of-scope row is null; a malformed id is
 * null with its INVALID_ID error at that index (graphql-js turns an Error in a list into a
 * located error for that item only).
 */
export async function resolveNodeList(
  /** The schema builder (typed loosely: its generic types differ from the plugin's signature). */
  builder: object,
  context: object,
  info: GraphQLResolveInfo,
  ids: DecodedId[],
): Promise<unknown[]> {
  const found = await resolveNodes(
    builder as Parameters<typeof resolveNodes>[0],
    context,
    info,
    ids.map((id) => (invalidIds.has(id) ? null : id)),
  );
  return ids.map((id, i) => invalidIds.get(id) ?? found[i]);
}
