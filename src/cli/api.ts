// The CLI's connection to a running server: GraphQL over HTTP for queries and mutations,
// graphql-ws for subscriptions. Every failure becomes a one-line CliError with its exit code.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** Exit codes scripts can rely on (printed by every --help). */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, UNREACHABLE: 3 } as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  done
  1  the operation failed (a userError, a failed run, a missing tenant or key)
  2  usage error (unknown command or flag, missing or malformed argument)
  3  cannot reach the server, or it refused the API key`;

export const CONNECTION_HELP = `Connection (every command):
  --url <url>        the server (default: $INVENTORY_URL, else http://$HOST:$PORT, else http://127.0.0.1:4000);
                     its base address or its /graphql endpoint
  --key <key>        an API key (default: $INVENTORY_API_KEY, else $ADMIN_API_KEY; prefer the variables,
                     since command-line arguments are visible to other users of the machine)
  -h, --help         prints the help of the command`;

/** A mistake in the command line: usage is printed, exit code 2. */
export class UsageError extends Error {}

/** The command could not be done: one line is printed, with this exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILED,
  ) {
    super(message);
  }
}

export type UserError = { code: string; message: string };

/** Fails with every userError on one line (exit 1). */
export function failOn(userErrors: UserError[]): void {
  if (userErrors.length) throw new CliError(userErrors.map((e) => `${e.code}: ${e.message}`).join('; '));
}

/** The server's /graphql endpoint from --url, INVENTORY_URL, or HOST and PORT as the server reads them. */
export function endpoint(url: string | undefined, env: NodeJS.ProcessEnv): URL {
  let text = url ?? (env.INVENTORY_URL || undefined);
  if (!text) {
    const host = { '0.0.0.0': '127.0.0.1', '::': '::1', '': '127.0.0.1' }[env.HOST ?? ''] ?? env.HOST!;
    text = `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT || 4000}/graphql`;
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${text}"`);
  }
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/graphql';
  return parsed;
}

export type Api = {
  url: URL;
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Results of a subscription until `signal` aborts; errors end it with a CliError. `onConnected` once the socket is accepted. */
  subscribe<T>(query: string, variables: Record<string, unknown>, signal: AbortSignal, onConnected?: () => void): AsyncIterable<T>;
};

type GraphQLErrorShape = { message: string; extensions?: { code?: string } };

export type ApiOptions = {
  /** What the refused-key message names (the keys command needs an unscoped operator key). */
  keyHint: string;
  /** What FORBIDDEN means for this command. */
  forbidden: string;
};

export function connect(url: URL, key: string | undefined, options: ApiOptions): Api {
  const refused = (message: string | undefined, status: number | string) =>
    new CliError(
      key
        ? `the server refused the API key (${message ?? `HTTP ${status}`}): set INVENTORY_API_KEY (or ADMIN_API_KEY) or pass --key with ${options.keyHint}`
        : `the server requires an API key: set INVENTORY_API_KEY (or ADMIN_API_KEY) or pass --key with ${options.keyHint}`,
      EXIT.UNREACHABLE,
    );
  const check = <T>(status: number, body: { data?: T | null; errors?: GraphQLErrorShape[] }): T => {
    const error = body.errors?.[0];
    const code = error?.extensions?.code;
    if (status === 401 || code === 'UNAUTHENTICATED') throw refused(error?.message, status);
    if (code === 'FORBIDDEN') throw new CliError(`${options.forbidden}: ${error!.message}`, EXIT.UNREACHABLE);
    if (error || !body.data) throw new CliError(`the server answered: ${error?.message ?? `HTTP ${status} without data`}`);
    return body.data;
  };

  return {
    url,
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: JSON.stringify({ query, variables }),
        });
      } catch (error) {
        const e = error as Error & { cause?: { code?: string; message?: string } };
        const reason = e.cause?.code ?? e.cause?.message ?? e.message;
        throw new CliError(
          `cannot reach the server at ${url}: ${reason} (is it running? pass --url or set INVENTORY_URL, or PORT and HOST as for the server)`,
          EXIT.UNREACHABLE,
        );
      }
      let body: { data?: T | null; errors?: GraphQLErrorShape[] };
      try {
        body = JSON.parse(await res.text());
      } catch {
        throw new CliError(`unexpected answer from ${url}: HTTP ${res.status}, not GraphQL (is --url the server's address?)`, EXIT.UNREACHABLE);
      }
      return check(res.status, body);
    },
    subscribe<T>(query: string, variables: Record<string, unknown>, signal: AbortSignal, onConnected?: () => void): AsyncIterable<T> {
      const wsUrl = new URL(url);
      wsUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const client = createClient({
        url: wsUrl.toString(),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: key ? { authorization: `Bearer ${key}` } : {},
        on: { connected: () => onConnected?.() },
      });
      return {
        async *[Symbol.asyncIterator]() {
          const iterator = client.iterate<T>({ query, variables });
          const stop = () => void iterator.return?.();
          signal.addEventListener('abort', stop, { once: true });
          try {
            for await (const result of iterator) {
              if (result.errors?.length) check(200, { errors: result.errors as GraphQLErrorShape[] });
              yield result.data as T;
            }
          } catch (error) {
            if (error instanceof CliError) throw error;
            const e = error as { code?: number; reason?: string; message?: string };
            if (e.code === 4401 || e.code === 4403) throw refused(e.reason, e.code);
            throw new CliError(`the server's live updates at ${wsUrl} failed: ${e.reason || e.message || String(error)}`, EXIT.UNREACHABLE);
          } finally {
            signal.removeEventListener('abort', stop);
            await client.dispose();
          }
        },
      };
    },
  };
}
