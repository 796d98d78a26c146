import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/index.js';
import { openPostgresTestDatabase } from '../helpers/db.js';
import { buildApp, type App } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { testConfig } from '../helpers/app.js';

type Served = { app: App; url: string; gql(query: string): Promise<{ data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }> };

/** The app on a real port (so a real client can disconnect), answering GraphQL over HTTP. */
async function serve(db: Database): Promise<Served> {
  const app = buildApp(testConfig({ PORT: '0' }), { database: db, logger: createLogger('silent'), sync: false });
  const { url } = await app.start();
  return {
    app,
    url,
    async gql(query) {
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      return (await res.json()) as never;
    },
  };
}

const QUERY = '{ resources(first: 5) { totalCount edges { node { id } } } }';

/** Holds an exclusive lock on the resource table, so every statement that reads it waits. */
async function lockResources(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE "Resource" IN ACCESS EXCLUSIVE MODE');
  return {
    pid: (client as unknown as { processID: number }).processID,
    async release() {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/** Statements of this database that are running, other than the lock holder's. */
async function running(url: string, except: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ query: string }>(
      `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() AND pid <> $1`,
      [except],
    );
    return rows.map((r) => r.query);
  } finally {
    await client.end();
  }
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('statements of GraphQL queries on PostgreSQL', () => {
  let base: Database & { url: string };
  let db: Database;
  let t: Served;

  beforeAll(async () => {
    base = await openPostgresTestDatabase();
    // A second handle on the same database, with a short statement timeout.
    db = await openDatabase({ databaseUrl: base.url, dataDir: '', statementTimeoutMs: 400 });
    t = await serve(db);
  });
  afterAll(async () => {
    await t.app.stop();
    await db.close();
    await base.close();
  });

  it('a statement that runs past DATABASE_STATEMENT_TIMEOUT_MS is cancelled by the database', async () => {
    const lock = await lockResources(base.url);
    try {
      const started = Date.now();
      const r = await t.gql(QUERY);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(r.errors?.[0]?.extensions?.code).toBe('QUERY_TIMEOUT');
      expect(await running(base.url, lock.pid)).toEqual([]);
    } finally {
      await lock.release();
    }
    // The same query answers once nothing blocks it.
    expect((await t.gql(QUERY)).errors).toBeUndefined();
  });

  it('mutations are not cut off by the query timeout', async () => {
    const r = await t.gql('mutation { createTenant(input: { slug: "timeout-ok", name: "ok" }) { userErrors { code } } }');
    expect(r.errors).toBeUndefined();
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('a client that goes away on PostgreSQL', () => {
  let db: Database & { url: string };
  let t: Served;

  beforeAll(async () => {
    db = await openPostgresTestDatabase();
    t = await serve(db);
  });
  afterAll(async () => {
    await t.app.stop();
    await db.close();
  });

  it('leaves no running query in pg_stat_activity', async () => {
    const lock = await lockResources(db.url);
    try {
      const aborter = new AbortController();
      const request = fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY }),
        signal: aborter.signal,
      }).catch((error: Error) => error);
      expect(await until(async () => (await running(db.url, lock.pid)).some((q) => q.includes('"Resource"')), 10_000)).toBe(true);
      aborter.abort();
      expect(await request).toBeInstanceOf(Error);
      expect(await until(async () => (await running(db.url, lock.pid)).length === 0, 3_000)).toBe(true);
    } finally {
      await lock.release();
    }
  }, 30_000);
});
