/**
 * The one way this service talks to DigitalOcean: an undici agent shared by every sync run,
 * a shared rate budget, bounded retries, and listings that either end complete or throw an
 * error marked `incomplete`. Kinds never paginate, retry or pace themselves.
 */
import { Agent, request } from 'undici';
import type { z } from 'zod';
import { DoAbortedError, DoApiError, DoError, DoErrorCode, DoNetworkError, DoPaginationError, DoValidationError } from './errors.js';
import { type Clock, systemClock } from './clock.js';
import { type TBudgetSnapshot, type TPathLimit, createRateBudget, readHeader } from './rate-budget.js';
import { ZDoErrorBody, ZDoLinks, ZDoMeta } from './schemas/common.js';
import { skippedPath, type TSkippedItem } from './skipped-item.js';

export type TLogLevel = 'debug' | 'info' | 'warn' | 'error';

export type DoClientOptions = {
  /** DO API token. Sent only as `Authorization: Bearer` to `baseUrl`'s origin; never logged, never in errors. */
  token: string;
  /** e.g. `https://api.digitalocean.com` or the simulator's url. */
  baseUrl: string;
  /** Items per page. Default 200 (DO's maximum). */
  perPage?: number;
  /** Defaults: connect 10 s, headers 30 s, body 60 s. */
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number };
  /** Retries of 5xx, timeouts, connection errors and malformed bodies. Defaults: max 4, base 500 ms, max 30 s. */
  retries?: { max?: number; baseDelayMs?: number; maxDelayMs?: number };
  /**
   * Per-token limits to pace under. Defaults 250 / 5000 (DO's) and, per path, `/v2/cdn/endpoints`
   * 5 per 10 s (`pathLimits: []` turns per-path pacing off).
   */
  limits?: { perMinute?: number; perHour?: number; pathLimits?: TPathLimit[] };
  /** How many 429s in a row one request may take before giving up. Default 10. */
  maxRateLimitedRetries?: number;
  /** Time source for pacing and backoff. Default: the system clock. */
  clock?: Clock;
  log?: (level: TLogLevel, msg: string, fields?: Record<string, unknown>) => void;
  /** Told of every request's outcome (metrics). */
  observer?: DoClientObserver;
};

/** What the client tells of its requests (src/metrics). */
export type DoClientObserver = {
  /** A request ended: its HTTP status, or the error code when no response came; the hourly budget as it now stands. */
  response(endpoint: string, status: number | string, budget: TBudgetSnapshot): void;
  /** A 429 made the client wait this long before sending again. */
  rateLimitWait(waitMs: number): void;
};

/** One listing: where it lives, the key of its collection, the schema of one item. */
export type TPagesSpec<T> = {
  /** Path under the base URL, e.g. `/v2/droplets`. Also the `endpoint` of errors. */
  path: string;
  /** Key of the collection in the body, e.g. `droplets`, `kubernetes_clusters`, `endpoints`. */
  envelope: string;
  item: z.ZodType<T>;
  query?: Record<string, string>;
  /** False for endpoints that return everything in one body (`/v2/databases`). Default true. */
  paginated?: boolean;
  /**
   * Items the listing keeps, decided on the raw item before validation (e.g. only the backups
   * among private images): the others are neither validated nor yielded. Default: all.
   */
  keep?: (raw: Readonly<Record<string, unknown>>) => boolean;
  /** The item's key field, read raw to name a skipped item (`name` for domains, `ip` for IPs). Default `id`. */
  idField?: string;
};

/**
 * Receives each item that fails `item`: with it, the item is left out and the listing goes on
 * (the caller decides what an incomplete listing means); without it, the item fails the listing.
 */
export type TOnInvalid = (skipped: TSkippedItem) => void;

export interface DoClient {
  /** A view sharing the pooled agent and the rate budget, with its own request counter (one per sync run). */
  session(signal?: AbortSignal): DoSession;
  /** DO's hourly budget as last reported by response headers. */
  budget(): TBudgetSnapshot;
  /** Requests made by every session of this client, retries included. */
  readonly requests: number;
  close(): Promise<void>;
}

