import { buildApp, type App, type AppOverrides } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Database } from '../../src/db/index.js';
import { createLogger } from '../../src/log.js';

export function testConfig(env: Record<string, string> = {}): Config {
  const result = loadConfig({ LOG_LEVEL: 'silent', ...env });
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.config;
}

export type TestApp = {
  app: App;
  db: Database;
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  stop(): Promise<void>;
};

/**
 * An app on the given database, answering GraphQL through yoga.fetch (no port). Its queries run
 * compiled from their first execution, as a server runs its repeated ones (`compileFromExecution`).
 */
export async function startTestApp(db: Database, env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<TestApp> {
  const app = buildApp(testConfig(env), { database: db, listen: false, logger: createLogger('silent'), sync: false, compileFromExecution: 1, ...overrides });
  await app.start();
  return {
    app,
    db,
    async gql(query, variables, headers = {}) {
      const res = await app.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as never;
    },
    stop: () => app.stop(),
  };
}
