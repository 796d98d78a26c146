import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../db/index.js';

/**
 * Connections of the database's pools, read when scraped: `main` (sync writes, migrations,
 * API keys) and `graphql` (GraphQL queries, with the statement timeout). PostgreSQL only: the
 * embedded database has no pool.
 */
export function databaseMetrics(registry: Registry, db: () => Database | undefined): void {
  const pools = () => db()?.pools?.() ?? [];
  new Gauge({
    name: 'inventory_db_pool_connections',
    help: 'Open connections of a database pool, by pool and state (idle, or active: lent to a query).',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of pools()) {
        this.set({ pool: p.name, state: 'idle' }, p.idle);
        this.set({ pool: p.name, state: 'active' }, p.total - p.idle);
      }
    },
  });
  new Gauge({
    name: 'inventory_db_pool_waiting',
    help: 'Queries waiting for a connection of a database pool (the pool is at its maximum), by pool.',
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of pools()) this.set({ pool: p.name }, p.waiting);
    },
  });
  new Gauge({
    name: 'inventory_db_pool_max',
    help: 'Most connections a database pool opens, by pool.',
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of pools()) this.set({ pool: p.name }, p.max);
    },
  });
}
