import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Authenticator } from '../auth.js';
import type { Config } from '../config.js';
import type { Context, Viewer } from '../context.js';
import { authPlugin, endStreamsOfEndedKeys, requestViewer } from '../http-auth.js';
import type { KeySessions } from '../key-sessions.js';
import type { Logger } from '../log.js';
import { persistedOperationsPlugin } from '../persisted-operations.js';
import { requestBodyLimitPlugin } from '../request-body-limit.js';
import { schema } from '../schema/index.js';

/** The header a non-browser client sends on GET requests; browsers cannot send it cross-origin without a preflight. */
const CSRF_HEADER = 'x-graphql-yoga-csrf';

export type GraphqlHttp = YogaServerInstance<Record<string, unknown>, Context>;

export type GraphqlHttpDeps = {
  auth: Authenticator;
  sessions: KeySessions;
  /** The operation plugins WebSocket operations run too (query limits, tests' spies). */
  operationPlugins: Plugin[];
  /** Builds an operation's context for an authenticated viewer. */
  context(viewer: Viewer): Context;
  maskError(error: unknown, message?: string): GraphQLError;
  log: Logger;
};

/**
 * GraphQL over HTTP (yoga) at /graphql, with GraphiQL for browsers. Requests pass, in this
 * order: the body's size limit, CSRF prevention, the API key (before the body is read), the end of streams of
 * revoked keys, then the operation plugins shared with WebSocket.
 */
export function createGraphqlHttp(config: Pick<Config, 'corsOrigins'> & Partial<Pick<Config, 'persistedOperations'>>, deps: GraphqlHttpDeps): GraphqlHttp {
  const { auth, log } = deps;
  const plugins: Plugin[] = [
    // Cheap checks first, all before the body is read: its size, CSRF, then the key.
    requestBodyLimitPlugin(),
    useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }),
    authPlugin(auth, log),
    endStreamsOfEndedKeys(deps.sessions) as Plugin,
    // Trusted documents (PERSISTED_OPERATIONS_FILE): a hash becomes its listed document, anything else is refused.
    ...(config.persistedOperations ? [persistedOperationsPlugin(config.persistedOperations)] : []),
    ...deps.operationPlugins,
  ];
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Limited by requestBodyLimitPlugin, on the Content-Length where there is one.
    maxRequestBodySize: false,
    // Subscriptions in GraphiQL over server-sent events: they carry the Headers tab (the key) like queries do.
    // GraphiQL sends those as GETs: it adds the CSRF header, as any non-browser client would.
    graphiql: { title: 'DigitalOcean inventory graph', subscriptionsProtocol: 'SSE', additionalHeaders: { [CSRF_HEADER]: 'graphiql' } },
    // GraphiQL served from this package, not a CDN: it works on machines without internet.
    renderGraphiQL,
    // No cross-origin access unless CORS_ORIGINS lists the origin; keys travel in a header, never cookies.
    cors: config.corsOrigins.length ? { origin: config.corsOrigins, credentials: false, methods: ['GET', 'POST'] } : false,
    plugins,
    logging: {
      debug: (...args) => log.debug('yoga', { args: args.map(String) }),
      info: (...args) => log.debug('yoga', { args: args.map(String) }),
      warn: (...args) => log.warn('yoga', { args: args.map(String) }),
      // Client errors are answered to the client; unexpected ones are logged in maskError.
      error: (...args) => log.debug('yoga error', { args: args.map(String) }),
    },
    maskedErrors: { maskError: (error, message) => deps.maskError(error, message) },
    // The viewer was found before the request was parsed (authPlugin); no second lookup.
    context: async ({ request }) => deps.context(requestViewer(request) ?? (await auth.authenticate(request.headers.get('authorization')))),
  });
}
