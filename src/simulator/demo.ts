import type { Simulator } from './index.js';

/**
 * Makes the simulated account change by itself (a droplet powered off or on now and then),
 * so that with nothing configured the live subscriptions have something to show.
 */
export function startDemoActivity(sim: Simulator, everyMs = 20_000): { stop(): void } {
  let n = 0;
  const timer = setInterval(() => {
    const droplets = sim.state.droplets;
    if (!droplets.length) return;
    const d = droplets[(n++ * 7) % droplets.length]!;
    sim.script.setDropletStatus(d.id, d.status === 'active' ? 'off' : 'active');
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
