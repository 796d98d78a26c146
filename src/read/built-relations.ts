/** Where a row that the read path's own SQL built lists the relations it carries. */
const BUILT = Symbol('relations built by the statement');

/** What `builtRelation` answers for a relation the row's statement did not build. */
export const NOT_BUILT = Symbol('not built');

type Built = { [BUILT]?: readonly string[] };

/**
 * Marks `row` as carrying `relations` built by the read path's statement for the operation's
 * selection, each already limited by the viewer's scope as its Prisma relation would be: their
 * resolvers answer from the row (`builtRelation`), with no planning or loading of their own.
 */
export function markBuilt<T extends object>(row: T, relations: readonly string[]): T {
  (row as Built)[BUILT] = relations;
  return row;
}

/** The relation `field` of `parent` if its statement built it (null when the row had none); NOT_BUILT otherwise. */
export function builtRelation(parent: unknown, field: string): unknown {
  const built = (parent as Built | null)?.[BUILT];
  if (!built?.includes(field)) return NOT_BUILT;
  return (parent as Record<string, unknown>)[field] ?? null;
}
