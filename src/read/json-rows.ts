import { getDatamodel } from '../generated/pothos-types.js';

/**
 * Rows that PostgreSQL built as JSON (`to_jsonb(row)`) in the shape Prisma gives them: a
 * `timestamp` column arrives as text without a zone (UTC, as Prisma writes it) and becomes a
 * Date, like the columns that arrive as columns.
 */
const DATE_FIELDS = new Map(
  Object.entries(getDatamodel().datamodel.models).map(([model, { fields }]) => [model, fields.filter((f) => f.type === 'DateTime').map((f) => f.name)]),
);

export function fromJsonRow<T extends Record<string, unknown>>(model: string, row: T): T {
  for (const field of DATE_FIELDS.get(model) ?? []) {
    const value = row[field];
    if (typeof value === 'string') (row as Record<string, unknown>)[field] = new Date(`${value}Z`);
  }
  return row;
}
