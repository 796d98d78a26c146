import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { startDemoActivity } from '../simulator/demo.js';
import { createSimulator, type Simulator } from '../simulator/index.js';
import type { Component } from './lifecycle.js';

/**
 * The simulated DigitalOcean account served when no DIGITALOCEAN_TOKEN is set, so the graph
 * has data from the first start. Warns loudly that the data is generated.
 */
export function createSimulatedAccount(deps: { log: Logger }): Component & { readonly simulator: Simulator } {
  const simulator = createSimulator({ latencyMs: 20 });
  return {
    simulator,
    async start() {
      await simulator.start();
      deps.log.warn(
        'NO DIGITALOCEAN_TOKEN: serving a SIMULATED DigitalOcean account (generated data; a status change every 20 s, seen by the minute-by-minute droplet sync). Set DIGITALOCEAN_TOKEN for your real account.',
        { simulator: simulator.url },
      );
    },
    stop: () => simulator.stop(),
  };
}

/**
 * Live changes in the simulated account (a droplet powered off or on every 20 s) for the subscriptions to show. The
 * API sees them when the droplet sync runs (every minute, `demoSchedules`): about three changes arrive together each minute.
 */
export function createDemoActivity(simulator: Simulator): Component {
  let demo: { stop(): void } | undefined;
  return {
    async start() {
      demo = startDemoActivity(simulator);
    },
    async stop() {
      demo?.stop();
    },
  };
}

/** A minute-by-minute droplet sync (unless SYNC_SCHEDULE_DROPLETS says otherwise) makes the demo's status changes visible quickly. */
export function demoSchedules(schedules: Config['schedules']): Config['schedules'] {
  return schedules.DROPLETS.overridden ? schedules : { ...schedules, DROPLETS: { pattern: '* * * * *', overridden: false } };
}
