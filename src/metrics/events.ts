import { Counter, type Registry } from 'prom-client';
import type { EventObserver } from '../events/commit.js';

/** Inventory events committed (stored with their sequence) and handed to the pub/sub afterwards. */
export function eventMetrics(registry: Registry): EventObserver {
  const committed = new Counter({
    name: 'inventory_events_committed_total',
    help: 'Inventory events stored by committed changes, by type and source (sync: a sync run; api: an operator mutation).',
    labelNames: ['type', 'source'] as const,
    registers: [registry],
  });
  const published = new Counter({
    name: 'inventory_events_published_total',
    help: 'Committed events handed to the pub/sub for subscribers (delivery itself is best effort), by source.',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  return {
    committed(cause, events, publishedCount) {
      const source = cause.syncRunId ? 'sync' : 'api';
      for (const event of events) committed.inc({ type: event.type, source });
      published.inc({ source }, publishedCount);
    },
  };
}
