import { invoicesWorker } from '../billing/worker.js';
import type { Config } from '../config.js';
import type { Database } from '../db/index.js';
import type { Logger } from '../log.js';
import type { PubSub } from '../pubsub.js';
import type { DoClient } from '../sync/client.js';
import { KIND_SPECS } from '../sync/kinds/index.js';
import { createSyncService, type SyncService } from '../sync/service.js';
import type { Component } from './lifecycle.js';

export type SyncDepsOfApp = {
  db: Database;
  pubsub: PubSub;
  log: Logger;
  client: DoClient;
  accountId: string;
  fallbackTenantId: string;
};

/**
 * The sync workers (every kind, projects and invoices) on their schedules. The service exists
 * from creation (resolvers may ask for its status); start begins the schedule and, unless
 * `runOnStart` is false, one run of each worker.
 */
export function createSync(
  config: Pick<Config, 'schedules'>,
  deps: SyncDepsOfApp,
  options: { runOnStart?: boolean } = {},
): Component & { readonly service: SyncService } {
  const { schedules } = config;
  const service = createSyncService({
    deps: { ...deps, dedicatedKinds: new Set(KIND_SPECS.filter((k) => !schedules[k.worker].disabled).map((k) => k.kind)) },
    schedules,
    extraWorkers: { INVOICES: invoicesWorker },
    runOnStart: options.runOnStart ?? true,
  });
  return { service, start: () => service.start(), stop: () => service.stop() };
}
