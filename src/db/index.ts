import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../generated/prisma/client.js';
import { applyMigrations, localMigrations } from './schema-engine.js';
import { loadPgTypes, pgliteSql, pgSql, type SqlDriver } from './sql.js';
import type { PGlite } from '@electric-sql/pglite';
import { DEFAULT_STATEMENT_TIMEOUT_MS } from '../config.js';
import { scopedPool } from './statement-scope.js';

export { PrismaClient };
export type Db = PrismaClient;

/** A database the app can use: Prisma client plus what start-up and readiness need. */
export type Database = {
  prisma: PrismaClient;
  /** SQL on the driver's own connections, for set-based writes with large parameters. */
  sql: SqlDriver;
  kind: 'postgres' | 'embedded';
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** True when the database answers and every migration in prisma/migrations is applied. */
  ready(): Promise<boolean>;
  /**
   * What readiness sees, asked of the database itself within 2 s: 'ok', 'unreachable' (no answer
   * in time, or no connection), or 'not migrated' (it answers, but a migration is missing or differs).
   */
  status(): Promise<DatabaseStatus>;
  /**
   * A lock shared by every process on this database (PostgreSQL advisory lock on a
   * connection of its own; in-process for the embedded database, which one process owns).
   * Resolves with a release function, or null when another holder has it.
   */
  tryLock(name: string): Promise<(() => Promise<void>) | null>;
  /** Counts SQL statements sent from now on (for tests and benchmarks). */
  countQueries(): { readonly count: number; stop(): void };
  close(): Promise<void>;
};

export type DatabaseStatus = 'ok' | 'unreachable' | 'not migrated';

/** A start-up problem with a one-line message meant for the operator. */
export class DatabaseError extends Error {
  override name = 'DatabaseError';
}

/** How long opening a PostgreSQL connection may take before the attempt fails. */
const CONNECT_TIMEOUT_MS = 5_000;
/** How long a readiness check waits for the database before calling it unreachable. */
const READY_TIMEOUT_MS = 2_000;

export type DatabaseOptions = {
  databaseUrl: string | null;
  dataDir: string;
  /**
   * Longest SQL statement of a GraphQL query, in ms (DATABASE_STATEMENT_TIMEOUT_MS, default
   * 10000; 0 = none). PostgreSQL only: the embedded database runs statements synchronously.
   */
  statementTimeoutMs?: number;
};

