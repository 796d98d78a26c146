import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import {
  execute,
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { envelop, useSchema, type Plugin } from 'graphql-yoga';
import type { Authenticator } from './auth.js';
import type { Component } from './components/lifecycle.js';
import type { PersistedOperations, WsLimits } from './config.js';
import type { Context, Viewer } from './context.js';
import { apiError } from './domain/error-codes.js';
import { checkKey, isRefusal } from './http-auth.js';
import type { KeySessions } from './key-sessions.js';
import type { Logger } from './log.js';
import { persistedDocumentOf } from './persisted-operations.js';
import { createMultiplexer, groupKey, perSubscriber, subscriptionScopeKey, type Member } from './subscriptions/multiplexer.js';
import { sendFrames } from './subscriptions/socket-writes.js';

/** Close codes this server uses besides graphql-ws's own (4400 bad request, 4401 no connection_init, 4403 refused key, 4408 init timeout). */
const WS_CLOSE = {
  /** The key could not be checked (database unreachable): clients retry later. */
  tryAgainLater: 1013,
  /** More open sockets for this key than WS_MAX_SOCKETS_PER_KEY. */
  tooManySockets: 4429,
} as const;

export type WebSocketOptions = {
  /** The HTTP server to share; attached on start, after it listens (the WebSocket server re-emits its errors). */
  server: Server;
  path: string;
  schema: GraphQLSchema;
  /** The operation plugins HTTP uses too (query limits, tests' spies): the same checks over both transports. */
  plugins: Plugin[];
  auth: Authenticator;
  /** Builds an operation's context for an authenticated viewer. */
  context(viewer: Viewer): Context;
  /** The same masking as over HTTP: unexpected errors become "Unexpected error." and are logged. */
  maskError(error: unknown): GraphQLError;
  limits: WsLimits;
  /** Origins besides the server's own that may open a socket (CORS_ORIGINS). */
  allowedOrigins: string[];
  sessions: KeySessions;
  log: Logger;
  /**
   * PERSISTED_OPERATIONS_FILE's manifest: only its operations run, by hash. Checked here, not by
   * the HTTP plugin: graphql-yoga's persisted-operations plugin works in `onParams`, a hook of
   * yoga's HTTP pipeline that this envelop never calls.
   */
  persistedOperations?: PersistedOperations | null;
  /** Told when a socket is accepted (its key checked) and when it closes (src/metrics). */
  metrics?: { opened(): void; closed(): void };
};

type Extra = { socket: WebSocket; request: IncomingMessage; viewer?: Viewer; untrack?: () => void };

/** Binds graphql's own functions; yoga is not in this path, so no HTTP plugin or cache touches WebSocket operations. */
const engine: Plugin = {
  onParse: ({ setParseFn }) => setParseFn(parse),
  onValidate: ({ setValidationFn, addValidationRule }) => {
    setValidationFn(validate);
    specifiedRules.forEach(addValidationRule);
  },
  onExecute: ({ setExecuteFn }) => setExecuteFn(execute),
  onSubscribe: ({ setSubscribeFn }) => setSubscribeFn(subscribe),
};

/** A copy of the error without HTTP-only extensions (status codes mean nothing on a socket). */
function forSocket(error: GraphQLError): GraphQLError {
  if (!error.extensions?.http) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}

/** True for the server's own origin (same host as the request) and for allow-listed origins. */
function originAllowed(origin: string, host: string | undefined, allowed: string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.host === host || allowed.includes(url.origin);
}

/**
 * graphql-ws on `path`, checked before anything a client sends is parsed: a foreign Origin
 * is refused at the upgrade (403), messages are at most `maxPayloadBytes` (1009 beyond), the
 * key in connection_init is checked before any subscribe is read (4403; 1013 when it cannot
 * be checked; 4408 when it does not come in time), each key has at most `maxSocketsPerKey`
 * sockets (4429) and each socket at most `maxSubscriptionsPerSocket` operations
 * (TOO_MANY_SUBSCRIPTIONS). A revoked or expired key's sockets are closed 4403.
 * Operations run through their own envelop with the same plugins as HTTP, so nothing
 * HTTP-specific (parse cache, status codes) is shared.
 */
export function createWebSocketServer(options: WebSocketOptions): Component {
  let wss: WebSocketServer | undefined;
  return {
    async start() {
      wss = attachWebSocket(options);
    },
    async stop() {
      if (!wss) return;
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss!.close(() => resolve()));
    },
  };
}

