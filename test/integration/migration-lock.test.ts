import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { describe, expect, it } from 'vitest';
import { MIGRATION_LOCK, openDatabase } from '../../src/db/index.js';
import { applyMigrations } from '../../src/db/schema-engine.js';
import { createLogger } from '../../src/log.js';

const ADMIN_URL = process.env.TEST_DATABASE_URL;

describe.skipIf(!ADMIN_URL)('migrations of replicas that start together', () => {
  it('waits for the process holding the migration lock, says so, and applies nothing it already applied', async () => {
    const name = `inv_miglock_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(ADMIN_URL!);
    url.pathname = `/${name}`;
    // Another replica, as the database sees it: a session holding the lock.
    const holder = new pg.Client({ connectionString: url.toString(), application_name: 'inventory-graph migrate (pid 4242 on replica-a)' });
    await holder.connect();
    const lines: Record<string, any>[] = [];
    let onWaiting!: () => void;
    const waiting = new Promise<void>((resolve) => (onWaiting = resolve));
    const log = createLogger('info', {}, (line) => {
      lines.push(JSON.parse(line));
      if (/^waiting for/.test(lines.at(-1)!.msg)) onWaiting();
    });
    const db = await openDatabase({ databaseUrl: url.toString(), dataDir: '', log });
    try {
      await holder.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
      let settled = false;
      const migrating = db.migrate().finally(() => (settled = true));
      await waiting;
      expect(lines[0]).toMatchObject({
        level: 'info',
        msg: 'waiting for another process (pid 4242 on replica-a) to finish applying database migrations',
        holder: 'pid 4242 on replica-a',
      });
      expect(settled).toBe(false);
      // The holder migrates meanwhile, then lets go.
      const pool = new pg.Pool({ connectionString: url.toString() });
      await applyMigrations(new PrismaPg(pool));
      await pool.end();
      await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]);
      expect(await migrating).toEqual([]);
      expect(lines.at(-1)).toMatchObject({ msg: 'the other process finished its migrations; checking what is left to apply' });
      expect(await db.ready()).toBe(true);
    } finally {
      await db.close();
      await holder.end();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  }, 180_000);
});
