import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { testDatabaseTargets } from '../helpers/db.js';

const MIGRATIONS = join(import.meta.dirname, '../../prisma/migrations');

/** The statements of the migration that turned event labels into ids. */
async function eventIdsStatements(): Promise<string[]> {
  const name = (await readdir(MIGRATIONS)).find((n) => n.endsWith('_event_ids'))!;
  const sql = await readFile(join(MIGRATIONS, name, 'migration.sql'), 'utf8');
  return sql
    .replace(/--.*$/gm, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

describe.each(testDatabaseTargets())('the event_ids migration on $name', (target) => {
  let db: Database;
  beforeAll(async () => {
    db = await target.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('rewrites tenant slugs and project provider ids in from/to as ids, of these two types only, and leaves what names nothing', async () => {
    const p = db.prisma;
    const account = await p.cloudAccount.create({ data: { slug: 'migration', name: 'm', apiUrl: 'http://m' } });
    const acme = await p.tenant.create({ data: { slug: 'mig-acme', name: 'Acme' } });
    const globex = await p.tenant.create({ data: { slug: 'mig-globex', name: 'Globex' } });
    const web = await p.project.create({ data: { accountId: account.id, providerId: 'mig-p1', name: 'Web' } });
    const db2 = await p.project.create({ data: { accountId: account.id, providerId: 'mig-p2', name: 'Db' } });
    const resource = await p.resource.create({
      data: { accountId: account.id, kind: 'droplet', providerId: 'mig-1', urn: 'do:droplet:mig-1', name: 'x', tenantSource: 'NONE' },
    });
    const event = (type: 'TENANT_CHANGED' | 'PROJECT_CHANGED' | 'STATUS_CHANGED', from: string | null, to: string | null) =>
      p.resourceEvent.create({ data: { accountId: account.id, resourceId: resource.id, type, kind: 'droplet', from, to } });
    const rows = [
      await event('TENANT_CHANGED', null, 'mig-acme'),
      await event('TENANT_CHANGED', 'mig-acme', 'mig-globex'),
      await event('TENANT_CHANGED', 'no-such-tenant', 'mig-acme'),
      await event('PROJECT_CHANGED', 'mig-p1', 'mig-p2'),
      await event('STATUS_CHANGED', 'mig-acme', 'mig-p1'),
    ];
    for (const statement of await eventIdsStatements()) await db.sql.query(statement);
    const after = await p.resourceEvent.findMany({ where: { sequence: { in: rows.map((r) => r.sequence) } }, orderBy: { sequence: 'asc' } });
    expect(after.map((e) => [e.from, e.to])).toEqual([
      [null, acme.id],
      [acme.id, globex.id],
      ['no-such-tenant', acme.id],
      [web.id, db2.id],
      ['mig-acme', 'mig-p1'],
    ]);
  });
});
