import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { PersistedOperations } from './config.js';
import { apiError } from './domain/error-codes.js';

const NOT_FOUND = 'this operation is not a trusted document of this server (its hash is not in the persisted operations manifest)';
const ONLY_PERSISTED =
  'this server runs only trusted documents: send extensions.persistedQuery { "version": 1, "sha256Hash": "<hash>" } of a listed operation instead of a query';

/** The hash a request names the APQ way: `extensions.persistedQuery { version: 1, sha256Hash }` (what the plugin reads by default). */
export function persistedHashOf(extensions: unknown): string | null {
  const pq = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | null | undefined)?.persistedQuery;
  return pq?.version === 1 && typeof pq.sha256Hash === 'string' ? pq.sha256Hash : null;
}

/**
 * Over HTTP: graphql-yoga's persisted-operations plugin with the manifest. It works in yoga's
 * `onParams` hook, which only yoga's HTTP pipeline calls; WebSocket operations run through
 * their own envelop and are checked by `persistedDocumentOf` instead (same manifest, same codes).
 */
export function persistedOperationsPlugin(manifest: PersistedOperations): Plugin {
  return usePersistedOperations({
    getPersistedOperation: (hash) => manifest.documents.get(hash) ?? null,
    allowArbitraryOperations: false,
    customErrors: {
      notFound: () => apiError('PERSISTED_QUERY_NOT_FOUND', NOT_FOUND),
      persistedQueryOnly: () => apiError('ONLY_PERSISTED_OPERATIONS', ONLY_PERSISTED),
      keyNotFound: () => apiError('ONLY_PERSISTED_OPERATIONS', ONLY_PERSISTED),
    },
  }) as Plugin;
}

/**
 * Over WebSocket: the document a subscribe message may run. graphql-ws requires a `query`
 * string, so a client sends `""` (or the listed document itself) with the hash; any other
 * document is refused like over HTTP.
 */
export function persistedDocumentOf(manifest: PersistedOperations, payload: { query: string; extensions?: unknown }): string | GraphQLError {
  const hash = persistedHashOf(payload.extensions);
  if (hash === null) return apiError('ONLY_PERSISTED_OPERATIONS', ONLY_PERSISTED);
  const document = manifest.documents.get(hash);
  if (document === undefined) return apiError('PERSISTED_QUERY_NOT_FOUND', NOT_FOUND);
  if (payload.query !== '' && payload.query !== document) return apiError('ONLY_PERSISTED_OPERATIONS', ONLY_PERSISTED);
  return document;
}
