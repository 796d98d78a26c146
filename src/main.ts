import { loadConfig } from './config.js';
import { buildApp } from './app.js';
import { processLogger } from './log.js';
import { runMain } from './process.js';

const result = loadConfig();
if (!result.ok) {
  const log = processLogger(null);
  for (const problem of result.problems) log.error(`config: ${problem}`);
  process.exit(2);
}
const log = processLogger(result.config);
runMain(buildApp(result.config, { logger: log }), log);
