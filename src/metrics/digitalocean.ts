import { Counter, Gauge, type Registry } from 'prom-client';
import type { DoClientObserver } from '../digitalocean/client.js';

/** A path segment that names one object (a UUID or a number): `{id}` in the `endpoint` label, so the label stays bounded. */
const OBJECT_ID = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** `/v2/projects/4e1b…/resources` → `/v2/projects/{id}/resources`. */
export function endpointLabel(path: string): string {
  return path
    .split('/')
    .map((segment) => (OBJECT_ID.test(segment) ? '{id}' : segment))
    .join('/');
}

/** The DigitalOcean client's metrics; `forAccount(slug)` is what one account's client reports to. */
export function digitaloceanMetrics(registry: Registry) {
  const requests = new Counter({
    name: 'inventory_digitalocean_requests_total',
    help: 'HTTP requests sent to the DigitalOcean API (retries included), by account, endpoint and status (the HTTP status, or TIMEOUT, NETWORK, ABORTED when no response came).',
    labelNames: ['account', 'endpoint', 'status'] as const,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'inventory_digitalocean_rate_limited_total',
    help: 'Responses 429 (too many requests) received from the DigitalOcean API, by account and endpoint.',
    labelNames: ['account', 'endpoint'] as const,
    registers: [registry],
  });
  const rateLimitWait = new Counter({
    name: 'inventory_digitalocean_rate_limit_wait_seconds_total',
    help: 'Time the DigitalOcean API told this server to wait after a 429, by account.',
    labelNames: ['account'] as const,
    registers: [registry],
  });
  const remaining = new Gauge({
    name: 'inventory_digitalocean_rate_limit_remaining',
    help: "Requests left in DigitalOcean's hourly budget of the account's token, as its last response said (absent before the first response).",
    labelNames: ['account'] as const,
    registers: [registry],
  });
  const limit = new Gauge({
    name: 'inventory_digitalocean_rate_limit_limit',
    help: "DigitalOcean's hourly request budget of the account's token, as its last response said.",
    labelNames: ['account'] as const,
    registers: [registry],
  });
  return {
    forAccount(account: string): DoClientObserver {
      return {
        response(endpoint, status, budget) {
          const label = endpointLabel(endpoint);
          requests.inc({ account, endpoint: label, status: String(status) });
          if (status === 429) rateLimited.inc({ account, endpoint: label });
          if (budget.remaining !== null) remaining.set({ account }, budget.remaining);
          if (budget.limit !== null) limit.set({ account }, budget.limit);
        },
        rateLimitWait(waitMs) {
          rateLimitWait.inc({ account }, waitMs / 1000);
        },
      };
    },
  };
}
