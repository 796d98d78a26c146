/** Positional parameters of one SQL statement: `add(value)` returns its placeholder (`$1`, `$2`, ...). */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` can be a uuid column's value (anything else matches no row, instead of failing the cast). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * `column` is one of `ids` (uuids). One id is an equality, so PostgreSQL can walk an index that
 * starts with the column in the order of the next ones (a page by name of one account reads
 * its 100 rows, where `= ANY(array)` sorted every row of the account); none matches no row.
 */
export function uuidIn(column: string, ids: readonly string[], params: SqlParams): string {
  if (ids.length === 0) return 'FALSE';
  return ids.length === 1 ? `${column} = ${params.add(ids[0])}::uuid` : `${column} = ANY(${params.add([...ids])}::uuid[])`;
}
