// The databases a benchmark measures: a fresh embedded one in a temporary folder, then a fresh
// PostgreSQL database (BENCH_DATABASE_URL, default the local server), each dropped afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/index.js';

export async function forEachBenchDatabase(name: string, measure: (label: 'embedded' | 'postgres', db: Database) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'inventory-bench-'));
  const embedded = await openDatabase({ databaseUrl: null, dataDir: dir });
  try {
    await measure('embedded', embedded);
  } finally {
    await embedded.close();
    await rm(dir, { recursive: true, force: true });
  }

  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
  const dbName = `inv_bench_${name}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    console.log(`postgres skipped: ${(error as Error).message}`);
    return;
  }
  await admin.query(`CREATE DATABASE "${dbName}"`);
  try {
    const u = new URL(adminUrl);
    u.pathname = `/${dbName}`;
    const db = await openDatabase({ databaseUrl: u.toString(), dataDir: '' });
    try {
      await measure('postgres', db);
    } finally {
      await db.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}
