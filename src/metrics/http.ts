import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Authenticator } from '../auth.js';
import { checkKey, isRefusal } from '../http-auth.js';
import type { Logger } from '../log.js';

/** The path metrics are served at, on the API port or on METRICS_PORT. */
export const METRICS_PATH = '/metrics';

/** Routes with a label of their own; any other path counts as `other` (paths are client-chosen). */
const ROUTES = new Set(['/graphql', '/healthz', '/readyz', METRICS_PATH]);

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** What the HTTP server reports: each request's route, status and duration. */
export type HttpObserver = { observe(req: IncomingMessage, res: ServerResponse): void };

export function httpMetrics(registry: Registry): HttpObserver {
  const requests = new Counter({
    name: 'inventory_http_requests_total',
    help: 'HTTP requests answered, by route (/graphql, /healthz, /readyz, /metrics or other) and status (WebSocket upgrades not included).',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'inventory_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to the end of its response (server-sent event streams: until they end), by route.',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    observe(req, res) {
      const path = pathOf(req);
      const route = ROUTES.has(path) ? path : 'other';
      const end = duration.startTimer({ route });
      res.once('close', () => {
        end();
        requests.inc({ route, status: String(res.statusCode) });
      });
    },
  };
}

/** True for a request of the metrics path. */
export function isMetricsRequest(req: IncomingMessage): boolean {
  return pathOf(req) === METRICS_PATH;
}

/**
 * Answers GET /metrics with the exposition text. With `auth` (the API port) it is protected like
 * the API: a valid key when keys are configured (401 otherwise; 503 when the key cannot be
 * checked), and not a tenant-scoped key (403: metrics are about every tenant).
 */
export function metricsEndpoint(
  expose: () => Promise<{ contentType: string; body: string }>,
  options: { auth?: Authenticator; log: Logger },
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const refuse = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify({ error: { code, message } }));
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void refuse(res, 405, 'METHOD_NOT_ALLOWED', 'GET only', { allow: 'GET, HEAD' });
    if (options.auth) {
      const result = await checkKey(options.auth, req.headers.authorization, options.log);
      if (isRefusal(result)) {
        return void refuse(res, result.status, result.code, result.message, result.status === 401 ? { 'www-authenticate': 'Bearer' } : { 'retry-after': '5' });
      }
      if (result.tenantId !== null) return void refuse(res, 403, 'FORBIDDEN', 'metrics cover every tenant: use a key without a tenant scope');
    }
    try {
      const { contentType, body } = await expose();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      options.log.error('could not collect metrics', { error: error instanceof Error ? error.message : String(error) });
      refuse(res, 500, 'INTERNAL_SERVER_ERROR', 'could not collect metrics');
    }
  };
}
