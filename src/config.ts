import { resolve } from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { DEFAULT_SCHEDULES, SYNC_WORKERS, type SyncWorkerName } from './domain/workers.js';

/**
 * A worker's schedule. `pattern` is a croner pattern, or null for `off` and `disabled`:
 * - `off`: no schedule and no start-up run; the worker still runs when asked (runSync), and
 *   its kind stays dedicated (the project sweep attributes it, never makes placeholders for it).
 * - `disabled` (`disabled: true`): the worker does not run at all (runSync answers DISABLED) and
 *   its kind becomes a placeholder kind, known only from project URNs.
 */
export type Schedule = { pattern: string | null; overridden: boolean; disabled?: true };

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The validated configuration. Every field comes from one environment variable (see README). */
export type Config = {
  /** PORT, default 4000. */
  port: number;
  /** HOST, default 127.0.0.1. */
  host: string;
  /** DATABASE_URL: PostgreSQL; null = embedded database under dataDir. */
  databaseUrl: string | null;
  /** DATA_DIR, default ./data relative to the working directory (embedded database files). */
  dataDir: string;
  /** DIGITALOCEAN_TOKEN; null = run against the simulated account (refused in production). */
  doToken: string | null;
  /** DIGITALOCEAN_API_URL, default https://api.digitalocean.com. */
  doApiUrl: string;
  /** REDIS_URL: carries subscription events between replicas; null = in-process. */
  redisUrl: string | null;
  /** ADMIN_API_KEY: an operator key; null = the API is open (only on a loopback HOST). */
  adminApiKey: string | null;
  /** FALLBACK_TENANT, default "unassigned": slug of the tenant orphan resources go to. */
  fallbackTenant: string;
  /** SYNC_SCHEDULE_<WORKER>: cron pattern, `off` (run by hand only) or `disabled` (not at all). */
  schedules: Record<SyncWorkerName, Schedule>;
  /** LOG_LEVEL, default info. */
  logLevel: LogLevel;
  /** LOG_FORMAT, default json: JSON lines; `pretty` = readable lines for a terminal. */
  logFormat: LogFormat;
  /** NODE_ENV === 'production'. */
  production: boolean;
  /** CORS_ORIGINS: origins (scheme://host[:port]) allowed cross-origin HTTP and WebSocket access; empty = none (default). */
  corsOrigins: string[];
  /** Limits on WebSocket connections (see README, Security). */
  ws: WsLimits;
  /** QUERY_MAX_*: limits every GraphQL document and its arguments must stay within (see README, Limits). */
  queryLimits: QueryLimits;
  /** DATABASE_STATEMENT_TIMEOUT_MS, default 10000: longest SQL statement of a GraphQL query (0 = none). */
  statementTimeoutMs: number;
};

/** WebSocket limits; every one is an environment setting. */
export type WsLimits = {
  /** WS_MAX_PAYLOAD_BYTES, default 1 MiB: a larger message closes the socket (1009) before it is parsed. */
  maxPayloadBytes: number;
  /** WS_CONNECTION_INIT_TIMEOUT_MS, default 10,000: a socket without connection_init by then is closed 4408. */
  connectionInitTimeoutMs: number;
  /** WS_MAX_SUBSCRIPTIONS_PER_SOCKET, default 100: operations beyond it get a TOO_MANY_SUBSCRIPTIONS error. */
  maxSubscriptionsPerSocket: number;
  /** WS_MAX_SOCKETS_PER_KEY, default 1,000: sockets of one key beyond it are closed 4429. */
  maxSocketsPerKey: number;
};