/** Opens PostgreSQL (DATABASE_URL) or the embedded PGlite database under dataDir. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS) : openEmbedded(options.dataDir);
}

function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || u.searchParams.get('host') || 'localhost'}:${u.port || 5432}/${u.pathname.slice(1)}`;
  } catch {
    return '(unparseable url)';
  }
}

async function openPostgres(url: string, statementTimeoutMs: number): Promise<Database> {
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const pg = (await import('pg')).default;
  await loadPgTypes();
  // One pool for Prisma and for the driver-level SQL.
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  pool.on('error', () => {
    // An idle connection dropped by the server (outage, restart, pg_terminate_backend): the
    // pool discards it and opens a new one on next use. Without this listener the process would crash.
  });
  // GraphQL queries' statements run on connections of their own, with the statement timeout.
  const queryPool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5_000,
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
  });
  queryPool.on('error', () => {});
  const routed = scopedPool(pool, queryPool);
  const target = describeTarget(url);
  const locks = advisoryLocks(url);
  const db = wrapFactory(new PrismaPg(routed), 'postgres', async () => {
    await locks.close();
    await queryPool.end().catch(() => {});
    await pool.end().catch(() => {});
  }, locks.tryLock, (count) => pgSql(routed, count));
  try {
    await db.prisma.$queryRawUnsafe('SELECT 1');
  } catch (error) {
    await db.prisma.$disconnect().catch(() => {});
    throw new DatabaseError(`cannot reach PostgreSQL at ${target}: ${shortReason(error)}`);
  }
  return db;
}

function shortReason(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const message = (e.cause?.message ?? e.message ?? String(error)).split('\n')[0]!.trim();
  return code && !message.includes(code) ? `${code} ${message}` : message;
}

/** Held while a process uses the embedded database; a second process gets a clear error. */
async function takeDataDirLock(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const lockPath = join(dataDir, 'inventory.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new DatabaseError(
          `the embedded database in ${dataDir} is in use by process ${pid}; stop it, or set DATA_DIR to another folder or DATABASE_URL to PostgreSQL`,
        );
      }
      // The holder died without cleaning up (e.g. SIGKILL): the lock is stale.
      await rm(lockPath, { force: true });
    }
  }
  throw new DatabaseError(`could not lock the embedded database in ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openEmbedded(dataDir: string): Promise<Database> {
  const release = await takeDataDirLock(dataDir);
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    const pglite = await PGlite.create(join(dataDir, 'pg'));
    return embeddedDatabase(pglite, new PrismaPGlite(pglite), async () => {
      await pglite.close();
      await release();
    });
  } catch (error) {
    await release();
    if (error instanceof DatabaseError) throw error;
    throw new DatabaseError(`cannot open the embedded database in ${dataDir}: ${shortReason(error)}`);
  }
}

/** An in-memory embedded database (tests). */
export async function openMemoryDatabase(): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const pglite = await PGlite.create();
  return embeddedDatabase(pglite, new PrismaPGlite(pglite), () => pglite.close());
}

/** A Database over an open PGlite instance, which this process owns. */
export function embeddedDatabase(pglite: PGlite, factory: SqlMigrationAwareDriverAdapterFactory, onClose: () => Promise<void>): Database {
  return wrapFactory(factory, 'embedded', onClose, processLocks(), (count) => pgliteSql(pglite, count));
}

/** True when every local migration is recorded as applied with the same checksum. */
async function upToDate(prisma: PrismaClient): Promise<boolean> {
  const [table] = await prisma.$queryRawUnsafe<{ t: string | null }[]>(`SELECT to_regclass('"_prisma_migrations"')::text AS t`);
  if (!table?.t) return false;
  const applied = await prisma.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
    'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  const byName = new Map(applied.map((m) => [m.migration_name, m.checksum]));
  return (await localMigrations()).every((m) => byName.get(m.name) === m.checksum);
}

/**
 * Session-level advisory locks on one dedicated connection, opened on first use. A connection
 * that failed to open, errored or ended is dropped, so the next call opens a new one: the
 * server released every lock of the dead session, and a database that comes back is used again
 * without a restart.
 */
function advisoryLocks(url: string) {
  let client: Promise<import('pg').Client> | undefined;
  const connect = () => {
    if (client) return client;
    const current: Promise<import('pg').Client> = (async () => {
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
      const drop = () => {
        if (client === current) client = undefined;
      };
      // Without a listener, a connection dropped by the server would crash the process.
      c.on('error', drop);
      c.on('end', drop);
      try {
        await c.connect();
      } catch (error) {
        drop();
        throw error;
      }
      return c;
    })();
    client = current;
    return current;
  };
  return {
    async tryLock(name: string) {
      const c = await connect();
      let rows: { ok: boolean }[];
      try {
        ({ rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [name]));
      } catch (error) {
        // A session that cannot answer holds no locks worth keeping: start afresh next time.
        client = undefined;
        await c.end().catch(() => {});
        throw error;
      }
      if (!rows[0]?.ok) return null;
      return async () => {
        // On a session that died meanwhile, the server has released the lock already.
        await c.query('SELECT pg_advisory_unlock(hashtext($1))', [name]).catch(() => {});
      };
    },
    async close() {
      if (client) await (await client.catch(() => null))?.end().catch(() => {});
    },
  };
}

/** Wraps a driver adapter factory so that every statement sent (in or out of transactions) calls `onStatement`. */
function countingFactory(factory: SqlMigrationAwareDriverAdapterFactory, onStatement: () => void): SqlMigrationAwareDriverAdapterFactory {
  const counting = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, key, receiver) {
        const value = Reflect.get(obj, key, receiver);
        if (typeof value !== 'function') return value;
        if (key === 'queryRaw' || key === 'executeRaw') {
          return (...args: unknown[]) => {
            onStatement();
            return value.apply(obj, args);
          };
        }
        if (key === 'startTransaction' || key === 'connect' || key === 'connectToShadowDb') {
          return async (...args: unknown[]) => counting(await value.apply(obj, args));
        }
        return value.bind(obj);
      },
    });
  return counting(factory);
}

/** Locks of a database that one process owns. */
function processLocks() {
  const held = new Set<string>();
  return async (name: string) => {
    if (held.has(name)) return null;
    held.add(name);
    return async () => void held.delete(name);
  };
}

function wrapFactory(
  factory: SqlMigrationAwareDriverAdapterFactory,
  kind: Database['kind'],
  onClose: () => Promise<void>,
  tryLock: Database['tryLock'],
  driverSql: (onStatement: () => void) => SqlDriver,
): Database {
  const counters = new Set<{ count: number }>();
  const onStatement = () => counters.forEach((c) => c.count++);
  // Statements are counted where they reach the driver: Prisma's query log would stringify the
  // parameters of every statement (megabytes for set-based writes), on the hot path.
  const prisma = new PrismaClient({ adapter: countingFactory(factory, onStatement) as never });
  let closed = false;
  const status = async (): Promise<DatabaseStatus> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<DatabaseStatus>((resolve) => {
      timer = setTimeout(() => resolve('unreachable'), READY_TIMEOUT_MS);
    });
    const check = upToDate(prisma).then(
      (ok): DatabaseStatus => (ok ? 'ok' : 'not migrated'),
      (): DatabaseStatus => 'unreachable',
    );
    try {
      return await Promise.race([check, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    prisma,
    sql: driverSql(onStatement),
    kind,
    tryLock,
    async migrate() {
      // Loading the schema engine costs seconds; skip it when the history already matches.
      if (await upToDate(prisma)) return [];
      return applyMigrations(factory);
    },
    status,
    ready: async () => (await status()) === 'ok',
    countQueries() {
      const counter = { count: 0 };
      counters.add(counter);
      return {
        get count() {
          return counter.count;
        },
        stop: () => void counters.delete(counter),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await onClose();
    },
  };
}
