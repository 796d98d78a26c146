import type { App } from './app.js';
import type { Logger } from './log.js';

/** Known start-up problems are one line; anything else is a bug and keeps its stack (as a field). */
function describe(error: unknown): { message: string; fields?: Record<string, unknown> } {
  const e = error as Error;
  if (e && ['StartupError', 'DatabaseError'].includes(e.name)) return { message: e.message };
  return { message: e?.message ?? String(error), fields: { stack: e?.stack ?? String(error) } };
}

/** Starts the app, stops it cleanly on SIGTERM/SIGINT; the one place that exits the process. */
export function runMain(app: App, log: Logger): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`, { signal });
    app.stop().then(
      () => process.exit(0),
      (error) => {
        const { message, fields } = describe(error);
        log.error(`error while stopping: ${message}`, fields);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  app.start().then(
    ({ url }) => log.info(`inventory graph listening on ${url}/graphql (GraphiQL in a browser)`, { url: `${url}/graphql` }),
    async (error) => {
      const { message, fields } = describe(error);
      log.error(`cannot start: ${message}`, fields);
      await app.stop().catch(() => {});
      process.exit(1);
    },
  );
}
