import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { startDemoActivity } from '../simulator/demo.js';
import { createSimulator, type Simulator } from '../simulator/index.js';
import type { Component } from './lifecycle.js';

/** The accounts served without a token: slug, name and the seed of their generated data. */
export const SIMULATED_ACCOUNTS = [
  { slug: 'simulated', name: 'Simulated DigitalOcean account', seed: 1 },
  { slug: 'simulated-eu', name: 'Simulated DigitalOcean account (EU)', seed: 2 },
] as const;

export type SimulatedAccount = { slug: string; name: string; simulator: Simulator };

/**
 * The two simulated DigitalOcean accounts served when no account is configured, so the graph
 * has data (and several accounts) from the first start. Warns loudly that the data is generated.
 */
export function createSimulatedAccounts(deps: { log: Logger }): Component & { readonly accounts: readonly SimulatedAccount[] } {
  const accounts = SIMULATED_ACCOUNTS.map((a) => ({ slug: a.slug, name: a.name, simulator: createSimulator({ seed: a.seed, latencyMs: 20 }) }));
  return {
    accounts,
    async start() {
      for (const a of accounts) await a.simulator.start();
      deps.log.warn(
        `NO DIGITALOCEAN_TOKEN: serving two SIMULATED DigitalOcean accounts, ${accounts.map((a) => `"${a.slug}"`).join(' and ')} (generated data, live changes every 20 s). Set DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCOUNTS for your real accounts.`,
        { simulators: Object.fromEntries(accounts.map((a) => [a.slug, a.simulator.url])) },
      );
    },
    async stop() {
      for (const a of accounts) await a.simulator.stop();
    },
  };
}

/** Live changes in the simulated accounts (a droplet powered off or on every 20 s) for the subscriptions to show. */
export function createDemoActivity(simulators: readonly Simulator[]): Component {
  let demos: { stop(): void }[] = [];
  return {
    async start() {
      demos = simulators.map((s) => startDemoActivity(s));
    },
    async stop() {
      for (const d of demos) d.stop();
    },
  };
}

/** A minute-by-minute droplet sync (unless SYNC_SCHEDULE_DROPLETS says otherwise) makes the demo's status changes visible quickly. */
export function demoSchedules(schedules: Config['schedules']): Config['schedules'] {
  return schedules.DROPLETS.overridden ? schedules : { ...schedules, DROPLETS: { pattern: '* * * * *', overridden: false } };
}