function attachWebSocket(options: WebSocketOptions): WebSocketServer {
  const { limits, log } = options;
  const wss = new WebSocketServer({
    server: options.server,
    path: options.path,
    maxPayload: limits.maxPayloadBytes,
    verifyClient: ({ origin, req }, done) => {
      if (!origin || originAllowed(origin, req.headers.host, options.allowedOrigins)) return done(true);
      log.info('refused a WebSocket upgrade from a foreign origin', { origin });
      done(false, 403, 'Origin not allowed');
    },
  });
  wss.on('error', (error) => log.error('WebSocket server error', { error }));

  const getEnveloped = envelop({ plugins: [engine, useSchema(options.schema), ...options.plugins] });
  type Enveloped = ReturnType<typeof getEnveloped>;
  const runners = new WeakMap<object, Pick<Enveloped, 'execute' | 'subscribe'>>();
  const socketsByKey = new Map<string, Set<WebSocket>>();
  const keyOf = (viewer: Viewer) => viewer.keyId ?? viewer.actor;
  const mask = (errors: readonly GraphQLError[]) => errors.map((e) => forSocket(options.maskError(e)));
  // Subscriptions with equal document, variables and scope share one execution and one serialised
  // payload per event (WS_MULTIPLEX=off runs each on its own, as a baseline).
  const multiplexer = createMultiplexer({
    payloadOf: ({ errors, ...rest }: ExecutionResult) => (errors ? { ...rest, errors: mask(errors).map((e) => e.toJSON()) } : rest),
  });
  const shared = new WeakMap<object, { key: string; member: Member }>();
  const subscribeOf = (args: ExecutionArgs) => runners.get(args)!.subscribe(args) as Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;

  useServer<Record<string, unknown>, Extra>(
    {
      connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
      execute: (args) => runners.get(args)!.execute(args as ExecutionArgs) as never,
      subscribe: (args) => {
        const group = shared.get(args);
        if (group) return multiplexer.join(group.key, group.member, () => subscribeOf(args as ExecutionArgs)) as never;
        return subscribeOf(args as ExecutionArgs) as never;
      },
      onConnect: async (ctx) => {
        const { socket } = ctx.extra;
        const params = ctx.connectionParams ?? {};
        const result = await checkKey(options.auth, String(params.authorization ?? params.Authorization ?? ''), log);
        if (socket.readyState !== socket.OPEN) return false;
        if (isRefusal(result)) {
          if (result.status === 503) socket.close(WS_CLOSE.tryAgainLater, 'cannot check the API key right now; try again later');
          return false;
        }
        const key = keyOf(result);
        let open = socketsByKey.get(key);
        if (!open) socketsByKey.set(key, (open = new Set()));
        if (open.size >= limits.maxSocketsPerKey) {
          socket.close(WS_CLOSE.tooManySockets, `at most ${limits.maxSocketsPerKey} open WebSocket connections per key`);
          return false;
        }
        open.add(socket);
        options.metrics?.opened();
        const untrackSession = options.sessions.add(result, (code, reason) => socket.close(code, reason));
        ctx.extra.viewer = result;
        ctx.extra.untrack = () => {
          untrackSession();
          options.metrics?.closed();
          open.delete(socket);
          if (open.size === 0 && socketsByKey.get(key) === open) socketsByKey.delete(key);
        };
        return true;
      },
      onClose: (ctx) => ctx.extra.untrack?.(),
      onSubscribe: async (ctx, id, payload) => {
        // graphql-ws records the operation before this hook: the count includes it.
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerSocket) {
          return [
            apiError(
              'TOO_MANY_SUBSCRIPTIONS',
              `too many operations on this connection: at most ${limits.maxSubscriptionsPerSocket} subscriptions per WebSocket`,
            ),
          ];
        }
        let query = payload.query;
        if (options.persistedOperations) {
          const trusted = persistedDocumentOf(options.persistedOperations, payload);
          if (typeof trusted !== 'string') return mask([trusted]);
          query = trusted;
        }
        const viewer = ctx.extra.viewer!;
        const enveloped = getEnveloped({ viewer });
        let document: DocumentNode;
        try {
          document = enveloped.parse(query);
        } catch (error) {
          return mask([error instanceof GraphQLError ? error : new GraphQLError('could not parse the query')]);
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length) return mask(errors);
        let contextValue: Awaited<ReturnType<typeof enveloped.contextFactory>>;
        try {
          contextValue = await enveloped.contextFactory(options.context(viewer));
        } catch (error) {
          return mask([error instanceof GraphQLError ? error : new GraphQLError('Unexpected error.', { originalError: error as Error })]);
        }
        const args = {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue,
        };
        runners.set(args, enveloped);
        if (limits.multiplex && getOperationAST(document, payload.operationName)?.operation === 'subscription' && !perSubscriber(document)) {
          const { socket } = ctx.extra;
          shared.set(args, {
            key: groupKey(document, payload.operationName, payload.variables, subscriptionScopeKey(viewer)),
            member: { id, write: (frames) => sendFrames(socket, frames) },
          });
        }
        return args;
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: mask(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => mask(errors).map((e) => e.toJSON()),
    },
    wss,
  );

  // graphql-ws reports every socket error on the console as an implementation fault; an oversized
  // message is the client's, and ws has already closed that socket with 1009.
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') log.info('closed a WebSocket that sent an oversized message', { limit: limits.maxPayloadBytes });
      else log.warn('WebSocket error', { error: error.message });
    });
  });

  return wss;
}
