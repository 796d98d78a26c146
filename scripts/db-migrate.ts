// npm run db:migrate — applies prisma/migrations to PostgreSQL (DATABASE_URL) or to the
// embedded database under DATA_DIR, through the WebAssembly schema engine (no native engine).
// The server does the same at start; this is for deploy steps and for checking. It logs as the
// server does (JSON lines, or LOG_FORMAT=pretty), and waits for a replica that is migrating.
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/index.js';
import { processLogger } from '../src/log.js';

const config = loadConfig();
if (!config.ok) {
  const log = processLogger(null);
  for (const p of config.problems) log.error(`config: ${p}`);
  process.exit(2);
}
const log = processLogger(config.config);
try {
  const db = await openDatabase({ ...config.config, log });
  const applied = await db.migrate();
  log.info(applied.length ? `applied: ${applied.join(', ')}` : 'up to date: no pending migrations', { migrations: applied });
  await db.close();
} catch (error) {
  log.error(`cannot migrate: ${(error as Error).message}`);
  process.exit(1);
}