export interface DoSession {
  /**
   * Yields validated items page by page. Returning normally means every page was listed; any
   * failure throws a DoError with `incomplete: true`, the endpoint, and the count of items already yielded.
   * The envelope of each page is validated, then each item: an invalid item fails the listing,
   * or, given `onInvalid`, is reported to it and left out.
   */
  pages<T>(spec: TPagesSpec<T>, onInvalid?: TOnInvalid): AsyncGenerator<T[], void, void>;
  /** One GET, validated with `schema` (the whole body). */
  get<T>(path: string, schema: z.ZodType<T>, query?: Record<string, string>): Promise<T>;
  /** One GET returning the raw body (e.g. invoice CSV). Header names are lower-case. */
  getText(path: string, query?: Record<string, string>): Promise<{ body: string; headers: Record<string, string> }>;
  /** Requests made through this session, retries included. */
  readonly requests: number;
  readonly rateLimitRemaining: number | null;
}

type TRawResponse = { status: number; headers: Record<string, string>; body: string };

const NETWORK_CODES_TIMEOUT = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** A JSON object (not an array); also reads the `code`/`name` of a thrown value. */
function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function issueField(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(body)';
}

function firstIssue(err: z.ZodError): { path: ReadonlyArray<PropertyKey>; message: string } {
  const issue = err.issues[0];
  return { path: issue?.path ?? [], message: issue?.message ?? 'invalid' };
}

