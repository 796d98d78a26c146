import type { App } from './app.js';

/** Known start-up problems print one line; anything else is a bug and keeps its stack. */
function oneLine(error: unknown): string {
  const e = error as Error;
  if (e && ['StartupError', 'DatabaseError'].includes(e.name)) return e.message;
  return e?.stack ?? String(error);
}

/** Starts the app, stops it cleanly on SIGTERM/SIGINT; the one place that exits the process. */
export function runMain(app: App): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: shutting down`);
    app.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(`error while stopping: ${oneLine(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  app.start().then(
    ({ url }) => console.error(`inventory graph listening on ${url}/graphql (GraphiQL in a browser)`),
    async (error) => {
      console.error(`cannot start: ${oneLine(error)}`);
      await app.stop().catch(() => {});
      process.exit(1);
    },
  );
}
