import { apiError } from '../domain/error-codes.js';
import { builder } from './builder.js';

import { PAGE_DOCS } from './docs.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './page-size.js';

/** Rejects page sizes outside 0..100 with a message that says why (never silently clamps). */
export type PageArgs = { first?: number | null; last?: number | null };

export function assertPageArgs(args: PageArgs): void {
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw apiError('BAD_USER_INPUT', `${name} must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`, { extensions: { argument: name } });
    }
  }
}

export const connectionSizes = { maxSize: MAX_PAGE_SIZE, defaultSize: DEFAULT_PAGE_SIZE } as const;

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: PAGE_DOCS.totalCount,
    resolve: (parent) => (typeof parent.totalCount === 'function' ? parent.totalCount() : parent.totalCount),
  }),
);

/** The contract's named connection and edge types (`ResourceConnection`, `ResourceEdge`). */
export function namedConnection<Ref extends Parameters<typeof builder.connectionObject>[0]['type']>(ref: Ref, name: string) {
  return builder.connectionObject(
    { type: ref, name: `${name}Connection`, description: PAGE_DOCS.connection(name) },
    { name: `${name}Edge`, description: PAGE_DOCS.edge(name) },
  );
}
