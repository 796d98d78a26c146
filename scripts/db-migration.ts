// npm run db:migration -- <name>
// Writes prisma/migrations/<timestamp>_<name>/migration.sql from the difference between
// the migration history and prisma/schema.prisma, through the WebAssembly schema engine
// (the history is replayed in an in-memory embedded database; no native engine needed).
import { mkdir, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { MIGRATIONS_DIR, diffSchemaAgainstMigrations } from '../src/db/schema-engine.js';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- <name>   (lower case letters, digits and _)');
  process.exit(2);
}
const shadow = new PGlite();
const sql = await diffSchemaAgainstMigrations(new PrismaPGlite(shadow));
await shadow.close();
if (!sql.trim() || /^-- This is an empty migration\.?\s*$/.test(sql.trim())) {
  console.log('schema.prisma matches the migrations: nothing to write');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = join(MIGRATIONS_DIR, `${stamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(join(dir, 'migration.sql'), sql);
const lock = join(MIGRATIONS_DIR, 'migration_lock.toml');
await access(lock).catch(() => writeFile(lock, '# Do not edit by hand.\nprovider = "postgresql"\n'));
console.log(`wrote ${dir}/migration.sql`);
