import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import type { Config } from './config.js';
import { requestMemo, type Context, type Services } from './context.js';
import { openDatabase, type Database } from './db/index.js';
import { isDatabaseUnreachable } from './db/unreachable.js';
import { createLogger, type Logger } from './log.js';
import { configuredSecrets } from './redact.js';
import { createAuthenticator, type Authenticator } from './auth.js';
import { ensureAccount, ensureFallbackTenant } from './account.js';
import { schema } from './schema/index.js';
import { createMemoryPubSub, createRedisPubSub, type PubSub } from './pubsub.js';
import { createDoClient, type DoClient, type DoClientOptions } from './sync/client.js';
import { createSyncService, type SyncService } from './sync/service.js';
import { KIND_SPECS } from './sync/kinds/index.js';
import { invoicesWorker } from './billing/worker.js';
import { createSimulator, type Simulator } from './simulator/index.js';
import { startDemoActivity } from './simulator/demo.js';
import { hardeningPlugins } from './schema/limits.js';
import { authPlugin, endStreamsOfEndedKeys, requestViewer } from './http-auth.js';
import { createKeySessions, type KeySessions } from './key-sessions.js';
import { attachWebSocket } from './ws.js';
import { operationLog } from './operation-log.js';

/** The header a non-browser client sends on GET requests; browsers cannot send it cross-origin without a preflight. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

/** A start-up problem with a one-line message for the operator (no stack trace). */
export class StartupError extends Error {
  override name = 'StartupError';
}

export type App = {
  /** Opens the database, applies migrations, listens. Resolves with the listening URL. */
  start(): Promise<{ url: string }>;
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
  /** Talk to this DigitalOcean base URL with this client options (tests against a simulator). */
  doClient?: Partial<DoClientOptions>;
  /** More operation plugins, over HTTP and WebSocket alike (tests: observe parse and validate). */
  plugins?: Plugin[];
};