/** Limits on GraphQL requests, checked before anything runs (src/schema/limits.ts). */
export type QueryLimits = {
  /** QUERY_MAX_DEPTH, default 12: nesting of selections (fragments flattened, introspection exempt). */
  maxDepth: number;
  /** QUERY_MAX_ALIASES, default 30: aliased fields per operation, spreads counted. */
  maxAliases: number;
  /** QUERY_MAX_TOKENS, default 4000: lexical tokens in one document. */
  maxTokens: number;
  /** QUERY_MAX_DIRECTIVES, default 50: directives per operation, spreads counted. */
  maxDirectives: number;
  /** QUERY_MAX_COST, default 50000: fields a query may resolve, list sizes multiplied through (first/last, default 20). */
  maxCost: number;
  /** QUERY_MAX_STRING_LENGTH, default 1000: characters in a string argument (fields may declare more). */
  maxStringLength: number;
  /** QUERY_MAX_LIST_ITEMS, default 100: items in a list argument (fields may declare more). */
  maxListItems: number;
};

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 4_000,
  maxDirectives: 50,
  maxCost: 50_000,
  maxStringLength: 1_000,
  maxListItems: 100,
};

export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

const ZPort = z
  .string()
  .regex(/^\d+$/, 'must be a whole number between 0 and 65535')
  .transform(Number)
  .refine((n) => n >= 0 && n <= 65535, 'must be a whole number between 0 and 65535');

const ZPostgresUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '' || url.searchParams.has('host');
  } catch {
    return false;
  }
}, 'must be a postgres:// or postgresql:// URL with a host');

