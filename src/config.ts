import { readFileSync } from 'node:fs';
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
  /**
   * The DigitalOcean accounts to sync: the one of DIGITALOCEAN_TOKEN (slug `default`), or those
   * of DIGITALOCEAN_ACCOUNTS / DIGITALOCEAN_ACCOUNTS_FILE. Empty = run against simulated
   * accounts (refused in production).
   */
  accounts: AccountConfig[];
  /** The first account's token (DIGITALOCEAN_TOKEN when that is how it was configured); null = simulated. Use `accounts`. */
  doToken: string | null;
  /** The first account's API URL; without accounts DIGITALOCEAN_API_URL, default https://api.digitalocean.com. Use `accounts`. */
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
  /**
   * Where /metrics (Prometheus) is served. Default (METRICS_PORT unset): on the API port, with the
   * same key as the API when keys are configured. METRICS_PORT: on a port of its own, on
   * METRICS_HOST (default HOST), without a key (for a network only Prometheus reaches).
   */
  metrics: { port: number | null; host: string };
  /**
   * PERSISTED_OPERATIONS_FILE: a manifest `{ "<sha256 hash>": "<document>" }` (GraphQL Code
   * Generator's client preset with `persistedDocuments: true` writes it); when set, HTTP and
   * WebSocket accept only these operations, by hash. Default: unset, every valid document runs.
   */
  persistedOperations: PersistedOperations | null;
};

/** The trusted documents of PERSISTED_OPERATIONS_FILE, read once at start. */
export type PersistedOperations = {
  /** The manifest's path, as configured. */
  file: string;
  /** Document text by hash. */
  documents: ReadonlyMap<string, string>;
};

/** One configured DigitalOcean account (team). */
export type AccountConfig = {
  /** Short stable key: lower-case letters, digits and -; `default` for DIGITALOCEAN_TOKEN. */
  slug: string;
  name: string;
  /** The API token: a secret (redacted from logs, never returned). */
  token: string;
  /** The entry's apiUrl, default DIGITALOCEAN_API_URL (default https://api.digitalocean.com). */
  apiUrl: string;
};

/** The slug of the account configured by DIGITALOCEAN_TOKEN. */
export const DEFAULT_ACCOUNT_SLUG = 'default';

