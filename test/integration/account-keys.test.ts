import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { MIGRATIONS_DIR } from '../../src/db/schema-engine.js';
import { testDatabaseTargets } from '../helpers/db.js';

const MIGRATION = 'accounts_unique_keys';

/** Every table the migration touches, read whole and in a stable order. */
const TABLES = ['CloudAccount', 'Tenant', 'Project', 'ProjectMembership', 'Resource', 'ResourceEvent', 'SyncRun', 'Invoice'];

describe(`migration ${MIGRATION}`, () => {
  it('keeps a single-account database as it was', async () => {
    const dirs = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const at = dirs.findIndex((d) => d.endsWith(`_${MIGRATION}`));
    expect(at).toBeGreaterThan(0);
    const sqlOf = (dir: string) => readFile(join(MIGRATIONS_DIR, dir, 'migration.sql'), 'utf8');
    const pglite = await PGlite.create();
    try {
      for (const dir of dirs.slice(0, at)) await pglite.exec(await sqlOf(dir));
      await pglite.exec(`
        INSERT INTO "CloudAccount" (id, slug, name, "apiUrl") VALUES ('00000000-0000-4000-8000-00000000000a', 'default', 'DigitalOcean account', 'https://api.digitalocean.com');
        INSERT INTO "Tenant" (id, slug, name) VALUES ('00000000-0000-4000-8000-0000000000a1', 'acme', 'Acme');
        INSERT INTO "Project" (id, "accountId", "providerId", name, "tenantId")
          VALUES ('00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-00000000000a', 'p-1', 'web', '00000000-0000-4000-8000-0000000000a1');
        INSERT INTO "ProjectMembership" (id, "accountId", "projectId", urn, "urnType", kind, "providerId")
          VALUES ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000b1', 'do:droplet:1', 'droplet', 'droplet', '1');
        INSERT INTO "Resource" (id, "accountId", kind, "providerId", urn, name, "projectId", "tenantId", "tenantSource")
          VALUES ('00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-00000000000a', 'droplet', '1', 'do:droplet:1', 'web-1',
                  '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000a1', 'PROJECT'),
                 ('00000000-0000-4000-8000-0000000000d2', '00000000-0000-4000-8000-00000000000a', 'volume', 'v-1', 'do:volume:v-1', 'data', NULL, NULL, 'NONE');
        INSERT INTO "SyncRun" (id, "accountId", worker, trigger, status) VALUES ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-00000000000a', 'DROPLETS', 'SCHEDULE', 'SUCCEEDED');
        INSERT INTO "ResourceEvent" ("accountId", "resourceId", type, kind, "tenantId", "projectId", "to", "syncRunId")
          VALUES ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000d1', 'CREATED', 'droplet', '00000000-0000-4000-8000-0000000000a1',
                  '00000000-0000-4000-8000-0000000000b1', 'active', '00000000-0000-4000-8000-0000000000e1'),
                 ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000d2', 'CREATED', 'volume', NULL, NULL, NULL, NULL);
        INSERT INTO "Invoice" (id, "accountId", identity, period, amount, source, "contentHash")
          VALUES ('00000000-0000-4000-8000-0000000000f1', '00000000-0000-4000-8000-00000000000a', 'csv:2026-01', '2026-01', 12.5, 'CSV', 'h');
      `);
      const snapshot = async () => {
        const out: Record<string, unknown[]> = {};
        for (const table of TABLES) out[table] = (await pglite.query(`SELECT * FROM "${table}" ORDER BY 1`)).rows;
        return out;
      };
      const before = await snapshot();
      expect(before.ResourceEvent).toHaveLength(2);
      await pglite.exec(await sqlOf(dirs[at]!));
      expect(await snapshot()).toEqual(before);
      // The new keys hold on the migrated rows: an event of the account's resource is still accepted.
      await pglite.exec(`INSERT INTO "ResourceEvent" ("accountId", "resourceId", type, kind)
        VALUES ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000d2', 'MISSED', 'volume')`);
    } finally {
      await pglite.close();
    }
  });
});

describe.each(testDatabaseTargets())('keys of several accounts on $name', (target) => {
  let db: Database;
  let a: string;
  let b: string;
  beforeEach(async () => {
    db = await target.open();
    a = (await db.prisma.cloudAccount.create({ data: { slug: 'acme-prod', name: 'Acme production', apiUrl: 'http://a.example' } })).id;
    b = (await db.prisma.cloudAccount.create({ data: { slug: 'acme-staging', name: 'Acme staging', apiUrl: 'http://b.example' } })).id;
  });
  afterEach(async () => {
    await db.close();
  });

  it('lets two accounts hold the same provider ids, URNs and invoice identities', async () => {
    for (const accountId of [a, b]) {
      const project = await db.prisma.project.create({ data: { accountId, providerId: 'p-1', name: 'web' } });
      await db.prisma.projectMembership.create({
        data: { accountId, projectId: project.id, urn: 'do:droplet:1', urnType: 'droplet', kind: 'droplet', providerId: '1' },
      });
      const resource = await db.prisma.resource.create({
        data: { accountId, kind: 'droplet', providerId: '1', urn: 'do:droplet:1', name: 'web-1', projectId: project.id },
      });
      await db.prisma.resourceEvent.create({ data: { accountId, resourceId: resource.id, type: 'CREATED', kind: 'droplet' } });
      await db.prisma.invoice.create({
        data: { accountId, identity: 'preview:2026-01', period: '2026-01', amount: 1, source: 'API', isPreview: true, contentHash: 'h' },
      });
    }
    for (const model of [db.prisma.project, db.prisma.projectMembership, db.prisma.resource, db.prisma.resourceEvent, db.prisma.invoice] as {
      count(): Promise<number>;
    }[]) {
      expect(await model.count()).toBe(2);
    }
  });

  it("refuses a row of one account pointing at another account's project or resource", async () => {
    const projectOfB = await db.prisma.project.create({ data: { accountId: b, providerId: 'p-1', name: 'web' } });
    const resourceOfA = await db.prisma.resource.create({ data: { accountId: a, kind: 'droplet', providerId: '1', urn: 'do:droplet:1', name: 'web-1' } });
    const foreignKey = /foreign key|Foreign key constraint/i;
    await expect(
      db.prisma.resource.create({ data: { accountId: a, kind: 'volume', providerId: 'v-1', urn: 'do:volume:v-1', name: 'data', projectId: projectOfB.id } }),
    ).rejects.toThrow(foreignKey);
    await expect(db.prisma.resource.update({ where: { id: resourceOfA.id }, data: { projectId: projectOfB.id } })).rejects.toThrow(foreignKey);
    await expect(
      db.prisma.projectMembership.create({
        data: { accountId: a, projectId: projectOfB.id, urn: 'do:droplet:1', urnType: 'droplet', kind: 'droplet', providerId: '1' },
      }),
    ).rejects.toThrow(foreignKey);
    await expect(db.prisma.resourceEvent.create({ data: { accountId: b, resourceId: resourceOfA.id, type: 'CREATED', kind: 'droplet' } })).rejects.toThrow(
      foreignKey,
    );
    expect(await db.prisma.resourceEvent.count()).toBe(0);
    expect((await db.prisma.resource.findUniqueOrThrow({ where: { id: resourceOfA.id } })).projectId).toBeNull();
  });
});
