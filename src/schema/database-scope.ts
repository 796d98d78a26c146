import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { runStatementsFor } from '../db/statement-scope.js';
import { apiError } from '../domain/error-codes.js';

/** PostgreSQL's message for a statement stopped by statement_timeout (SQLSTATE 57014). */
const TIMED_OUT = /canceling statement due to statement timeout/;

function timedOut(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { message?: unknown; originalError?: unknown; cause?: unknown };
  if (typeof e.message === 'string' && TIMED_OUT.test(e.message)) return true;
  return timedOut(e.originalError, depth + 1) || timedOut(e.cause, depth + 1);
}

/**
 * Runs each query operation's resolvers in a statement scope: their SQL gets the statement
 * timeout (DATABASE_STATEMENT_TIMEOUT_MS), and is cancelled in the database when the HTTP
 * request's signal aborts (the client went away). A timed-out field answers QUERY_TIMEOUT.
 * Mutations are not scoped: a write that the client stops waiting for still completes (a
 * sync started by `runSync` must not be cut off half-way).
 */
export function databaseScopePlugin(): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'query') return;
      const signal = (args.contextValue as { request?: Request } | undefined)?.request?.signal;
      setExecuteFn((execArgs) => runStatementsFor(signal, () => executeFn(execArgs)));
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result) || !result.errors?.some(timedOut)) return;
          setResult({
            ...result,
            errors: result.errors.map((error) =>
              timedOut(error)
                ? apiError(
                    'QUERY_TIMEOUT',
                    'the query ran longer than the statement timeout (DATABASE_STATEMENT_TIMEOUT_MS); ask for less (smaller pages, a narrower filter)',
                    {
                      path: error.path,
                    },
                  )
                : error,
            ),
          });
        },
      };
    },
  };
}
