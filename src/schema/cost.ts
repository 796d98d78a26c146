import { getNamedType, getNullableType, isListType, isObjectType, type GraphQLField } from 'graphql';
import type { FieldComplexityValue } from '@pothos/plugin-complexity';
import { DEFAULT_PAGE_SIZE } from './page-size.js';

/** Multiplier of a list field whose size no argument gives (Pothos's own default). */
export const DEFAULT_LIST_SIZE = 10;

/**
 * The cost of one field for `@pothos/plugin-complexity`: every field costs 1; a connection
 * (a `…Connection` type with `first`/`last`) multiplies its selection by the page it asks
 * for (`first`, `last`, the larger of both, or 20 when neither is given), so nested
 * connections multiply through; its `edges` then count once per item. A list field with a
 * list argument (`nodes(ids:)`) multiplies by that list's length; other lists by 10.
 */
// biome-ignore lint/suspicious/noExplicitAny: Pothos hands over fields of any source type; only their type and args are read.
export function fieldCost(args: Record<string, unknown>, _ctx: unknown, field: GraphQLField<unknown, any>): FieldComplexityValue {
  const named = getNamedType(field.type);
  if (isObjectType(named) && named.name.endsWith('Connection') && field.args.some((a) => a.name === 'first' || a.name === 'last')) {
    const first = typeof args.first === 'number' ? args.first : null;
    const last = typeof args.last === 'number' ? args.last : null;
    const page = first === null && last === null ? DEFAULT_PAGE_SIZE : Math.max(first ?? 0, last ?? 0);
    return { field: 1, multiplier: Math.max(page, 0) };
  }
  if (!isListType(getNullableType(field.type))) return 1;
  if (field.name === 'edges' && named.name.endsWith('Edge')) return { field: 1, multiplier: 1 };
  const listArgs = Object.values(args).filter(Array.isArray);
  return { field: 1, multiplier: listArgs.length ? Math.max(...listArgs.map((a) => a.length)) : DEFAULT_LIST_SIZE };
}