export const DEFAULT_DO_API_URL = 'https://api.digitalocean.com';

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
  /** WS_MULTIPLEX, default on: subscriptions with equal document, variables and scope share one execution per event; off runs each alone. */
  multiplex: boolean;
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
    return ((url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '') || url.searchParams.has('host');
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

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SLUG_MESSAGE = 'must be a slug: lower-case letters, digits and -';
const ZSlug = z.string().regex(SLUG, SLUG_MESSAGE);

const ZRedisUrl = z.string().refine((value) => {
  try {
    return ['redis:', 'rediss:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be a redis:// or rediss:// URL');

const ZOrigins = z.string().transform((value, ctx) => {
  const origins: string[] = [];
  for (const raw of value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)) {
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

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const ZEnv = z.object({
  PORT: optional(ZPort),
  HOST: optional(z.string().min(1)),
  DATABASE_URL: optional(ZPostgresUrl),
  DATA_DIR: optional(z.string().min(1)),
  DIGITALOCEAN_TOKEN: optional(z.string().min(1)),
  DIGITALOCEAN_API_URL: optional(ZHttpUrl),
  // DIGITALOCEAN_ACCOUNTS and DIGITALOCEAN_ACCOUNTS_FILE: accountsFrom.
  REDIS_URL: optional(ZRedisUrl),
  ADMIN_API_KEY: optional(z.string().min(16, 'must be at least 16 characters')),
  FALLBACK_TENANT: optional(ZSlug),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS)),
  LOG_FORMAT: optional(z.enum(LOG_FORMATS)),
  NODE_ENV: optional(z.string()),
  CORS_ORIGINS: optional(ZOrigins),
  WS_MAX_PAYLOAD_BYTES: optional(ZCount),
  WS_CONNECTION_INIT_TIMEOUT_MS: optional(ZCount),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: optional(ZCount),
  WS_MAX_SOCKETS_PER_KEY: optional(ZCount),
  WS_MULTIPLEX: optional(z.enum(['on', 'off'])),
  QUERY_MAX_DEPTH: optional(ZCount),
  QUERY_MAX_ALIASES: optional(ZCount),
  QUERY_MAX_TOKENS: optional(ZCount),
  QUERY_MAX_DIRECTIVES: optional(ZCount),
  QUERY_MAX_COST: optional(ZCount),
  QUERY_MAX_STRING_LENGTH: optional(ZCount),
  QUERY_MAX_LIST_ITEMS: optional(ZCount),
  DATABASE_STATEMENT_TIMEOUT_MS: optional(ZMillis),
  PERSISTED_OPERATIONS_FILE: optional(z.string().min(1)),
  METRICS_PORT: optional(ZPort),
  METRICS_HOST: optional(z.string().min(1)),
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

/** A string field of an account entry: "is required" when absent, never echoing what was there. */
const accountString = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });

const ZAccountEntry = z.strictObject(
  {
    slug: accountString().regex(SLUG, SLUG_MESSAGE),
    name: accountString().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    // The message must never echo the value: it is a secret.
    token: accountString().regex(/^\S+$/, 'must not be empty or contain spaces'),
    apiUrl: ZHttpUrl.optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object { "slug", "name", "token", "apiUrl"? }' : undefined) },
);

const ZAccountList = z
  .array(ZAccountEntry, { error: 'must be a JSON array of { "slug", "name", "token", "apiUrl"? }' })
  .min(1, 'must list at least one account');

/** Where a path inside the accounts JSON points, e.g. `DIGITALOCEAN_ACCOUNTS[1].slug`. */
function jsonPath(source: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`), source);
}

/**
 * Parses JSON for the accounts without echoing it: V8's own messages quote the input (and so
 * could quote a token); only the position is kept.
 */
function parseAccountsJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    return {
      ok: false,
      message: `not valid JSON${position ? ` (error at character ${position})` : ''}: expected an array of { "slug", "name", "token", "apiUrl"? }`,
    };
  }
}

/**
 * The accounts: DIGITALOCEAN_TOKEN (the account `default`), or DIGITALOCEAN_ACCOUNTS, or the
 * file named by DIGITALOCEAN_ACCOUNTS_FILE; at most one of the three. Every problem is pushed,
 * naming its entry; no message contains a token.
 */
function accountsFrom(env: Record<string, string | undefined>, problems: string[]): AccountConfig[] {
  const set = (name: string) => {
    const value = env[name];
    return value !== undefined && value.trim() !== '' ? value : undefined;
  };
  const token = set('DIGITALOCEAN_TOKEN');
  const inline = set('DIGITALOCEAN_ACCOUNTS');
  const file = set('DIGITALOCEAN_ACCOUNTS_FILE')?.trim();
  const apiUrlValue = set('DIGITALOCEAN_API_URL')?.trim();
  const defaultApiUrl = apiUrlValue && ZHttpUrl.safeParse(apiUrlValue).success ? apiUrlValue : DEFAULT_DO_API_URL;

  const before = problems.length;
  if (token !== undefined && (inline !== undefined || file !== undefined)) {
    const other = inline !== undefined ? 'DIGITALOCEAN_ACCOUNTS' : 'DIGITALOCEAN_ACCOUNTS_FILE';
    problems.push(
      `${other}: not together with DIGITALOCEAN_TOKEN (the token is the account "${DEFAULT_ACCOUNT_SLUG}"; list it in ${other} instead, with slug "${DEFAULT_ACCOUNT_SLUG}" to keep its data)`,
    );
  }
  if (inline !== undefined && file !== undefined) {
    problems.push('DIGITALOCEAN_ACCOUNTS_FILE: not together with DIGITALOCEAN_ACCOUNTS (set one of them)');
  }
  if (problems.length > before) return [];

  if (inline === undefined && file === undefined) {
    // DIGITALOCEAN_TOKEN itself is validated with the other variables.
    return token !== undefined ? [{ slug: DEFAULT_ACCOUNT_SLUG, name: 'DigitalOcean account', token, apiUrl: defaultApiUrl }] : [];
  }

  let source: string;
  let text: string;
  if (file !== undefined) {
    source = 'DIGITALOCEAN_ACCOUNTS_FILE';
    try {
      text = readFileSync(resolve(file), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a directory, not a file' : (code ?? 'unreadable');
      problems.push(`${source}: cannot read ${file} (${why})`);
      return [];
    }
  } else {
    source = 'DIGITALOCEAN_ACCOUNTS';
    text = inline!;
  }

  const json = parseAccountsJson(text);
  if (!json.ok) {
    problems.push(`${source}: ${json.message}`);
    return [];
  }
  const parsed = ZAccountList.safeParse(json.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${jsonPath(source, issue.path)}: ${issue.message}`);
  }
  // Duplicates are checked on every entry that has the field, valid or not, so all problems come at once.
  const entries = Array.isArray(json.value) ? json.value : [];
  const slugAt = new Map<string, number>();
  const teamAt = new Map<string, number>();
  entries.forEach((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null) return;
    const { slug, token: entryToken, apiUrl } = entry as Record<string, unknown>;
    if (typeof slug === 'string') {
      const first = slugAt.get(slug);
      if (first !== undefined) problems.push(`${source}[${i}].slug: "${slug}" is already the slug of ${source}[${first}]`);
      else slugAt.set(slug, i);
    }
    if (typeof entryToken === 'string' && entryToken !== '') {
      const team = JSON.stringify([entryToken, typeof apiUrl === 'string' ? apiUrl : defaultApiUrl]);
      const first = teamAt.get(team);
      if (first !== undefined) problems.push(`${source}[${i}].token: the same token and API URL as ${source}[${first}] (one account listed twice)`);
      else teamAt.set(team, i);
    }
  });
  if (!parsed.success || problems.length > before) return [];
  return parsed.data.map((a) => ({ slug: a.slug, name: a.name, token: a.token, apiUrl: a.apiUrl ?? defaultApiUrl }));
}

const ZManifest = z.record(z.string().min(1), z.string().min(1, 'must be a document'));

/** Reads and checks the persisted-operations manifest; a problem names the file, never a document. */
function persistedOperationsFrom(file: string | undefined, problems: string[]): PersistedOperations | null {
  if (file === undefined) return null;
  const name = 'PERSISTED_OPERATIONS_FILE';
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(`${name}: cannot read ${file} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})`);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    problems.push(`${name}: ${file} is not valid JSON (expected { "<hash>": "<document>" })`);
    return null;
  }
  const parsed = ZManifest.safeParse(json);
  if (!parsed.success || Array.isArray(json)) {
    problems.push(`${name}: ${file} must be a JSON object { "<hash>": "<document>" }`);
    return null;
  }
  const documents = new Map(Object.entries(parsed.data));
  if (documents.size === 0) problems.push(`${name}: ${file} lists no operation (every request would be refused)`);
  return { file, documents };
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
  const accounts = accountsFrom(env, problems);
  const persistedFile = parsed.success ? parsed.data.PERSISTED_OPERATIONS_FILE?.trim() : undefined;
  const persistedOperations = persistedOperationsFrom(persistedFile, problems);
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const host = e.HOST ?? '127.0.0.1';
  if (e.METRICS_PORT && e.METRICS_PORT === (e.PORT ?? 4000) && (e.METRICS_HOST ?? host) === host) {
    problems.push('METRICS_PORT: must differ from PORT (leave METRICS_PORT unset to serve /metrics on the API port)');
  }
  if (production && accounts.length === 0) {
    problems.push(
      'DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCOUNTS / DIGITALOCEAN_ACCOUNTS_FILE): required when NODE_ENV=production (without one the server runs simulated accounts)',
    );
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      port: e.PORT ?? 4000,
      host,
      databaseUrl: e.DATABASE_URL ?? null,
      dataDir: resolve(e.DATA_DIR ?? 'data'),
      accounts,
      doToken: accounts[0]?.token ?? null,
      doApiUrl: accounts[0]?.apiUrl ?? e.DIGITALOCEAN_API_URL ?? DEFAULT_DO_API_URL,
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
        multiplex: e.WS_MULTIPLEX !== 'off',
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
      persistedOperations,
      metrics: { port: e.METRICS_PORT ?? null, host: e.METRICS_HOST ?? host },
    },
  };
}
