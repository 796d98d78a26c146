import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient } from 'pg';

/** The GraphQL query a statement runs for. */
type StatementScope = { signal: AbortSignal | undefined };

const scopes = new AsyncLocalStorage<StatementScope>();

/**
 * Runs `fn` so that the SQL statements it sends (through Prisma or `db.sql`) belong to a
 * GraphQL query: on PostgreSQL they run on connections with DATABASE_STATEMENT_TIMEOUT_MS,
 * and are cancelled in the database when `signal` aborts (the HTTP client went away).
 */
export function runStatementsFor<T>(signal: AbortSignal | undefined, fn: () => T): T {
  return scopes.run({ signal }, fn);
}

function abortedError(): Error {
  return Object.assign(new Error('the client went away; the query was cancelled'), { code: '57014' });
}

/**
 * A pool that Prisma's adapter and `pgSql` use like a `pg.Pool`: statements outside a
 * scope go to `main`; statements of a scope go to `scoped` (the pool whose connections
 * carry the statement timeout), and an abort cancels them with `pg_cancel_backend` (sent
 * on `main`). A connection whose statement was cancelled is closed, never reused, so a
 * late cancel cannot hit another request's statement.
 */
export function scopedPool(main: Pool, scoped: Pool): Pool {
  async function acquire(scope: StatementScope): Promise<PoolClient> {
    if (scope.signal?.aborted) throw abortedError();
    const client = await scoped.connect();
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      const pid = (client as PoolClient & { processID?: number }).processID;
      if (pid) void main.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {});
    };
    scope.signal?.addEventListener('abort', onAbort, { once: true });
    const release = client.release;
    client.release = (error?: Error | boolean) => {
      scope.signal?.removeEventListener('abort', onAbort);
      client.release = release;
      return release.call(client, aborted ? true : error);
    };
    return client;
  }
  return new Proxy(main, {
    get(target, key) {
      if (key === 'query') {
        return (...args: unknown[]) => {
          const scope = scopes.getStore();
          if (!scope || typeof args[args.length - 1] === 'function') return (target.query as (...a: unknown[]) => unknown).apply(target, args);
          return (async () => {
            const client = await acquire(scope);
            try {
              return await (client.query as (...a: unknown[]) => Promise<unknown>).apply(client, args);
            } finally {
              client.release();
            }
          })();
        };
      }
      if (key === 'connect') {
        return (...args: unknown[]) => {
          const scope = scopes.getStore();
          if (!scope || args.length) return (target.connect as (...a: unknown[]) => unknown).apply(target, args);
          return acquire(scope);
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
