import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { Config } from './config.js';
import { requestMemo, type Context, type Services } from './context.js';
import { openDatabase, type Database } from './db/index.js';
import { createLogger, type Logger } from './log.js';
import { createAuthenticator } from './auth.js';
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
};

export function buildApp(config: Config, overrides: AppOverrides = {}): App {
  const log = overrides.logger ?? createLogger(config.logLevel);
  let db: Database | undefined;
  let services: Services | undefined;
  let yoga: YogaServerInstance<Record<string, unknown>, Context> | undefined;
  let server: Server | undefined;
  let wss: WebSocketServer | undefined;
  const sockets = new Set<Socket>();
  let stopping: Promise<void> | undefined;
  let pubsub: PubSub | undefined;
  let doClient: DoClient | undefined;
  let simulator: Simulator | undefined;
  let demo: { stop(): void } | undefined;
  let sync: SyncService | undefined;

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
          dedicatedKinds: new Set(KIND_SPECS.filter((k) => schedules[k.worker].pattern !== null).map((k) => k.kind)),
        },
        schedules,
        extraWorkers: { INVOICES: invoicesWorker },
        runOnStart: overrides.sync?.runOnStart ?? true,
      });
    }
    services = { db, log, accountId, fallbackTenantId, pubsub, ...(doClient ? { doClient } : {}), ...(sync ? { sync } : {}) };
    const auth = createAuthenticator(db, config.adminApiKey);
    if (!auth.required) {
      log.warn('ADMIN_API_KEY is not set: the API is open to anyone who can reach it', { host: config.host });
    }
    const svc = services;
    yoga = createYoga<Record<string, unknown>, Context>({
      schema,
      graphqlEndpoint: '/graphql',
      landingPage: false,
      graphiql: { title: 'DigitalOcean inventory graph', subscriptionsProtocol: 'WS' },
      // GraphiQL served from this package, not a CDN: it works on machines without internet.
      renderGraphiQL,
      plugins: hardeningPlugins(config.queryLimits),
      logging: {
        debug: (...args) => log.debug('yoga', { args: args.map(String) }),
        info: (...args) => log.debug('yoga', { args: args.map(String) }),
        warn: (...args) => log.warn('yoga', { args: args.map(String) }),
        // Client errors are answered to the client; unexpected ones are logged in maskError.
        error: (...args) => log.debug('yoga error', { args: args.map(String) }),
      },
      maskedErrors: {
        maskError(error, message) {
          const original = (error as GraphQLError).originalError ?? error;
          if (original instanceof GraphQLError) return original;
          log.error('unexpected error while resolving', { error: original });
          return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
        },
      },
      context: async (initial) => {
        const fromWs = (initial as { connectionParams?: Record<string, unknown> }).connectionParams;
        const header = fromWs ? String(fromWs.authorization ?? fromWs.Authorization ?? '') : initial.request.headers.get('authorization');
        return { ...svc, viewer: await auth.authenticate(header), once: requestMemo() };
      },
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
        void ready().then((ok) => {
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'ready' : 'not ready' }));
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
    wss = new WebSocketServer({ server, path: '/graphql' });
    wss.on('error', (error) => log.error('WebSocket server error', { error }));
    attachGraphqlWs(wss, yoga, auth, log);
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
      if (wss) {
        for (const client of wss.clients) client.close(1001, 'server shutting down');
        await new Promise<void>((resolve) => wss!.close(() => resolve()));
      }
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

/**
 * graphql-ws on the /graphql path, through yoga.getEnveloped so authentication,
 * validation limits and error masking are the same as over HTTP.
 */
function attachGraphqlWs(
  wss: WebSocketServer,
  yoga: YogaServerInstance<Record<string, unknown>, Context>,
  auth: ReturnType<typeof createAuthenticator>,
  log: Logger,
) {
  useServer(
    {
      execute: (args) => (args.rootValue as { execute(a: ExecutionArgs): unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe(a: ExecutionArgs): unknown }).subscribe(args) as never,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        try {
          await auth.authenticate(String(params.authorization ?? params.Authorization ?? ''));
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const { schema: s, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request as IncomingMessage,
          socket: ctx.extra.socket,
          params: payload,
          connectionParams: ctx.connectionParams ?? {},
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('could not parse the query')];
        }
        const errors = validate(s, document);
        if (errors.length) return errors;
        let contextValue;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          log.error('subscription context failed', { error });
          return [new GraphQLError('Unexpected error.')];
        }
        return {
          schema: s,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue,
          rootValue: { execute, subscribe },
        };
      },
    },
    wss,
  );
}
