/**
 * Returns `values` as given; compiles only when they are exactly the members of `Db`, a Prisma
 * enum (the database's own list): a value missing from either side fails `tsc`, and the error
 * names it. Curried so that `Db` is given and the values' literal types are inferred:
 * `dbEnum<Db.Lifecycle>()(['ACTIVE', 'MISSING', 'STALE'])`.
 */
export function dbEnum<Db extends string>() {
  return <const L extends readonly Db[]>(values: L & NoneMissing<Db, L[number]>): L => values;
}

type NoneMissing<Db extends string, Listed extends string> = [Exclude<Db, Listed>] extends [never] ? unknown : { missingFromTheList: Exclude<Db, Listed> };

/** A list value with the description the GraphQL enum shows for it. */
export type Described = { readonly description: string };

/** The values of a described list, in the order they are written. */
export function keysOf<T extends Readonly<Record<string, Described>>>(list: T): (keyof T & string)[] {
  return Object.keys(list) as (keyof T & string)[];
}
