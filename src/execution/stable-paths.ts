import { type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';

type Path = { readonly prev: Path | undefined; readonly key: string | number; readonly typename: string | undefined };
type StablePath = Path & { children?: Map<string | number, StablePath> };

/** Per operation context: the stable paths of its top-level fields. */
const roots = new WeakMap<object, Map<string | number, StablePath>>();

/** The one path object of this operation for `path`'s keys (list indices included). */
function stable(context: object, path: Path | undefined): StablePath | undefined {
  if (!path) return undefined;
  const prev = stable(context, path.prev);
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

/**
 * Gives every resolver of `schema` one `info.path` object per response path and operation,
 * whose `prev` is its parent field's `info.path`: graphql-js passes paths like that, graphql-jit
 * (compiled execution) builds a new chain for every call. Pothos' Prisma plugin relies on it:
 * a relation or connection records what its query loaded under its own path object, and the
 * fields below find it through their `info.path.prev` chain; without the same objects they
 * load their data again, one query per parent row.
 *
 * Changes the schema's fields in place and returns it.
 */
export function withStablePaths(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve as GraphQLFieldResolver<unknown, object> | undefined;
      if (!resolve) continue;
      field.resolve = (parent, args, context, info) => {
        (info as { path: unknown }).path = stable(context, info.path as Path);
        return resolve(parent, args, context, info);
      };
    }
  }
  return schema;
}