export function createDoClient(opts: DoClientOptions): DoClient {
  if (!opts.token) throw new Error('createDoClient: token is empty');
  const base = new URL(opts.baseUrl);
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, '');
  const perPage = Math.min(200, Math.max(1, opts.perPage ?? 200));
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? (() => {});
  const maxRetries = opts.retries?.max ?? 4;
  const baseDelayMs = opts.retries?.baseDelayMs ?? 500;
  const maxDelayMs = opts.retries?.maxDelayMs ?? 30_000;
  const max429 = opts.maxRateLimitedRetries ?? 10;
  const headersMs = opts.timeouts?.headersMs ?? 30_000;
  const bodyMs = opts.timeouts?.bodyMs ?? 60_000;
  // Kept in a closure only: the returned objects expose no field from which it could leak.
  const authorization = `Bearer ${opts.token}`;

  const agent = new Agent({
    connect: { timeout: opts.timeouts?.connectMs ?? 10_000 },
    headersTimeout: headersMs,
    bodyTimeout: bodyMs,
    connections: 16,
    keepAliveTimeout: 10_000,
  });
  const budget = createRateBudget({ ...opts.limits, clock });
  let totalRequests = 0;

  function backoff(attempt: number): number {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    // Equal jitter: at least half the step, so retries never hammer, spread so replicas desynchronise.
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  function buildTarget(path: string, query?: Record<string, string> | URLSearchParams): string {
    const qs = new URLSearchParams(query);
    const s = qs.toString();
    return `${path}${s ? `?${s}` : ''}`;
  }

  /** Accepts DO's absolute `next` link but only ever requests its path and query against our own base. */
  function resolveNext(next: string, endpoint: string): string {
    let u: URL;
    try {
      u = new URL(next, origin);
    } catch {
      throw new DoPaginationError(DoErrorCode.PAGINATION_LOOP, { endpoint, detail: 'unparseable links.pages.next' });
    }
    let p = u.pathname;
    if (basePath && p.startsWith(`${basePath}/`)) p = p.slice(basePath.length);
    if (!u.searchParams.has('per_page')) u.searchParams.set('per_page', String(perPage));
    return `${p}${u.search}`;
  }

  function canonical(target: string): string {
    const [p, q = ''] = target.split('?', 2);
    const params = new URLSearchParams(q);
    params.sort();
    if (!params.has('page')) params.set('page', '1');
    params.sort();
    return `${p}?${params.toString()}`;
  }

  function toNetworkError(e: unknown, endpoint: string, signal?: AbortSignal): DoError {
    if (e instanceof DoError) return e;
    if (signal?.aborted) return new DoAbortedError({ endpoint, cause: signal.reason });
    const code = isRecord(e) ? e.code : undefined;
    const codeStr = typeof code === 'string' ? code : null;
    const name = isRecord(e) ? e.name : undefined;
    if (codeStr === 'UND_ERR_ABORTED' || name === 'AbortError') return new DoAbortedError({ endpoint });
    const kind = codeStr && NETWORK_CODES_TIMEOUT.has(codeStr) ? DoErrorCode.TIMEOUT : DoErrorCode.NETWORK;
    const detail = e instanceof Error ? e.message : String(e);
    return new DoNetworkError(kind, { endpoint, causeCode: codeStr, detail });
  }

  function apiError(res: TRawResponse, endpoint: string): DoApiError {
    let id: string | null = null;
    let requestId: string | null = null;
    try {
      const parsed = ZDoErrorBody.safeParse(JSON.parse(res.body));
      if (parsed.success) {
        id = parsed.data.id;
        requestId = parsed.data.request_id ?? null;
      }
    } catch {
      // Not JSON (e.g. a proxy's HTML page): the status alone decides.
    }
    requestId ??= res.headers['x-request-id'] ?? null;
    return new DoApiError({ endpoint, status: res.status, id, requestId });
  }

  async function once(target: string, endpoint: string, counter: { n: number }, signal?: AbortSignal) {
    await budget.acquire(endpoint, signal).catch((e: unknown) => {
      throw toNetworkError(e, endpoint, signal);
    });
    counter.n++;
    totalRequests++;
    const started = clock.now();
    try {
      const res = await request(`${origin}${basePath}${target}`, {
        dispatcher: agent,
        method: 'GET',
        headers: { authorization, accept: 'application/json', 'user-agent': 'do-inventory-graph' },
        signal,
        headersTimeout: headersMs,
        bodyTimeout: bodyMs,
      });
      const body = await res.body.text();
      const headers = flattenHeaders(res.headers);
      budget.observe(headers, { burst: res.statusCode === 429 && headers['retry-after'] !== undefined });
      log('debug', 'do request', { endpoint, target, status: res.statusCode, ms: clock.now() - started });
      opts.observer?.response(endpoint, res.statusCode, budget.snapshot());
      return { status: res.statusCode, headers, body } satisfies TRawResponse;
    } catch (e) {
      const error = toNetworkError(e, endpoint, signal);
      opts.observer?.response(endpoint, error.code, budget.snapshot());
      throw error;
    }
  }

  /** One logical GET with pacing, 429 handling and bounded retries. */
  async function execute(
    target: string,
    endpoint: string,
    counter: { n: number },
    signal: AbortSignal | undefined,
    json: boolean,
  ): Promise<{ res: TRawResponse; data: unknown }> {
    let failures = 0;
    let limited = 0;
    for (;;) {
      let failure: DoError;
      try {
        const res = await once(target, endpoint, counter, signal);
        if (res.status >= 200 && res.status < 300) {
          if (!json) return { res, data: undefined };
          try {
            return { res, data: JSON.parse(res.body) };
          } catch {
            throw new DoNetworkError(DoErrorCode.MALFORMED_BODY, { endpoint, detail: `status ${res.status}` });
          }
        }
        const err = apiError(res, endpoint);
        if (res.status === 429) {
          limited++;
          if (limited > max429) throw err;
          const now = clock.now();
          const retryAfter = Number(readHeader(res.headers, 'retry-after'));
          const reset = Number(readHeader(res.headers, 'ratelimit-reset'));
          let waitMs: number;
          if (Number.isFinite(retryAfter) && retryAfter >= 0 && readHeader(res.headers, 'retry-after') !== undefined) {
            waitMs = retryAfter * 1000;
          } else if (Number.isFinite(reset) && reset * 1000 > now) {
            waitMs = reset * 1000 - now;
          } else {
            waitMs = backoff(limited);
          }
          budget.blockUntil(now + waitMs);
          opts.observer?.rateLimitWait(waitMs);
          log('warn', 'do rate limited, waiting', { endpoint, waitMs, requestId: err.requestId });
          continue;
        }
        if (!err.retryable) throw err;
        failure = err;
      } catch (e) {
        const err = toNetworkError(e, endpoint, signal);
        if (err instanceof DoApiError && !err.retryable) throw err;
        if (err instanceof DoApiError && err.status === 429) throw err;
        if (!(err instanceof DoNetworkError) && !(err instanceof DoApiError)) throw err;
        failure = err;
      }
      failures++;
      if (failures > maxRetries) throw failure;
      const delay = backoff(failures);
      log('warn', 'do request failed, retrying', {
        endpoint,
        code: failure.code,
        status: failure instanceof DoApiError ? failure.status : undefined,
        attempt: failures,
        delayMs: Math.round(delay),
      });
      try {
        await clock.sleep(delay, signal);
      } catch {
        throw new DoAbortedError({ endpoint });
      }
    }
  }

  function createSession(signal?: AbortSignal): DoSession {
    const counter = { n: 0 };

    async function* pages<T>(spec: TPagesSpec<T>, onInvalid?: TOnInvalid): AsyncGenerator<T[], void, void> {
      const endpoint = spec.path;
      const paginated = spec.paginated ?? true;
      const query = new URLSearchParams(spec.query);
      if (paginated) query.set('per_page', String(perPage));
      let target: string | null = buildTarget(spec.path, query);
      const seen = new Set<string>();
      let yielded = 0;
      // Every item DO listed (kept, left out or skipped): what meta.total is compared with.
      let listed = 0;
      try {
        while (target !== null) {
          seen.add(canonical(target));
          const { data } = await execute(target, endpoint, counter, signal, true);
          if (!isRecord(data)) {
            throw new DoValidationError({ endpoint, field: '(body)', problem: 'expected a JSON object' });
          }
          const body = data;
          if (!(spec.envelope in body)) {
            throw new DoValidationError({ endpoint, field: spec.envelope, problem: 'missing' });
          }
          const raw = body[spec.envelope] ?? [];
          if (!Array.isArray(raw)) {
            throw new DoValidationError({ endpoint, field: spec.envelope, problem: 'expected an array' });
          }
          // The whole page is validated before any of it is yielded: never a half-parsed page.
          const items: T[] = [];
          for (let i = 0; i < raw.length; i++) {
            const item: unknown = raw[i];
            const object = isRecord(item) ? item : null;
            if (object && spec.keep && !spec.keep(object)) continue;
            const r = spec.item.safeParse(item);
            if (r.success) {
              items.push(r.data);
              continue;
            }
            const issue = firstIssue(r.error);
            if (!onInvalid) {
              throw new DoValidationError({
                endpoint,
                field: issueField(`${spec.envelope}[${i}]`, issue.path),
                problem: issue.message,
              });
            }
            const id = object?.[spec.idField ?? 'id'];
            onInvalid({
              providerId: (typeof id === 'string' && id !== '') || typeof id === 'number' ? String(id) : null,
              path: skippedPath(issue.path),
              message: issue.message,
            });
          }
          listed += raw.length;
          const links = ZDoLinks.safeParse(body.links);
          if (!links.success) {
            const issue = firstIssue(links.error);
            throw new DoValidationError({ endpoint, field: issueField('links', issue.path), problem: issue.message });
          }
          const meta = ZDoMeta.safeParse(body.meta);
          yielded += items.length;
          if (items.length > 0) yield items;
          const next = paginated ? links.data?.pages?.next : null;
          if (!next) {
            const total = meta.success ? meta.data?.total : null;
            if (paginated && typeof total === 'number' && total > listed) {
              throw new DoPaginationError(DoErrorCode.SHORT_LISTING, {
                endpoint,
                detail: `listing ended after ${listed} items but meta.total is ${total}`,
              });
            }
            target = null;
            break;
          }
          const resolved = resolveNext(next, endpoint);
          if (seen.has(canonical(resolved))) {
            throw new DoPaginationError(DoErrorCode.PAGINATION_LOOP, {
              endpoint,
              detail: 'links.pages.next points at a page already fetched',
            });
          }
          target = resolved;
        }
      } catch (e) {
        const err = toNetworkError(e, endpoint, signal);
        err.incomplete = true;
        err.itemsYielded = yielded;
        throw err;
      }
    }

    return {
      pages,
      async get<T>(path: string, schema: z.ZodType<T>, query?: Record<string, string>): Promise<T> {
        const { data } = await execute(buildTarget(path, query), path, counter, signal, true);
        const r = schema.safeParse(data);
        if (!r.success) {
          const issue = firstIssue(r.error);
          throw new DoValidationError({ endpoint: path, field: issueField('', issue.path), problem: issue.message });
        }
        return r.data;
      },
      async getText(path: string, query?: Record<string, string>) {
        const { res } = await execute(buildTarget(path, query), path, counter, signal, false);
        return { body: res.body, headers: res.headers };
      },
      get requests() {
        return counter.n;
      },
      get rateLimitRemaining() {
        return budget.snapshot().remaining;
      },
    };
  }

  return {
    session: createSession,
    budget: () => budget.snapshot(),
    get requests() {
      return totalRequests;
    },
    async close() {
      await agent.close();
    },
  };
}
