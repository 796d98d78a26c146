import { invoicesWorker } from '../billing/worker.js';
import type { Config } from '../config.js';
import { KIND_SPECS } from '../sync/kinds/index.js';
import type { SyncDeps } from '../sync/runner.js';
import { createSyncService, type SyncService } from '../sync/service.js';
import type { Component } from './lifecycle.js';

/**
 * The sync workers (every kind, projects and invoices) on their schedules. The service exists
 * from creation (resolvers may ask for its status); start begins the schedule and, unless
 * `runOnStart` is false, one run of each worker.
 */
export function createSync(
  config: Pick<Config, 'schedules'>,
  deps: Omit<SyncDeps, 'dedicatedKinds'>,
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
