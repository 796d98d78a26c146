/**
 * Client-side pacing for DigitalOcean's per-token limits (5,000 requests per sliding hour,
 * 250 per minute, 5 per 10 s on `/v2/cdn/endpoints*`). DO only reports the hourly budget in
 * headers, so the minute and CDN windows are tracked locally: every request is recorded when it
 * is sent, and a request waits until it fits in every window with a small safety margin.
 */
import { type Clock, systemClock } from './clock.js';

/** A window that applies to paths starting with `prefix`. */
export type TPathLimit = { prefix: string; limit: number; windowMs: number };

export type RateBudgetOptions = {
  /** Requests per sliding minute. Default 250. */
  perMinute?: number;
  /** Requests per sliding hour. Default 5000. */
  perHour?: number;
  /** Extra per-path windows. Default: `/v2/cdn/endpoints` 5 per 10 s. */
  pathLimits?: TPathLimit[];
  clock?: Clock;
  /** Extra time added to every window, to absorb latency between sending and DO counting. Default 1000 ms. */
  slackMs?: number;
};

export type TBudgetSnapshot = { limit: number | null; remaining: number | null; resetAt: Date | null };

/** The shared rate budget of one token. */
export interface RateBudget {
  /** Waits until a request to `path` fits every window, then records it. */
  acquire(path: string, signal?: AbortSignal): Promise<void>;
  /**
   * Learns DO's hourly budget from a response's headers (names case-insensitive). Pass
   * `burst: true` for a 429 that carries `retry-after`: its `ratelimit-remaining: 0` is about the
   * minute window, not the hour, and must not stall us until the hourly reset.
   */
  observe(headers: Record<string, string | string[] | undefined>, opts?: { burst?: boolean }): void;
  /** After a 429: nobody sends before `untilMs` (clock time). */
  blockUntil(untilMs: number): void;
  /** DO's view of the hourly budget as last reported. */
  snapshot(): TBudgetSnapshot;
}

export const DEFAULT_PATH_LIMITS: readonly TPathLimit[] = [{ prefix: '/v2/cdn/endpoints', limit: 5, windowMs: 10_000 }];

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** A sliding log of send times, pruned from the front. */
class SendLog {
  private times: number[] = [];
  private head = 0;
  constructor(readonly windowMs: number) {}
  prune(now: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - this.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
  get size(): number {
    return this.times.length - this.head;
  }
  /** When the log will hold fewer than `cap` entries again. */
  freeAt(cap: number, slackMs: number): number {
    const idx = this.times.length - cap;
    if (idx < this.head) return 0;
    return this.times[idx]! + this.windowMs + slackMs;
  }
  push(t: number): void {
    this.times.push(t);
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

function intHeader(headers: Record<string, string | string[] | undefined>, name: string): number | null {
  const v = header(headers, name);
  if (v === undefined) return null;
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : null;
}

export function createRateBudget(opts: RateBudgetOptions = {}): RateBudget {
  const clock = opts.clock ?? systemClock;
  const perMinute = opts.perMinute ?? 250;
  const perHour = opts.perHour ?? 5000;
  const slackMs = opts.slackMs ?? 1000;
  // Keep a few requests in reserve so that latency jitter between our clock and DO's counting
  // cannot push a window over the limit.
  const minuteCap = Math.max(1, perMinute - Math.max(1, Math.floor(perMinute * 0.04)));
  const hourCap = Math.max(1, perHour - Math.max(1, Math.floor(perHour * 0.01)));
  const minute = new SendLog(MINUTE);
  const hour = new SendLog(HOUR);
  const pathLogs = (opts.pathLimits ?? DEFAULT_PATH_LIMITS).map((l) => ({ ...l, log: new SendLog(l.windowMs) }));

  let blockedUntil = 0;
  let limit: number | null = null;
  let remaining: number | null = null;
  let resetAtMs: number | null = null;
  /** Our estimate of DO's remaining budget between responses. */
  let estimate: number | null = null;

  function waitFor(path: string, now: number): number {
    minute.prune(now);
    hour.prune(now);
    let until = blockedUntil;
    if (minute.size >= minuteCap) until = Math.max(until, minute.freeAt(minuteCap, slackMs));
    if (hour.size >= hourCap) until = Math.max(until, hour.freeAt(hourCap, slackMs));
    for (const p of pathLogs) {
      if (!path.startsWith(p.prefix)) continue;
      p.log.prune(now);
      if (p.log.size >= p.limit) until = Math.max(until, p.log.freeAt(p.limit, slackMs));
    }
    if (estimate !== null && estimate <= 0) {
      // DO says the hourly budget is used up (possibly by another client of the same token).
      if (resetAtMs !== null && resetAtMs > now) until = Math.max(until, resetAtMs + slackMs);
      else estimate = null;
    }
    return until - now;
  }

  return {
    async acquire(path, signal) {
      for (;;) {
        const now = clock.now();
        const wait = waitFor(path, now);
        if (wait <= 0) {
          minute.push(now);
          hour.push(now);
          for (const p of pathLogs) if (path.startsWith(p.prefix)) p.log.push(now);
          if (estimate !== null) estimate--;
          return;
        }
        await clock.sleep(wait, signal);
      }
    },
    observe(headers, o) {
      const l = intHeader(headers, 'ratelimit-limit');
      const r = o?.burst ? null : intHeader(headers, 'ratelimit-remaining');
      const reset = intHeader(headers, 'ratelimit-reset');
      if (l !== null) limit = l;
      if (r !== null) {
        remaining = r;
        estimate = r;
      }
      if (reset !== null) resetAtMs = reset * 1000;
    },
    blockUntil(untilMs) {
      blockedUntil = Math.max(blockedUntil, untilMs);
    },
    snapshot() {
      return { limit, remaining, resetAt: resetAtMs === null ? null : new Date(resetAtMs) };
    },
  };
}

export { header as readHeader };
