import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Authenticator } from './auth.js';
import type { Context, Viewer } from './context.js';
import { hasCode, type ErrorExtensionCode } from './domain/error-codes.js';
import type { KeySessions } from './key-sessions.js';
import type { Logger } from './log.js';

/** The outcome of checking a request's key when it is not a viewer. */
export type AuthRefusal = {
  /** 401 for a missing, unknown, revoked or expired key; 503 when the key could not be checked (database unreachable). */
  status: 401 | 503;
  /** UNAUTHENTICATED or SERVICE_UNAVAILABLE. */
  code: Extract<ErrorExtensionCode, 'UNAUTHENTICATED' | 'SERVICE_UNAVAILABLE'>;
  message: string;
};

/**
 * Runs `auth.authenticate` and tells a refused key (a GraphQLError with code UNAUTHENTICATED)
 * from a failed lookup (anything else: the database could not be asked), which is logged
 * once and answered "try again later". Shared by HTTP and WebSocket.
 */
export async function checkKey(auth: Authenticator, authorization: string | null | undefined, log: Logger): Promise<Viewer | AuthRefusal> {
  try {
    return await auth.authenticate(authorization);
  } catch (error) {
    if (hasCode(error, 'UNAUTHENTICATED')) {
      return { status: 401, code: 'UNAUTHENTICATED', message: error.message };
    }
    log.warn('could not check an API key', { error: error instanceof Error ? error.message : String(error) });
    return { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'cannot check the API key right now; try again later' };
  }
}

export const isRefusal = (v: Viewer | AuthRefusal): v is AuthRefusal => 'status' in v && 'code' in v;

const viewers = new WeakMap<Request, Viewer>();

/** The viewer the auth plugin found for this request (undefined if it did not run). */
export function requestViewer(request: Request): Viewer | undefined {
  return viewers.get(request);
}

/**
 * Authenticates every GraphQL request before its body is read, parsed or validated
 * (yoga's onRequestParse hook). Without a valid key the answer is 401 with
 * `WWW-Authenticate: Bearer` and a GraphQL error body; when the key cannot be checked, 503
 * with `Retry-After`. The viewer found is kept for the context (no second lookup).
 * GraphiQL's page and CORS preflights are answered earlier by yoga and need no key.
 */
export function authPlugin(auth: Authenticator, log: Logger): Plugin {
  return {
    async onRequestParse({ request, endResponse, fetchAPI }) {
      const result = await checkKey(auth, request.headers.get('authorization'), log);
      if (!isRefusal(result)) {
        viewers.set(request, result);
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
      if (result.status === 401) headers['www-authenticate'] = 'Bearer';
      else headers['retry-after'] = '5';
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message: result.message, extensions: { code: result.code } }] }), {
          status: result.status,
          headers,
        }),
      );
    },
  };
}

/**
 * Ends a subscription stream over HTTP (server-sent events, as GraphiQL uses) when its key
 * is revoked or expires, as WebSockets of that key are closed.
 */
export function endStreamsOfEndedKeys(sessions: KeySessions): Plugin<Context> {
  return {
    onSubscribe({ args }) {
      const viewer = (args.contextValue as Context).viewer;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          const iterator = result[Symbol.asyncIterator]();
          const stop = sessions.add(viewer, () => void iterator.return?.());
          setResult({
            [Symbol.asyncIterator]: () => ({
              next: () =>
                iterator.next().then((r) => {
                  if (r.done) stop();
                  return r;
                }),
              return: (value?: unknown) => {
                stop();
                return iterator.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined });
              },
              throw: (error?: unknown) => {
                stop();
                return iterator.throw?.(error) ?? Promise.reject(error);
              },
            }),
          } as typeof result);
        },
      };
    },
  };
}
