import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresTestDatabase } from '../helpers/db.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('advisory locks on PostgreSQL', () => {
  // Every worker of every account takes its lock on one dedicated connection, and they start
  // together (the start-up runs, a 15-minute tick): pg deprecates overlapping client.query()
  // calls (an error in pg@9), so the locks' queries must wait for each other.
  it('takes and releases many locks at once without overlapping queries on their connection', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    cleanup.push(async () => void process.off('warning', onWarning));
    const db = await openPostgresTestDatabase();
    cleanup.push(() => db.close());

    const names = Array.from({ length: 30 }, (_, i) => `concurrent-lock-${i}`);
    const releases = await Promise.all(names.map((n) => db.tryLock(n)));
    expect(releases.every((r) => r !== null)).toBe(true);
    // Released all at once, then free to take again.
    await Promise.all(releases.map((r) => r!()));
    const again = await Promise.all(names.map((n) => db.tryLock(n)));
    expect(again.every((r) => r !== null)).toBe(true);
    await Promise.all(again.map((r) => r!()));
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => /already executing a query/.test(w))).toEqual([]);
  });
});
