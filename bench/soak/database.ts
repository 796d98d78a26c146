// A fresh PostgreSQL database for one benchmark run, created through the admin URL
// (BENCH_DATABASE_URL, default the local server) and dropped by drop(), even with clients still
// connected.
import pg from 'pg';

export type RunDatabase = {
  /** The new database's connection URL. */
  url: string;
  /** Drops the database (idempotent). */
  drop(): Promise<void>;
};

export async function createRunDatabase(name: string): Promise<RunDatabase> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
  const dbName = `inv_bench_${name}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  let dropped: Promise<void> | null = null;
  return {
    url: url.toString(),
    drop: () =>
      (dropped ??= (async () => {
        try {
          await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
        } finally {
          await admin.end();
        }
      })()),
  };
}
