import type { Plugin } from 'graphql-yoga';
import { ensureFallbackTenant } from './accounts.js';
import { createAccounts, planAccounts } from './components/accounts.js';
import { createAuthenticator } from './auth.js';
import { createDatabase } from './components/database.js';
import { createGraphqlHttp, type GraphqlHttp } from './components/graphql-http.js';
import { createHttpServer } from './components/http-server.js';
import { createLifecycle, stopping } from './components/lifecycle.js';
import { createPubSubComponent } from './components/pubsub.js';
import { createDemoActivity, createSimulatedAccounts, demoSchedules } from './components/simulated-account.js';
import type { Config } from './config.js';
import { requestMemo, type Context, type Services } from './context.js';
import type { Database } from './db/index.js';
import { createKeySessions } from './key-sessions.js';
import { createLogger, type Logger } from './log.js';
import { createMaskError } from './mask-error.js';
import { configuredSecrets } from './redact.js';
import { schema } from './schema/index.js';
import { hardeningPlugins } from './schema/limits.js';
import type { DoClientOptions } from './digitalocean/client.js';
import { createWebSocketServer } from './ws.js';
import { operationLog } from './operation-log.js';
import { compiledExecutionPlugin } from './execution/compiled-execution.js';
import { isMetricsRequest, metricsEndpoint } from './metrics/http.js';
import { createMetrics } from './metrics/metrics.js';
import { createMetricsServer } from './metrics/server.js';

export type App = {
  /** Opens the database, applies migrations, listens. Resolves with the listening URL (and the metrics port's, when METRICS_PORT is set). */
  start(): Promise<{ url: string; metricsUrl?: string }>;
  /** Stops accepting, finishes in-flight requests, closes sockets and the database. */
  stop(): Promise<void>;
  /** True when the database answers and all migrations are applied. */
  ready(): Promise<boolean>;
  /** GraphQL over HTTP without a port (tests): `app.fetch(url, init)`. Valid after start(). */
  fetch(input: string, init?: RequestInit): Promise<Response>;
  services(): Services;
};

export type AppOverrides = {
  /** Use this database instead of opening one from the config (tests). */
  database?: Database;
  logger?: Logger;
  /** Do not listen on a port (tests that use fetch only). */
  listen?: boolean;
  /** Sync workers: false = none; runOnStart false = schedule only (tests). Default: all, run once at start. */
  sync?: false | { runOnStart?: boolean };
  /**
   * DigitalOcean client options for every account (tests against a simulator: clock, limits,
   * retries). With no configured account: one account `default` talking to its base URL. With one
   * configured account its base URL and token apply too; with several, they are ignored.
   */
  doClient?: Partial<DoClientOptions>;
  /** More operation plugins, over HTTP and WebSocket alike (tests: observe parse and validate). */
  plugins?: Plugin[];
  /** The execution from which a query document runs compiled (default 2; tests: 1, so every query runs compiled). */
  compileFromExecution?: number;
};

/**
 * The app as its components, started in this order and stopped in reverse: database, pub/sub,
 * simulated accounts (without a token), the accounts (rows, DigitalOcean clients), API keys,
 * key sessions, HTTP server, WebSocket server, each account's sync workers, demo activity.
 */
