import type { PGlite } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';

/** Positional parameters ($1, $2, ...): strings, numbers, booleans, null, Dates and arrays of them. */
export type SqlParams = readonly unknown[];

/** A place to run SQL: the pool, or one transaction. */
export type SqlClient = {
  query<T = Record<string, unknown>>(text: string, params?: SqlParams): Promise<T[]>;
};

/**
 * SQL on the driver's own connections, beside Prisma. The set-based sync writes go through
 * here: they pass arrays of thousands of values, which Prisma's raw-query path copies several
 * times (measured: +71 MB of RSS for 20 statements of 2,000 rows, against +18 MB here).
 */
export type SqlDriver = SqlClient & {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
};

/** `timestamp without time zone` holds UTC (as Prisma writes it): never parse it as local time. */
const TIMESTAMP_OID = 1114;
function parseUtcTimestamp(value: string): Date {
  return new Date(`${value.replace(' ', 'T')}Z`);
}

export function pgSql(pool: Pool, onStatement: () => void): SqlDriver {
  const types = {
    getTypeParser: ((oid: number, format?: string) => (oid === TIMESTAMP_OID ? parseUtcTimestamp : pgTypes.getTypeParser(oid, format as 'text'))) as never,
  };
  const on = (client: Pool | PoolClient): SqlClient => ({
    async query<T>(text: string, params: SqlParams = []) {
      onStatement();
      const result = await client.query({ text, values: params as unknown[], types });
      return result.rows as T[];
    },
  });
  return {
    ...on(pool),
    async transaction(fn) {
      const client = await pool.connect();
      // A checked-out connection has no listener of the pool's: without this one, a connection
      // lost mid-transaction (database outage) would crash the process instead of failing the call.
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const value = await fn(on(client));
        await client.query('COMMIT');
        return value;
      } catch (error) {
        if (!broken) await client.query('ROLLBACK').catch((e: Error) => void (broken = e));
        throw error;
      } finally {
        client.off('error', onError);
        // A broken connection is discarded, not handed to the next caller.
        client.release(broken);
      }
    },
  };
}

/** PGlite reads a `timestamp` as local time; it holds UTC, as on PostgreSQL through pgSql. */
const PGLITE_OPTIONS = { parsers: { [TIMESTAMP_OID]: parseUtcTimestamp } };

export function pgliteSql(pglite: PGlite, onStatement: () => void): SqlDriver {
  const on = (client: Pick<PGlite, 'query'>): SqlClient => ({
    async query<T>(text: string, params: SqlParams = []) {
      onStatement();
      const result = await client.query<T>(text, params as unknown[], PGLITE_OPTIONS);
      return result.rows;
    },
  });
  return { ...on(pglite), transaction: (fn) => pglite.transaction((tx) => fn(on(tx))) };
}

let pgTypes: typeof import('pg').types;
/** Loaded once with the pg driver (the embedded database never needs it). */
export async function loadPgTypes() {
  pgTypes ??= (await import('pg')).default.types;
}
