import { loadConfig } from './config.js';
import { buildApp } from './app.js';
import { runMain } from './process.js';

const result = loadConfig();
if (!result.ok) {
  for (const problem of result.problems) console.error(`config: ${problem}`);
  process.exit(2);
}
runMain(buildApp(result.config));
