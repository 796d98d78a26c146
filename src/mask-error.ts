import { GraphQLError } from 'graphql';
import { isDatabaseUnreachable } from './db/unreachable.js';
import type { Logger } from './log.js';

/**
 * The one error masking of HTTP and WebSocket operations: a GraphQLError (a protocol, auth or
 * limit problem) passes as it is; a database that cannot be reached becomes
 * SERVICE_UNAVAILABLE (503 with Retry-After over HTTP), logged as a warning; anything else is
 * logged once with the error and answered `message` with code INTERNAL_SERVER_ERROR.
 */
export function createMaskError(log: Logger): (error: unknown, message?: string) => GraphQLError {
  return (error, message = 'Unexpected error.') => {
    const original = (error as GraphQLError).originalError ?? error;
    // The located error keeps the path of the field (or list entry) that failed.
    if (original instanceof GraphQLError) return error instanceof GraphQLError ? error : original;
    if (isDatabaseUnreachable(original)) {
      log.warn('the database could not be reached while resolving', { error: original });
      return new GraphQLError('the database cannot be reached right now; try again later', {
        extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503, headers: { 'retry-after': '5' } } },
      });
    }
    log.error('unexpected error while resolving', { error: original });
    return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
}
