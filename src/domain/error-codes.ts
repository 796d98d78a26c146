import { GraphQLError, type GraphQLErrorOptions } from 'graphql';

/**
 * Every error code the server sends, each once, with what it means. `tier` says where a
 * client meets it:
 *
 * - `error`: `extensions.code` of a GraphQLError (protocol, auth and limit problems; the
 *   request or field failed), or of the error body of a refused HTTP request;
 * - `userError`: `code` of a `UserError` in a mutation payload (expected problems are data);
 * - `internal`: a code of a domain result that is mapped to another code before any client
 *   sees it.
 *
 * Codes of the libraries themselves (graphql-yoga's `GRAPHQL_VALIDATION_FAILED`, …) are
 * theirs and not listed.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: { tier: 'error', description: 'No API key where one is required, or an unknown, revoked or expired one (HTTP 401).' },
  FORBIDDEN: {
    tier: 'error',
    description: 'The key may not do this: a viewer key mutating, a tenant-scoped key changing account-wide data or reading sync internals (HTTP 403).',
  },
  INVALID_ID: { tier: 'error', description: 'A global id that is malformed, names no known type, or names another type than the argument needs.' },
  BAD_USER_INPUT: {
    tier: 'error',
    description: 'An argument out of its range or format (page size, billing period, string or list over its limit); `extensions.argument` names it.',
  },
  QUERY_TOO_COMPLEX: { tier: 'error', description: 'The document is over a query limit (cost, depth, aliases, directives, tokens) and was not executed.' },
  QUERY_TIMEOUT: { tier: 'error', description: 'The query ran longer than the database statement timeout (DATABASE_STATEMENT_TIMEOUT_MS).' },
  PERSISTED_QUERY_NOT_FOUND: {
    tier: 'error',
    description: 'Trusted documents are on (PERSISTED_OPERATIONS_FILE) and the hash in extensions.persistedQuery.sha256Hash is not in the manifest.',
  },
  ONLY_PERSISTED_OPERATIONS: {
    tier: 'error',
    description:
      'Trusted documents are on (PERSISTED_OPERATIONS_FILE): send extensions.persistedQuery { version: 1, sha256Hash } of a listed operation, not a document.',
  },
  TOO_MANY_SUBSCRIPTIONS: { tier: 'error', description: 'A WebSocket asked for more subscriptions than one socket may hold.' },
  REQUEST_ENTITY_TOO_LARGE: {
    tier: 'error',
    description: 'The request body is over 25 MB (its Content-Length, or the bytes of a chunked body so far); nothing of it was parsed (HTTP 413).',
  },
  BAD_REQUEST: { tier: 'error', description: 'The request itself is malformed, such as a Content-Length that is not one number (HTTP 400).' },
  SERVICE_UNAVAILABLE: { tier: 'error', description: 'The database (or the key lookup) cannot be reached right now; try again later (HTTP 503).' },
  INTERNAL_SERVER_ERROR: { tier: 'error', description: 'An unexpected failure: logged once with its context, its details never sent.' },

  INVALID_INPUT: {
    tier: 'userError',
    description:
      'Input that cannot be used as given: a malformed id, a blank or too long name or reason, a bad slug, an expiry not in the future, neither or both of two alternatives, no accountId while the server syncs several accounts.',
  },
  NOT_FOUND: {
    tier: 'userError',
    description: 'Nothing the viewer may see has this id (no account this server syncs, for an accountId), or DigitalOcean does not know the invoice.',
  },
  NO_CHANGE: { tier: 'userError', description: 'The mutation would change nothing (it is so already); the payload carries the row as it is.' },
  DUPLICATE: { tier: 'userError', description: 'Another row already has this unique value (a tenant slug).' },
  NOT_CONFIGURED: { tier: 'userError', description: 'This server runs no sync workers (no DigitalOcean client is configured).' },
  UNKNOWN_WORKER: { tier: 'userError', description: 'This server has no such worker.' },
  DISABLED: { tier: 'userError', description: 'The worker is disabled (SYNC_SCHEDULE_<WORKER>=disabled, or the server is stopping).' },
  ALREADY_RUNNING: { tier: 'userError', description: 'The worker is running now, here or on another replica; that run finishes on its own.' },
  ALREADY_RAN: { tier: 'userError', description: 'The worker has just run.' },
  INVALID_CSV: {
    tier: 'userError',
    description: 'An invoice CSV with missing or duplicated header columns, a row with missing or extra fields, unbalanced quotes or unparseable hours.',
  },
  EMPTY_FILE: { tier: 'userError', description: 'An invoice CSV with nothing but whitespace, or a header without any line.' },
  INVALID_AMOUNT: { tier: 'userError', description: 'An invoice amount that is not a decimal money string.' },
  INVALID_DATE: { tier: 'userError', description: 'An invoice start or end that is neither `YYYY-MM-DD HH:MM:SS +HHMM` nor ISO-8601.' },
  FILE_TOO_LARGE: { tier: 'userError', description: 'An invoice CSV over MAX_INVOICE_CSV_BYTES.' },
  INVALID_PERIOD: { tier: 'userError', description: 'A billing period that is missing or not `YYYY-MM`.' },
  UPSTREAM_ERROR: {
    tier: 'userError',
    description: 'DigitalOcean failed (5xx after retries, network, malformed items), or no DigitalOcean client is configured.',
  },

  INVALID_ITEM: {
    tier: 'internal',
    description: 'An API invoice item that does not satisfy `ZDoInvoiceItem`; a client sees UPSTREAM_ERROR (or INVALID_CSV for a CSV).',
  },
} as const satisfies Record<string, { tier: 'error' | 'userError' | 'internal'; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

type CodeOf<Tier> = { [C in ErrorCode]: (typeof ERROR_CODES)[C]['tier'] extends Tier ? C : never }[ErrorCode];

/** Codes of GraphQLErrors (`extensions.code`) and of refused HTTP requests. */
export type ErrorExtensionCode = CodeOf<'error'>;

/** Codes of `userErrors` in mutation payloads. */
export type UserErrorCode = CodeOf<'userError'>;

/** An expected problem, reported as data in a mutation payload (empty list on success). */
export type UserError = { code: UserErrorCode; message: string; path?: string[] | null };

/** A GraphQLError whose `extensions.code` is `code` (first), followed by any other extensions. */
export function apiError(
  code: ErrorExtensionCode,
  message: string,
  options: { extensions?: Record<string, unknown>; path?: GraphQLErrorOptions['path'] } = {},
): GraphQLError {
  return new GraphQLError(message, { ...(options.path ? { path: options.path } : {}), extensions: { code, ...options.extensions } });
}

/** Whether `error` is a GraphQLError carrying `code`. */
export function hasCode(error: unknown, code: ErrorExtensionCode): error is GraphQLError {
  return error instanceof GraphQLError && error.extensions.code === code;
}
