import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { PROJECT_ROOT } from '../paths.js';

const require = createRequire(import.meta.url);

/** Where the schema and migrations live. */
const SCHEMA_PATH = join(PROJECT_ROOT, 'prisma/schema.prisma');
export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'prisma/migrations');

const NO_FILTERS = { externalTables: [], externalEnums: [] };

type WasmApi = {
  compile(bytes: Uint8Array): Promise<object>;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> };
};

let wasmModule: Promise<typeof import('@prisma/schema-engine-wasm/schema_engine_bg')> | undefined;

/**
 * Loads Prisma's schema engine compiled to WebAssembly (the same engine the CLI uses),
 * so migrations never need the native binary that cannot be downloaded here.
 */
function loadEngineModule() {
  wasmModule ??= (async () => {
    const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = join(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'), '../schema_engine_bg.wasm');
    // lib "DOM" is not loaded, so WebAssembly is reached through globalThis.
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = await wasm.compile(await readFile(wasmPath));
    const inst = new wasm.Instance(module, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(inst.exports);
    (inst.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return wasmModule;
}

async function withEngine<T>(factory: SqlMigrationAwareDriverAdapterFactory, fn: (engine: SchemaEngine, datamodel: string) => Promise<T>): Promise<T> {
  const bg = await loadEngineModule();
  const datamodel = await readFile(SCHEMA_PATH, 'utf8');
  const engine = await bg.SchemaEngine.new({ datamodels: [[SCHEMA_PATH, datamodel]] }, () => {}, bindMigrationAwareSqlAdapterFactory(factory));
  try {
    return await fn(engine, datamodel);
  } finally {
    engine.free();
  }
}

async function migrationsList() {
  const names = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: await readFile(join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8') },
      },
    })),
  );
  const lockPath = join(MIGRATIONS_DIR, 'migration_lock.toml');
  const lockContent = await readFile(lockPath, 'utf8').catch(() => null);
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/** The migrations in prisma/migrations, oldest first, with the checksum Prisma records. */
export async function localMigrations(): Promise<{ name: string; checksum: string }[]> {
  return (await migrationsList()).migrationDirectories.map((m) => ({
    name: m.path,
    checksum: createHash('sha256').update(m.migrationFile.content.value).digest('hex'),
  }));
}

/** Applies pending migrations; returns the names it applied (none when up to date). */
export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const list = await migrationsList();
  return withEngine(factory, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList: list, filters: NO_FILTERS } as never);
    return out.appliedMigrationNames;
  });
}

/**
 * The SQL that takes the migration history to the current schema.prisma (empty when
 * nothing changed). `shadow` replays the history; an in-memory PGlite works.
 */
export async function diffSchemaAgainstMigrations(shadow: SqlMigrationAwareDriverAdapterFactory): Promise<string> {
  const list = await migrationsList();
  return withEngine(shadow, async (engine, datamodel) => {
    const from = list.migrationDirectories.length === 0 ? { tag: 'empty' } : { tag: 'migrations', ...list };
    const result = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: datamodel }] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    } as never);
    return result.stdout ?? '';
  });
}
