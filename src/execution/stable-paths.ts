type Path = { readonly prev: Path | undefined; readonly key: string | number; readonly typename: string | undefined };
type StablePath = Path & { children?: Map<string | number, StablePath> };

/** Per operation context: the stable paths of its top-level fields. */
const roots = new WeakMap<object, Map<string | number, StablePath>>();

/**
 * The one path object of the operation (`context`) for `path`'s keys, list indices included,
 * whose `prev` is its parent field's. graphql-js passes paths like that; graphql-jit (compiled
 * execution) builds a new chain for every resolver call. Pothos' Prisma plugin relies on it: a
 * relation or connection records what its query loaded under its own path object, and the
 * fields below find it through their `info.path.prev` chain; without the same objects they
 * load their data again, one query per parent row.
 */
export function stablePath(context: object, path: Path | undefined): StablePath | undefined {
  if (!path) return undefined;
  const prev = stablePath(context, path.prev);
  let siblings = prev ? prev.children : roots.get(context);
  if (!siblings) {
    siblings = new Map();
    if (prev) prev.children = siblings;
    else roots.set(context, siblings);
  }
  let node = siblings.get(path.key);
  if (!node) {
    node = { prev, key: path.key, typename: path.typename };
    siblings.set(path.key, node);
  }
  return node;
}
