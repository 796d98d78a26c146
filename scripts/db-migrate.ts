// npm run db:migrate — applies prisma/migrations to PostgreSQL (DATABASE_URL) or to the
// embedded database under DATA_DIR, through the WebAssembly schema engine (no native engine).
// The server does the same at start; this is for deploy steps and for checking.
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/index.js';

const config = loadConfig();
if (!config.ok) {
  for (const p of config.problems) console.error(`config: ${p}`);
  process.exit(2);
}
try {
  const db = await openDatabase(config.config);
  const applied = await db.migrate();
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date: no pending migrations');
  await db.close();
} catch (error) {
  console.error(`cannot migrate: ${(error as Error).message}`);
  process.exit(1);
}
