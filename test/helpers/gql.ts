import type { App } from '../../src/app.js';

/** A GraphQL error as the server answers it. */
export type GqlError = { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> };

/**
 * A GraphQL response with `data` typed by the test. `data` is typed as present: a test reads
 * it after asserting the request succeeded, and a read after a failed request fails the test,
 * as it should.
 */
export type GqlResult<TData> = { data: TData; errors?: GqlError[] };

/** The relay connection shape of list fields (`edges { node { … } }`). */
export type Edges<TNode> = { edges: { node: TNode }[] };

/** A mutation payload's `userErrors` entry. */
export type UserError = { code: string; message: string; path: string[] };

/** Sends a GraphQL POST through `app.fetch` (no port), with `key` as the Bearer API key when given. */
export async function gql<TData>(app: App, query: string, variables?: Record<string, unknown>, key?: string): Promise<GqlResult<TData>> {
  const res = await app.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GqlResult<TData>;
}