export function buildApp(config: Config, overrides: AppOverrides = {}): App {
  const log = (overrides.logger ?? createLogger(config.logLevel)).withSecrets([...configuredSecrets(config), overrides.doClient?.token ?? '']);
  let db: Database | undefined;
  let services: Services | undefined;
  let yoga: YogaServerInstance<Record<string, unknown>, Context> | undefined;
  let server: Server | undefined;
  let ws: { close(): Promise<void> } | undefined;
  let sessions: KeySessions | undefined;
  const sockets = new Set<Socket>();
  let stopping: Promise<void> | undefined;
  let pubsub: PubSub | undefined;
  let doClient: DoClient | undefined;
  let simulator: Simulator | undefined;
  let demo: { stop(): void } | undefined;
  let sync: SyncService | undefined;
  let auth: Authenticator | undefined;

  async function start() {
    db = overrides.database ?? (await openDatabase(config));
    const applied = await db.migrate();
    if (applied.length) log.info('applied migrations', { migrations: applied });
    pubsub = config.redisUrl ? createRedisPubSub(config.redisUrl, log) : createMemoryPubSub();
    try {
      await pubsub.ready();
    } catch (error) {
      throw new StartupError(`cannot reach Redis at REDIS_URL: ${(error as Error).message}`);
    }
    const simulated = !config.doToken && !overrides.doClient;
    let apiUrl = config.doApiUrl;
    let schedules = config.schedules;
    if (simulated && overrides.sync !== false) {
      simulator = createSimulator({ latencyMs: 20 });
      await simulator.start();
      apiUrl = simulator.url;
      demo = startDemoActivity(simulator);
      // A minute-by-minute droplet sync makes the demo's status changes visible quickly.
      if (!schedules.DROPLETS.overridden) schedules = { ...schedules, DROPLETS: { pattern: '* * * * *', overridden: false } };
      log.warn(
        'NO DIGITALOCEAN_TOKEN: serving a SIMULATED DigitalOcean account (generated data, live changes every 20 s). Set DIGITALOCEAN_TOKEN for your real account.',
        { simulator: simulator.url },
      );
    }
    if (config.doToken || simulator || overrides.doClient) {
      doClient = createDoClient({
        token: config.doToken ?? 'simulated',
        baseUrl: apiUrl,
        log: (level, msg, fields) => log[level](msg, fields),
        ...overrides.doClient,
      });
    }
    const accountId = await ensureAccount(db, overrides.doClient?.baseUrl ?? apiUrl, simulated);
    const fallbackTenantId = await ensureFallbackTenant(db, config.fallbackTenant);
    if (doClient && overrides.sync !== false) {
      sync = createSyncService({
        deps: {
          db,
          pubsub,
          log,
          client: doClient,
          accountId,
          fallbackTenantId,
          dedicatedKinds: new Set(KIND_SPECS.filter((k) => !schedules[k.worker].disabled).map((k) => k.kind)),
        },
        schedules,
        extraWorkers: { INVOICES: invoicesWorker },
        runOnStart: overrides.sync?.runOnStart ?? true,
      });
    }
    services = { db, log, accountId, fallbackTenantId, pubsub, ...(doClient ? { doClient } : {}), ...(sync ? { sync } : {}) };
    const authenticator = createAuthenticator(db, config.adminApiKey, { log });
    auth = authenticator;
    if (!authenticator.required) {
      log.warn('ADMIN_API_KEY is not set: the API is open to anyone who can reach it', { host: config.host });
    }
    const svc = services;
    sessions = createKeySessions(pubsub, log);
    // The same operation checks over HTTP and WebSocket.
    const operationPlugins: Plugin[] = [operationLog(log), ...hardeningPlugins(config.queryLimits), ...(overrides.plugins ?? [])];
    const maskError = (error: unknown, message = 'Unexpected error.') => {
      const original = (error as GraphQLError).originalError ?? error;
      // The located error keeps the path of the field (or list entry) that failed.
      if (original instanceof GraphQLError) return error instanceof GraphQLError ? error : original;
      if (isDatabaseUnreachable(original)) {
        log.warn('the database could not be reached while resolving', { error: original });
        return new GraphQLError('the database cannot be reached right now; try again later', {
          extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503, headers: { 'retry-after': '5' } } },
        });
      }
      log.error('unexpected error while resolving', { error: original });
      return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    };
    const contextFor = (viewer: Context['viewer']): Context => ({ ...svc, viewer, once: requestMemo() });
    yoga = createYoga<Record<string, unknown>, Context>({
      schema,
      graphqlEndpoint: '/graphql',
      landingPage: false,
      // Subscriptions in GraphiQL over server-sent events: they carry the Headers tab (the key) like queries do.
      // GraphiQL sends those as GETs: it adds the CSRF header, as any non-browser client would.
      graphiql: { title: 'DigitalOcean inventory graph', subscriptionsProtocol: 'SSE', additionalHeaders: { [CSRF_HEADER]: 'graphiql' } },
      // GraphiQL served from this package, not a CDN: it works on machines without internet.
      renderGraphiQL,
      // No cross-origin access unless CORS_ORIGINS lists the origin; keys travel in a header, never cookies.
      cors: config.corsOrigins.length ? { origin: config.corsOrigins, credentials: false, methods: ['GET', 'POST'] } : false,
      plugins: [
        // Cheap checks first, all before the body is read: CSRF, then the key.
        useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }),
        authPlugin(auth, log),
        endStreamsOfEndedKeys(sessions) as Plugin,
        ...operationPlugins,
      ],
      logging: {
        debug: (...args) => log.debug('yoga', { args: args.map(String) }),
        info: (...args) => log.debug('yoga', { args: args.map(String) }),
        warn: (...args) => log.warn('yoga', { args: args.map(String) }),
        // Client errors are answered to the client; unexpected ones are logged in maskError.
        error: (...args) => log.debug('yoga error', { args: args.map(String) }),
      },
      maskedErrors: { maskError: (error, message) => maskError(error, message) },
      // The viewer was found before the request was parsed (authPlugin); no second lookup.
      context: async ({ request }) => contextFor(requestViewer(request) ?? (await authenticator.authenticate(request.headers.get('authorization')))),
    });

    if (overrides.listen === false) {
      await sync?.start();
      return { url: '' };
    }
    server = createServer((req, res) => {
      if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        return;
      }
      if (req.url === '/readyz') {
        // Asked of the database and Redis each time, within 2 s. Only the database decides
        // readiness (503 without it); without Redis the server serves and commits, and says it is
        // degraded: live events stop crossing replicas until Redis is back.
        void Promise.all([db!.status(), pubsub!.health()]).then(([database, redis]) => {
          const status = database !== 'ok' ? 'not ready' : redis === 'ok' ? 'ready' : 'degraded';
          const body = { status, database, ...(pubsub!.transport === 'redis' ? { redis } : {}) };
          res.writeHead(database === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        });
        return;
      }
      void yoga!(req, res);
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          new StartupError(
            error.code === 'EADDRINUSE'
              ? `port ${config.port} on ${config.host} is already in use (set PORT to another port)`
              : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
                ? `cannot listen on HOST=${config.host}: ${error.code}`
                : `cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`,
          ),
        );
      };
      server!.once('error', onError);
      server!.listen(config.port, config.host, () => {
        server!.off('error', onError);
        resolve();
      });
    });
    // Attached after listen succeeded: the WebSocket server re-emits the HTTP server's errors.
    ws = attachWebSocket({
      server,
      path: '/graphql',
      schema,
      plugins: operationPlugins,
      auth,
      context: contextFor,
      maskError: (error) => maskError(error),
      limits: config.ws,
      allowedOrigins: config.corsOrigins,
      sessions,
      log,
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    await sync?.start();
    return { url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}` };
  }

  async function ready() {
    return db ? db.ready() : false;
  }

  async function stop() {
    stopping ??= (async () => {
      demo?.stop();
      await sync?.stop();
      sessions?.close();
      await ws?.close();
      if (server) {
        await new Promise<void>((resolve) => {
          server!.close(() => resolve());
          server!.closeIdleConnections();
          // In-flight requests get a grace period, then their sockets are closed.
          setTimeout(() => {
            for (const s of sockets) s.destroy();
          }, 10_000).unref();
        });
      }
      await doClient?.close();
      await simulator?.stop();
      await auth?.idle();
      await pubsub?.close();
      if (db && !overrides.database) await db.close();
    })();
    return stopping;
  }

  return {
    start,
    stop,
    ready,
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
