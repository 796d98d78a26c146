import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { embeddedDatabase, openDatabase, type Database } from '../../src/db/index.js';

export type TestDatabaseTarget = { name: 'embedded' | 'postgres'; open(): Promise<Database> };

let counter = 0;

/** A fresh, migrated embedded database in memory. */
export async function openEmbeddedTestDatabase(): Promise<Database> {
  const dump = await readFile(inject('pgliteTemplate'));
  const pglite = await PGlite.create({ loadDataDir: new Blob([dump]) });
  return embeddedDatabase(pglite, new PrismaPGlite(pglite), () => pglite.close());
}

/** A fresh, migrated PostgreSQL database of its own (copied from the run's template); `url` opens more connections to it. */
export async function openPostgresTestDatabase(): Promise<Database & { url: string }> {
  const url = process.env.TEST_DATABASE_URL;
  const template = inject('postgresTemplate');
  if (!url || !template) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${template}_${process.pid}_${counter++}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  // Copies from one template cannot run at the same moment: test files in parallel retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      break;
    } catch (error) {
      if (attempt >= 50 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: u.toString(), dataDir: '' });
  const close = db.close.bind(db);
  db.close = async () => {
    await close();
    const a = new pg.Client({ connectionString: url });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await a.end();
  };
  return Object.assign(db, { url: u.toString() });
}

/** The databases integration tests run against: always embedded; PostgreSQL when TEST_DATABASE_URL is set. */
export function testDatabaseTargets(): TestDatabaseTarget[] {
  const targets: TestDatabaseTarget[] = [{ name: 'embedded', open: openEmbeddedTestDatabase }];
  if (process.env.TEST_DATABASE_URL) targets.push({ name: 'postgres', open: openPostgresTestDatabase });
  return targets;
}

/**
 * Makes a test's own PostgreSQL database unreachable: new connections are refused and open
 * ones are ended (never the server, never another database). Resolves with the function that
 * lets connections in again.
 */
export async function cutOffDatabase(url: string): Promise<() => Promise<void>> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
  return async () => {
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    await admin.end();
  };
}
