import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { SYNC_WORKERS } from '../../src/domain/workers.js';
import { localMigrations } from '../../src/db/schema-engine.js';
import { logLines, spawnServer } from '../helpers/process.js';

const ADMIN_URL = process.env.TEST_DATABASE_URL;
/** No sync at start: the replicas' start-up is what is tested. */
const NO_SYNC = Object.fromEntries(SYNC_WORKERS.map((w) => [`SYNC_SCHEDULE_${w}`, 'off']));

async function sql<T>(fn: (client: pg.Client) => Promise<T>, connectionString = ADMIN_URL): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!ADMIN_URL)('replicas started together', () => {
  it('three replicas started at the same moment on an empty PostgreSQL database all become ready; one applies the migrations', async () => {
    const name = `inv_replicas_${process.pid}_${Date.now()}`;
    await sql((c) => c.query(`CREATE DATABASE "${name}"`));
    const url = new URL(ADMIN_URL!);
    url.pathname = `/${name}`;
    const servers = [1, 2, 3].map(() => spawnServer({ DATABASE_URL: url.toString(), PORT: '0', ...NO_SYNC }));
    try {
      const urls = await Promise.all(servers.map((s) => s.listening));
      for (const base of urls) {
        const res = await fetch(`${base}/readyz`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ status: 'ready', database: 'ok' });
      }
      const { rows: history } = await sql(
        (c) =>
          c.query<{ migration_name: string; finished: boolean }>(
            `SELECT migration_name, finished_at IS NOT NULL AND rolled_back_at IS NULL AS finished FROM "_prisma_migrations" ORDER BY migration_name`,
          ),
        url.toString(),
      );
      // Each migration once, finished: no replica applied them twice or half.
      expect(history).toEqual((await localMigrations()).map((m) => ({ migration_name: m.name, finished: true })));
      const lines = servers.map((s) => logLines(s.stderr()));
      expect(lines.filter((l) => l.some((line) => line.msg === 'applied migrations'))).toHaveLength(1);
      for (const l of lines) expect(l.filter((line) => line.level === 'error')).toEqual([]);
    } finally {
      for (const s of servers) s.child.kill('SIGTERM');
      await Promise.all(servers.map((s) => s.exited));
      await sql((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  }, 180_000);
});
