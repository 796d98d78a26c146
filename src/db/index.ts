import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../generated/prisma/client.js';
import { applyMigrations, localMigrations } from './schema-engine.js';
import { loadPgTypes, pgliteSql, pgSql, type SqlDriver } from './sql.js';
import type { PGlite } from '@electric-sql/pglite';
import { DEFAULT_STATEMENT_TIMEOUT_MS, type LogFormat, type LogLevel } from '../config.js';
import { createLogger, type Logger } from '../log.js';
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
  /** The connection pools as they are now (PostgreSQL: `main` and `graphql`; absent for the embedded database). */
  pools?(): PoolUse[];
  close(): Promise<void>;
};

/** One connection pool's use: connections open (`total`, of which `idle`), queries `waiting` for one, and its `max`. */
export type PoolUse = { name: string; total: number; idle: number; waiting: number; max: number };

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
  /**
   * Where the database says what it waits for (another replica's migrations). Without one, a
   * logger with `logLevel` and `logFormat` (the configuration's, when the options are the
   * configuration) is made.
   */
  log?: Logger;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
};

/** Opens PostgreSQL (DATABASE_URL) or the embedded PGlite database under dataDir. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (!options.databaseUrl) return openEmbedded(options.dataDir);
  const log = options.log ?? createLogger(options.logLevel ?? 'info', {}, options.logFormat ?? 'json', [urlPassword(options.databaseUrl)]);
  return openPostgres(options.databaseUrl, options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS, log);
}

function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || u.searchParams.get('host') || 'localhost'}:${u.port || 5432}/${u.pathname.slice(1)}`;
  } catch {
    return '(unparseable url)';
  }
}

function urlPassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

/** The first error code in an error's chain (the driver's SQLSTATE or socket code). */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && code) return code;
    current = cause;
  }
  return undefined;
}

/**
 * Why PostgreSQL could not be used at start, in one line that names what failed (the database,
 * the role, the password, the host or the port) and never the password.
 */
export function describeConnectFailure(url: string, error: unknown): string {
  const target = describeTarget(url);
  let role = '(default)';
  let database = '';
  try {
    const u = new URL(url);
    role = decodeURIComponent(u.username) || role;
    database = decodeURIComponent(u.pathname.slice(1));
  } catch {
    // describeTarget said so already
  }
  const code = errorCode(error);
  const reason = shortReason(error);
  switch (code) {
    case '3D000':
      return `cannot use PostgreSQL at ${target}: database "${database}" does not exist (3D000); create it (CREATE DATABASE "${database}") or fix the database name in DATABASE_URL`;
    case '28000':
      return `cannot use PostgreSQL at ${target}: the server refused role "${role}" (28000: ${reason.replace(/^28000\s+/, '')}); create the role, allow it in pg_hba.conf, or fix the user in DATABASE_URL`;
    case '28P01':
      return `cannot use PostgreSQL at ${target}: wrong password for role "${role}" (28P01); fix the password in DATABASE_URL`;
    case '42501':
      return `cannot use PostgreSQL at ${target}: role "${role}" may not connect to database "${database}" (42501); GRANT CONNECT ON DATABASE "${database}" TO "${role}"`;
    case '53300':
      return `cannot use PostgreSQL at ${target}: the server has no free connection slots (53300); raise max_connections or close other clients`;
    case '57P03':
      return `cannot use PostgreSQL at ${target}: the server is starting up or shutting down (57P03); try again in a moment`;
    case 'ECONNREFUSED':
      return `cannot reach PostgreSQL at ${target}: nothing accepts connections on that host and port (ECONNREFUSED)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot reach PostgreSQL at ${target}: the host name does not resolve (${code})`;
    default:
      if (/timeout/i.test(reason)) return `cannot reach PostgreSQL at ${target}: no answer within ${CONNECT_TIMEOUT_MS / 1000} s`;
      return `cannot reach PostgreSQL at ${target}: ${reason}`;
  }
}

