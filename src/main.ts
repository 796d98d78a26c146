import { LOG_FORMATS, loadConfig } from './config.js';
import { buildApp } from './app.js';
import { createLogger } from './log.js';
import { runMain } from './process.js';
import { configuredSecrets } from './redact.js';

const result = loadConfig();
if (!result.ok) {
  // The configuration is not valid, but a valid LOG_FORMAT is still honoured for its report.
  const format = LOG_FORMATS.find((f) => f === process.env.LOG_FORMAT?.trim()) ?? 'json';
  const log = createLogger('error', {}, format);
  for (const problem of result.problems) log.error(`config: ${problem}`);
  process.exit(2);
}
const { config } = result;
const log = createLogger(config.logLevel, {}, config.logFormat).withSecrets(configuredSecrets(config));
runMain(buildApp(config, { logger: log }), log);