export function buildApp(config: Config, overrides: AppOverrides = {}): App {
  const log = (overrides.logger ?? createLogger(config.logLevel)).withSecrets([...configuredSecrets(config), overrides.doClient?.token ?? '']);
  const lifecycle = createLifecycle();
  const database = createDatabase(config, { log, given: overrides.database });
  let services: Services | undefined;
  let yoga: GraphqlHttp | undefined;
  const metrics = createMetrics();
  metrics.watchDatabase(() => services?.db);

  async function start(): Promise<{ url: string; metricsUrl?: string }> {
    const { db } = await lifecycle.start(database);
    const { pubsub } = await lifecycle.start(createPubSubComponent(config, { log }));

    // Without a configured account (and not pointed at a test's DigitalOcean), two simulated ones.
    const simulate = config.accounts.length === 0 && !overrides.doClient && overrides.sync !== false;
    const simulated = simulate ? await lifecycle.start(createSimulatedAccounts({ log })) : undefined;
    const planned = planAccounts(config, {
      doClient: overrides.doClient,
      simulated: simulated?.accounts.map((a) => ({ slug: a.slug, name: a.name, url: a.simulator.url })),
    });
    const fallbackTenantId = await ensureFallbackTenant(db, config.fallbackTenant);
    const { accounts, syncs } = await lifecycle.start(
      createAccounts(planned, {
        db,
        pubsub,
        log,
        fallbackTenantId,
        schedules: simulated ? demoSchedules(config.schedules) : config.schedules,
        sync: overrides.sync ?? {},
        metrics,
      }),
    );
    const svc: Services = { db, log, accounts, fallbackTenantId, pubsub, metrics };
    services = svc;

    const auth = createAuthenticator(db, config.adminApiKey, { log });
    if (!auth.required) log.warn('ADMIN_API_KEY is not set: the API is open to anyone who can reach it', { host: config.host });
    await lifecycle.start(stopping(() => auth.idle()));
    const sessions = createKeySessions(pubsub, log);
    await lifecycle.start(stopping(() => sessions.close()));

    // The same operation checks and the same masking over HTTP and WebSocket.
    // The operation log first: a refusal by the limits still ends the operation in the log.
    // Metrics next, before the limits too: refused operations are counted with their error code.
    // Compiled execution before the limits: the statement scope among them wraps the compiled executor.
    const operationPlugins: Plugin[] = [
      operationLog(log),
      ...metrics.graphql,
      compiledExecutionPlugin({ fromExecution: overrides.compileFromExecution }),
      ...hardeningPlugins(config.queryLimits),
      ...(overrides.plugins ?? []),
    ];
    const maskError = createMaskError(log);
    const context = (viewer: Context['viewer']): Context => ({ ...svc, accountIds: accounts.ids, viewer, once: requestMemo() });
    yoga = createGraphqlHttp(config, { auth, sessions, operationPlugins, context, maskError, log });

    let url = '';
    let metricsUrl: string | undefined;
    // /metrics on the API port behind the API's key, or on METRICS_PORT without one.
    const ownPort = config.metrics.port !== null;
    const serveMetrics = metricsEndpoint(() => metrics.expose(), { auth: ownPort ? undefined : auth, log });
    if (overrides.listen !== false) {
      if (ownPort) metricsUrl = (await lifecycle.start(createMetricsServer({ host: config.metrics.host, port: config.metrics.port! }, serveMetrics))).url;
      const httpMetrics = { observe: metrics.http.observe, ...(ownPort ? {} : { serves: isMetricsRequest, serve: serveMetrics }) };
      const http = await lifecycle.start(createHttpServer(config, { handler: yoga, db, pubsub, metrics: httpMetrics }));
      await lifecycle.start(
        createWebSocketServer({
          server: http.server,
          path: '/graphql',
          schema,
          plugins: operationPlugins,
          auth,
          context,
          maskError: (error) => maskError(error),
          limits: config.ws,
          allowedOrigins: config.corsOrigins,
          sessions,
          log,
          persistedOperations: config.persistedOperations,
          metrics: metrics.websocket,
        }),
      );
      url = http.url;
    }
    for (const sync of syncs) await lifecycle.start(sync);
    if (simulated) await lifecycle.start(createDemoActivity(simulated.accounts.map((a) => a.simulator)));
    return { url, ...(metricsUrl ? { metricsUrl } : {}) };
  }

  return {
    start,
    stop: () => lifecycle.stop(),
    ready: () => database.ready(),
    fetch: (input, init) => {
      if (!yoga) throw new Error('app not started');
      return Promise.resolve(yoga.fetch(new URL(input, 'http://localhost'), init as never));
    },
    services: () => {
      if (!services) throw new Error('app not started');
      return services;
    },
  };
}