async function openPostgres(url: string, statementTimeoutMs: number, log: Logger): Promise<Database> {
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
  const locks = advisoryLocks(url);
  const db = wrapFactory(
    new PrismaPg(routed),
    'postgres',
    async () => {
      await locks.close();
      await queryPool.end().catch(() => {});
      await pool.end().catch(() => {});
    },
    locks.tryLock,
    (count) => pgSql(routed, count),
    async (apply) => {
      try {
        return await withMigrationLock(url, log, apply);
      } catch (error) {
        if (error instanceof DatabaseError) throw error;
        // The schema engine's messages span paragraphs: one line for the operator.
        throw new DatabaseError(
          `cannot apply database migrations to PostgreSQL at ${describeTarget(url)}: ${(error as Error).message.replace(/\s+/g, ' ').trim()}`,
        );
      }
    },
  );
  const use = (name: string, p: import('pg').Pool): PoolUse => ({
    name,
    total: p.totalCount,
    idle: p.idleCount,
    waiting: p.waitingCount,
    max: p.options.max ?? 10,
  });
  db.pools = () => [use('main', pool), use('graphql', queryPool)];
  try {
    // Asked of the driver itself: its error codes tell a missing database from a refused role.
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await db.close().catch(() => {});
    throw new DatabaseError(describeConnectFailure(url, error));
  }
  return db;
}

/** The session advisory lock that lets one process at a time apply migrations (not Prisma's own, which its engine takes inside). */
export const MIGRATION_LOCK = 'inventory-graph:migrate';
/** How often a process waiting for another's migrations says it still waits. */
const MIGRATION_WAIT_REPORT_MS = 30_000;

/**
 * Runs `apply` while holding MIGRATION_LOCK, on a connection of its own with no statement or lock
 * timeout: replicas started together wait for the first one's migrations (however long they
 * take; the lock goes with the holder's session if it dies) instead of failing on the schema
 * engine's 10 s lock timeout. `apply` checks again what is applied once it holds the lock.
 */
async function withMigrationLock<T>(url: string, log: Logger, apply: () => Promise<T>): Promise<T> {
  const pg = (await import('pg')).default;
  const who = `inventory-graph migrate (pid ${process.pid} on ${hostname()})`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: who.slice(0, 63) });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseError(describeConnectFailure(url, error));
  }
  try {
    await client.query('SET statement_timeout = 0; SET lock_timeout = 0');
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [MIGRATION_LOCK]);
    if (!rows[0]?.ok) {
      // Who holds it, when the database lets this role see it (replicas share a role).
      const holder = await client
        .query<{ name: string }>(
          `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'inventory-graph migrate (%' AND a.pid <> pg_backend_pid() LIMIT 1`,
        )
        .then(
          (r) => /\((.*)\)/.exec(r.rows[0]?.name ?? '')?.[1] ?? null,
          () => null,
        );
      const started = Date.now();
      log.info(`waiting for another process${holder ? ` (${holder})` : ''} to finish applying database migrations`, { holder });
      const report = setInterval(
        () => log.info('still waiting for another process to finish applying database migrations', { holder, waitedMs: Date.now() - started }),
        MIGRATION_WAIT_REPORT_MS,
      );
      try {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
      } finally {
        clearInterval(report);
      }
      log.info('the other process finished its migrations; checking what is left to apply', { waitedMs: Date.now() - started });
    }
    try {
      return await apply();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
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
  // One process owns an embedded database: nothing to wait for before migrating.
  return wrapFactory(
    factory,
    'embedded',
    onClose,
    processLocks(),
    (count) => pgliteSql(pglite, count),
    // PGlite learns the database's array types when it opens: after migrations that created types
    // (enums), it must learn them again, or an enum array parameter is sent as "A,B" and refused.
    async (apply) => {
      const applied = await apply();
      await pglite.refreshArrayTypes();
      return applied;
    },
  );
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
 * without a restart. Its queries run one at a time: the workers take and release their locks
 * together, and pg deprecates overlapping queries on one client (an error in pg@9).
 */
function advisoryLocks(url: string) {
  let client: Promise<import('pg').Client> | undefined;
  let last: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(query: () => Promise<T>): Promise<T> => {
    const next = last.then(query, query);
    last = next.catch(() => {});
    return next;
  };
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
        ({ rows } = await oneAtATime(() => c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [name])));
      } catch (error) {
        // A session that cannot answer holds no locks worth keeping: start afresh next time.
        client = undefined;
        await c.end().catch(() => {});
        throw error;
      }
      if (!rows[0]?.ok) return null;
      return async () => {
        // On a session that died meanwhile, the server has released the lock already.
        await oneAtATime(() => c.query('SELECT pg_advisory_unlock(hashtext($1))', [name])).catch(() => {});
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
  /** Runs a migration step so that no other process migrates the same database meanwhile. */
  exclusively: (apply: () => Promise<string[]>) => Promise<string[]>,
): Database {
  const counters = new Set<{ count: number }>();
  const onStatement = () => {
    for (const c of counters) c.count++;
  };
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
      // Checked again under the lock: another replica may have applied them while this one waited.
      return exclusively(async () => ((await upToDate(prisma)) ? [] : applyMigrations(factory)));
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
