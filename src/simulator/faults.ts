/**
 * Scripted faults of the simulated DO. A fault matches a request by exact path and, where
 * given, by page number (`page` query, default 1), and fires a bounded number of times.
 */

export const SimFaultType = {
  STATUS: 'STATUS',
  MALFORMED_JSON: 'MALFORMED_JSON',
  RESET: 'RESET',
  SLOW: 'SLOW',
} as const;
export type TSimFaultType = (typeof SimFaultType)[keyof typeof SimFaultType];

export type TSimFault = {
  type: TSimFaultType;
  path: string;
  /** null: every page. */
  page: number | null;
  status?: number;
  ms?: number;
  /** Times left; Infinity for "until cleared". */
  remaining: number;
};

/** The scripting surface for faults (also exposed over HTTP under `/_sim/faults/...`). */
export interface SimFaults {
  /** The next `n` API requests get 429 with `retry-after`. */
  rateLimitBurst(n: number, retryAfterSeconds?: number): void;
  /** Requests for `page` of `path` answer `status` with DO's error body, `times` times (default 1). */
  failPage(path: string, page: number, status: number, times?: number): void;
  /** Requests for `page` of `path` get a 200 with a truncated JSON body, `times` times (default 1). */
  malformedJson(path: string, page: number, times?: number): void;
  /** Every request to `path` waits `ms` (real time) before answering, `times` times (default: until cleared). */
  slow(path: string, ms: number, times?: number): void;
  /** Requests for `page` of `path` get their socket destroyed without a response, `times` times (default 1). */
  resetConnection(path: string, page: number, times?: number): void;
  /**
   * The token lacks `scope` (e.g. `database:read`): every request to an endpoint that needs it
   * answers 403 with DO's error body, until cleared. DO's body does not name the scope.
   */
  denyScope(scope: string): void;
  /**
   * The token is revoked (or was never valid): every API request answers 401 with DO's error
   * body, until cleared.
   */
  revokeToken(): void;
  clear(): void;
}

export type TFaultRegistry = SimFaults & {
  /** Consumes one 429 of a burst, if any: returns its retry-after in seconds. */
  takeBurst(): number | null;
  /** Delay for this request (SLOW faults), consumed. */
  takeDelay(path: string, page: number): number;
  /** The first STATUS / MALFORMED_JSON / RESET fault matching, consumed. */
  take(path: string, page: number): TSimFault | null;
  /** True when the token lacks this scope. */
  denied(scope: string | null): boolean;
  /** True while the token is revoked. */
  tokenRevoked(): boolean;
  list(): readonly TSimFault[];
};

export function createFaultRegistry(): TFaultRegistry {
  let faults: TSimFault[] = [];
  let burst = 0;
  let burstRetryAfter = 1;
  const deniedScopes = new Set<string>();
  let revoked = false;

  const matches = (f: TSimFault, path: string, page: number) => f.path === path && (f.page === null || f.page === page) && f.remaining > 0;
  const consume = (f: TSimFault) => {
    f.remaining--;
    if (f.remaining <= 0) faults = faults.filter((x) => x !== f);
  };

  return {
    rateLimitBurst(n, retryAfterSeconds = 1) {
      burst += n;
      burstRetryAfter = retryAfterSeconds;
    },
    failPage(path, page, status, times = 1) {
      faults.push({ type: SimFaultType.STATUS, path, page, status, remaining: times });
    },
    malformedJson(path, page, times = 1) {
      faults.push({ type: SimFaultType.MALFORMED_JSON, path, page, remaining: times });
    },
    slow(path, ms, times = Number.POSITIVE_INFINITY) {
      faults.push({ type: SimFaultType.SLOW, path, page: null, ms, remaining: times });
    },
    resetConnection(path, page, times = 1) {
      faults.push({ type: SimFaultType.RESET, path, page, remaining: times });
    },
    denyScope(scope) {
      deniedScopes.add(scope);
    },
    revokeToken() {
      revoked = true;
    },
    clear() {
      faults = [];
      burst = 0;
      deniedScopes.clear();
      revoked = false;
    },
    tokenRevoked: () => revoked,
    denied: (scope) => scope !== null && deniedScopes.has(scope),
    takeBurst() {
      if (burst <= 0) return null;
      burst--;
      return burstRetryAfter;
    },
    takeDelay(path, page) {
      let ms = 0;
      for (const f of [...faults]) {
        if (f.type === SimFaultType.SLOW && matches(f, path, page)) {
          ms += f.ms ?? 0;
          consume(f);
        }
      }
      return ms;
    },
    take(path, page) {
      const f = faults.find((x) => x.type !== SimFaultType.SLOW && matches(x, path, page));
      if (!f) return null;
      consume(f);
      return f;
    },
    list: () => faults,
  };
}
