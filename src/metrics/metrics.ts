import type { Plugin } from 'graphql-yoga';
import { Gauge, Registry } from 'prom-client';
import type { Database } from '../db/index.js';
import type { DoClientObserver } from '../digitalocean/client.js';
import type { EventObserver } from '../events/commit.js';
import type { SyncRunObserver } from '../sync/runner.js';
import { databaseMetrics } from './database.js';
import { digitaloceanMetrics } from './digitalocean.js';
import { eventMetrics } from './events.js';
import { graphqlMetrics } from './graphql.js';
import { httpMetrics, type HttpObserver } from './http.js';
import { processMetrics } from './process.js';
import { syncMetrics } from './sync.js';

/** What the WebSocket server reports: sockets accepted (key checked) and closed. */
export type WebSocketObserver = { opened(): void; closed(): void };

/** One app's metrics: a registry of its own (several apps in one process never share series). */
export type AppMetrics = {
  registry: Registry;
  /** The exposition text of this app's metrics followed by the process's (prom-client's default metrics). */
  expose(): Promise<{ contentType: string; body: string }>;
  /** What one account's DigitalOcean client reports, labelled with the account's slug. */
  digitalocean(account: string): DoClientObserver;
  /** What one account's sync runs report, labelled with the account's slug. */
  syncRuns(account: string): SyncRunObserver;
  /** Events committed and published (every commit, sync or operator). */
  events: EventObserver;
  /** Operation plugins for HTTP and WebSocket alike. */
  graphql: Plugin[];
  http: HttpObserver;
  websocket: WebSocketObserver;
  /** Reports the pools of the database `db()` returns when scraped. */
  watchDatabase(db: () => Database | undefined): void;
};

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  const sockets = new Gauge({
    name: 'inventory_websocket_connections',
    help: 'WebSocket connections open now whose key was accepted.',
    registers: [registry],
  });
  const digitalocean = digitaloceanMetrics(registry);
  const sync = syncMetrics(registry);
  return {
    registry,
    async expose() {
      const [app, process] = await Promise.all([registry.metrics(), processMetrics().metrics()]);
      return { contentType: registry.contentType, body: `${app}\n${process}` };
    },
    digitalocean: (account) => digitalocean.forAccount(account),
    syncRuns: (account) => sync.forAccount(account),
    events: eventMetrics(registry),
    graphql: graphqlMetrics(registry),
    http: httpMetrics(registry),
    websocket: { opened: () => sockets.inc(), closed: () => sockets.dec() },
    watchDatabase: (db) => databaseMetrics(registry, db),
  };
}
