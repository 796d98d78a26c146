/**
 * The column (or JSON key) in which a row that the read path's own SQL built lists the
 * relations it carries, comma-separated. Selected by the statement, so the row is created with
 * it: adding a property to a row after the driver made it costs about 1 µs a row.
 */
export const BUILT_KEY = '$built';

/** What `builtRelation` answers for a relation the row's statement did not build. */
export const NOT_BUILT = Symbol('not built');

const lists = new Map<string, readonly string[]>();

/**
 * The SQL value of BUILT_KEY for rows carrying `relations`, built by the read path's statement
 * for the operation's selection, each already limited by the viewer's scope as its Prisma
 * relation would be: their resolvers answer from the row (`builtRelation`), with no planning
 * or loading of their own.
 */
export function builtSql(relations: readonly string[]): string {
  for (const r of relations) if (!/^[A-Za-z]+$/.test(r)) throw new Error(`not a relation name: ${r}`);
  return `'${relations.join(',')}'`;
}

/** The relation `field` of `parent` if its statement built it (null when the row had none); NOT_BUILT otherwise. */
export function builtRelation(parent: unknown, field: string): unknown {
  const built = (parent as Record<string, unknown> | null)?.[BUILT_KEY];
  if (typeof built !== 'string') return NOT_BUILT;
  let relations = lists.get(built);
  if (!relations) {
    relations = built.split(',');
    lists.set(built, relations);
  }
  if (!relations.includes(field)) return NOT_BUILT;
  return (parent as Record<string, unknown>)[field] ?? null;
}
