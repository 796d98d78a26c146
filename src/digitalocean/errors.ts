/**
 * Typed errors of the DigitalOcean client. Callers branch on `code`, `status` and DO's error
 * `id`, never on message text. No error ever carries the API token or request headers.
 */

/** What went wrong, independent of the HTTP status. */
export const DoErrorCode = {
  /** DO answered with a non-2xx status (see `DoApiError.status` and `.id`). */
  API: 'API',
  /** A response body did not match the endpoint's schema (see `DoValidationError.field`). */
  VALIDATION: 'VALIDATION',
  /** A 2xx body that is not JSON (truncated, proxy error page, ...). */
  MALFORMED_BODY: 'MALFORMED_BODY',
  /** Connection refused/reset, DNS failure, socket closed mid-response. */
  NETWORK: 'NETWORK',
  /** Connect, headers or body timeout. */
  TIMEOUT: 'TIMEOUT',
  /** `links.pages.next` pointed at a page already fetched. */
  PAGINATION_LOOP: 'PAGINATION_LOOP',
  /** The last page's `meta.total` says more items exist than the listing yielded. */
  SHORT_LISTING: 'SHORT_LISTING',
  /** The caller's AbortSignal fired. */
  ABORTED: 'ABORTED',
} as const;
export type TDoErrorCode = (typeof DoErrorCode)[keyof typeof DoErrorCode];

export type DoErrorInit = {
  /** Endpoint path (no host, no query), e.g. `/v2/droplets`. */
  endpoint: string;
  /** True when thrown by a listing that stopped before its end. */
  incomplete?: boolean;
  /** Items already yielded by the listing when it failed. */
  itemsYielded?: number;
  cause?: unknown;
};

/** Base class of every error the client throws. */
export class DoError extends Error {
  readonly code: TDoErrorCode;
  readonly endpoint: string;
  /** Set on errors thrown out of `DoSession.pages`: the listing must not be treated as complete. */
  incomplete: boolean;
  /** Items the listing had already yielded when it failed (0 outside listings). */
  itemsYielded: number;

  constructor(code: TDoErrorCode, message: string, init: DoErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'DoError';
    this.code = code;
    this.endpoint = init.endpoint;
    this.incomplete = init.incomplete ?? false;
    this.itemsYielded = init.itemsYielded ?? 0;
  }
}

/** The shape of DO's error ids (`not_found`, `too_many_requests`): anything else in that field is not kept. */
const DO_ERROR_ID = /^[a-z_]{1,64}$/;
/** The shape of DO's request ids (UUIDs). */
const DO_REQUEST_ID = /^[0-9a-f-]{8,64}$/i;

/**
 * DO answered with an error status. `status` and `id` (DO's snake_case error id) are the
 * contract. The message carries the endpoint, status, error id and request id only: DO's own
 * message text is never kept, because an upstream (or a proxy in front of it) may echo the
 * request, Authorization header included. An id or request id not shaped like DO's is dropped.
 */
export class DoApiError extends DoError {
  readonly status: number;
  /** DO's error id, e.g. `not_found`, `too_many_requests`, `server_error`; null when the body had none. */
  readonly id: string | null;
  /** `request_id` from the body, else the `x-request-id` header. */
  readonly requestId: string | null;
  /** Whether the client considers the status transient (429, 5xx). */
  readonly retryable: boolean;

  constructor(init: DoErrorInit & { status: number; id: string | null; requestId: string | null }) {
    const id = init.id && DO_ERROR_ID.test(init.id) ? init.id : null;
    const requestId = init.requestId && DO_REQUEST_ID.test(init.requestId) ? init.requestId : null;
    super(DoErrorCode.API, `DigitalOcean ${init.endpoint} answered ${init.status}${id ? ` ${id}` : ''}${requestId ? ` (request ${requestId})` : ''}`, init);
    this.name = 'DoApiError';
    this.status = init.status;
    this.id = id;
    this.requestId = requestId;
    this.retryable = init.status === 429 || init.status >= 500;
  }
}

/** A response did not match the schema of its endpoint. Never retried. */
export class DoValidationError extends DoError {
  /** Path of the offending field, e.g. `droplets[3].region.slug`. */
  readonly field: string;
  /** Zod's short description of the problem (no values, so no secrets). */
  readonly problem: string;

  constructor(init: DoErrorInit & { field: string; problem: string }) {
    super(DoErrorCode.VALIDATION, `DigitalOcean ${init.endpoint}: invalid field ${init.field}: ${init.problem}`, init);
    this.name = 'DoValidationError';
    this.field = init.field;
    this.problem = init.problem;
  }
}

/** Transport failures: connection errors, timeouts, malformed bodies. Retried up to the limit. */
export class DoNetworkError extends DoError {
  /** The underlying error code (`ECONNRESET`, `UND_ERR_HEADERS_TIMEOUT`, ...), if any. */
  readonly causeCode: string | null;

  constructor(
    code: typeof DoErrorCode.NETWORK | typeof DoErrorCode.TIMEOUT | typeof DoErrorCode.MALFORMED_BODY,
    init: DoErrorInit & { causeCode?: string | null; detail?: string },
  ) {
    super(code, `DigitalOcean ${init.endpoint}: ${code.toLowerCase()}${init.detail ? ` (${init.detail})` : ''}`, init);
    this.name = 'DoNetworkError';
    this.causeCode = init.causeCode ?? null;
  }
}

/** Pagination went wrong: a `next` loop or a listing shorter than DO's own `meta.total`. */
export class DoPaginationError extends DoError {
  constructor(code: typeof DoErrorCode.PAGINATION_LOOP | typeof DoErrorCode.SHORT_LISTING, init: DoErrorInit & { detail: string }) {
    super(code, `DigitalOcean ${init.endpoint}: ${init.detail}`, init);
    this.name = 'DoPaginationError';
  }
}

/** The caller aborted the session. */
export class DoAbortedError extends DoError {
  constructor(init: DoErrorInit) {
    super(DoErrorCode.ABORTED, `DigitalOcean ${init.endpoint}: aborted`, init);
    this.name = 'DoAbortedError';
  }
}

/** True for a DO error status, e.g. `isDoStatus(err, 404)` for the reserved → floating IP fallback. */
export function isDoStatus(err: unknown, status: number): err is DoApiError {
  return err instanceof DoApiError && err.status === status;
}