const ZHttpUrl = z.string().refine((value) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

const ZRedisUrl = z.string().refine((value) => {
  try {
    return ['redis:', 'rediss:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be a redis:// or rediss:// URL');

const ZOrigins = z.string().transform((value, ctx) => {
  const origins: string[] = [];
  for (const raw of value.split(',').map((o) => o.trim()).filter(Boolean)) {
    let origin: string | null = null;
    try {
      const url = new URL(raw);
      if (['http:', 'https:'].includes(url.protocol) && url.origin === raw.replace(/\/$/, '')) origin = url.origin;
    } catch {
      // reported below
    }
    if (origin) origins.push(origin);
    else ctx.addIssue({ code: 'custom', message: `"${raw}" is not an origin (scheme://host[:port], no path)` });
  }
  return origins;
});
const ZCount = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 1_000_000_000, 'must be between 1 and 1000000000');

const ZMillis = z
  .string()
  .regex(/^\d+$/, 'must be a whole number of milliseconds (0 = no timeout)')
  .transform(Number)
  .refine((n) => n <= 2_147_483_647, 'must be at most 2147483647');

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const ZEnv = z.object({
  PORT: optional(ZPort),
  HOST: optional(z.string().min(1)),
  DATABASE_URL: optional(ZPostgresUrl),
  DATA_DIR: optional(z.string().min(1)),
  DIGITALOCEAN_TOKEN: optional(z.string().min(1)),
  DIGITALOCEAN_API_URL: optional(ZHttpUrl),
  REDIS_URL: optional(ZRedisUrl),
  ADMIN_API_KEY: optional(z.string().min(16, 'must be at least 16 characters')),
  FALLBACK_TENANT: optional(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a slug: lower-case letters, digits and -')),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS)),
  LOG_FORMAT: optional(z.enum(LOG_FORMATS)),
  NODE_ENV: optional(z.string()),
  CORS_ORIGINS: optional(ZOrigins),
  WS_MAX_PAYLOAD_BYTES: optional(ZCount),
  WS_CONNECTION_INIT_TIMEOUT_MS: optional(ZCount),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: optional(ZCount),
  WS_MAX_SOCKETS_PER_KEY: optional(ZCount),
  QUERY_MAX_DEPTH: optional(ZCount),
  QUERY_MAX_ALIASES: optional(ZCount),
  QUERY_MAX_TOKENS: optional(ZCount),
  QUERY_MAX_DIRECTIVES: optional(ZCount),
  QUERY_MAX_COST: optional(ZCount),
  QUERY_MAX_STRING_LENGTH: optional(ZCount),
  QUERY_MAX_LIST_ITEMS: optional(ZCount),
  DATABASE_STATEMENT_TIMEOUT_MS: optional(ZMillis),
});

function schedulesFrom(env: Record<string, string | undefined>, problems: string[]): Record<SyncWorkerName, Schedule> {
  const out = {} as Record<SyncWorkerName, Schedule>;
  for (const worker of SYNC_WORKERS) {
    const name = `SYNC_SCHEDULE_${worker}`;
    const raw = env[name]?.trim();
    if (!raw) {
      out[worker] = { pattern: DEFAULT_SCHEDULES[worker], overridden: false };
      continue;
    }
    const word = raw.toLowerCase();
    if (word === 'off') {
      out[worker] = { pattern: null, overridden: true };
      continue;
    }
    if (word === 'disabled') {
      out[worker] = { pattern: null, overridden: true, disabled: true };
      continue;
    }
    try {
      new Cron(raw, { paused: true }).stop();
      out[worker] = { pattern: raw, overridden: true };
    } catch (error) {
      problems.push(`${name}: not a cron pattern, "off" or "disabled" (${(error as Error).message})`);
    }
  }
  const unknown = Object.keys(env).filter(
    (k) => k.startsWith('SYNC_SCHEDULE_') && !(SYNC_WORKERS as readonly string[]).includes(k.slice('SYNC_SCHEDULE_'.length)),
  );
  for (const k of unknown) problems.push(`${k}: unknown worker (known: ${SYNC_WORKERS.join(', ')})`);
  return out;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/**
 * Validates the environment. Never exits and never throws for bad values: every problem
 * is returned at once, each naming its variable (values of secrets are never echoed).
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): ConfigResult {
  const problems: string[] = [];
  const parsed = ZEnv.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  const schedules = schedulesFrom(env, problems);
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const host = e.HOST ?? '127.0.0.1';
  if (production && !e.DIGITALOCEAN_TOKEN) {
    problems.push('DIGITALOCEAN_TOKEN: required when NODE_ENV=production (without it the server runs a simulated account)');
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      port: e.PORT ?? 4000,
      host,
      databaseUrl: e.DATABASE_URL ?? null,
      dataDir: resolve(e.DATA_DIR ?? 'data'),
      doToken: e.DIGITALOCEAN_TOKEN ?? null,
      doApiUrl: e.DIGITALOCEAN_API_URL ?? 'https://api.digitalocean.com',
      redisUrl: e.REDIS_URL ?? null,
      adminApiKey: e.ADMIN_API_KEY ?? null,
      fallbackTenant: e.FALLBACK_TENANT ?? 'unassigned',
      schedules,
      logLevel: e.LOG_LEVEL ?? 'info',
      logFormat: e.LOG_FORMAT ?? 'json',
      production,
      corsOrigins: e.CORS_ORIGINS ?? [],
      ws: {
        maxPayloadBytes: e.WS_MAX_PAYLOAD_BYTES ?? 1024 * 1024,
        connectionInitTimeoutMs: e.WS_CONNECTION_INIT_TIMEOUT_MS ?? 10_000,
        maxSubscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS_PER_SOCKET ?? 100,
        maxSocketsPerKey: e.WS_MAX_SOCKETS_PER_KEY ?? 1_000,
      },
      queryLimits: {
        maxDepth: e.QUERY_MAX_DEPTH ?? DEFAULT_QUERY_LIMITS.maxDepth,
        maxAliases: e.QUERY_MAX_ALIASES ?? DEFAULT_QUERY_LIMITS.maxAliases,
        maxTokens: e.QUERY_MAX_TOKENS ?? DEFAULT_QUERY_LIMITS.maxTokens,
        maxDirectives: e.QUERY_MAX_DIRECTIVES ?? DEFAULT_QUERY_LIMITS.maxDirectives,
        maxCost: e.QUERY_MAX_COST ?? DEFAULT_QUERY_LIMITS.maxCost,
        maxStringLength: e.QUERY_MAX_STRING_LENGTH ?? DEFAULT_QUERY_LIMITS.maxStringLength,
        maxListItems: e.QUERY_MAX_LIST_ITEMS ?? DEFAULT_QUERY_LIMITS.maxListItems,
      },
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    },
  };
}
