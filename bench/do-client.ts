/**
 * Lists a large simulated account (10,000 droplets, 5,000 volumes, 20,000 snapshots) with 20 ms of
 * latency per request, under DO's real limits (250/min, 5,000/h), and reports requests made against
 * the minimum (ceil(N/200) per listing), wall time, and 429s received (must be 0).
 *
 *   npx tsx bench/do-client.ts          (BENCH_IMAGES=1 also lists /v2/images?private=true: past 240 requests the
 *                                        client waits for the minute window, which is the point of pacing)
 */
import { createSimulator } from '../src/simulator/index.js';
import { createDoClient } from '../src/digitalocean/client.js';
import { DO_LIST_ENDPOINTS, type TDoListEndpoint } from '../src/digitalocean/list-endpoints.js';

const LISTINGS = [
  'droplets',
  'volumes',
  'snapshots',
  'domains',
  'reservedIps',
  'firewalls',
  'loadBalancers',
  'databases',
  'kubernetes',
  'apps',
  'vpcs',
  'projects',
] as const;

const genStart = performance.now();
const sim = createSimulator({ seed: 42, size: { droplets: 10_000, volumes: 5_000, snapshots: 20_000 }, latencyMs: 20 });
const genMs = performance.now() - genStart;
await sim.start();
const client = createDoClient({ token: 'bench-token', baseUrl: sim.url });
const session = client.session();

const rows: { listing: string; items: number; requests: number; minimum: number; ms: number }[] = [];
const started = performance.now();
try {
  for (const name of process.env.BENCH_IMAGES ? [...LISTINGS, 'privateImages' as const] : LISTINGS) {
    const spec: TDoListEndpoint = DO_LIST_ENDPOINTS[name];
    const before = session.requests;
    const t = performance.now();
    let items = 0;
    for await (const page of session.pages(spec)) items += page.length;
    const paginated = spec.paginated !== false;
    rows.push({
      listing: name,
      items,
      requests: session.requests - before,
      minimum: paginated ? Math.max(1, Math.ceil(items / 200)) : 1,
      ms: Math.round(performance.now() - t),
    });
  }
} finally {
  await client.close();
  await sim.stop();
}
const wallMs = performance.now() - started;
const total = rows.reduce((s, r) => s + r.requests, 0);
const minimum = rows.reduce((s, r) => s + r.minimum, 0);

console.log(`account generated in ${Math.round(genMs)} ms; latency 20 ms/request; limits 250/min, 5000/h`);
console.table(rows);
console.log(`requests: ${total} (minimum ${minimum})`);
console.log(`wall time: ${(wallMs / 1000).toFixed(2)} s`);
console.log(`429s received: ${sim.stats.rateLimited}`);
console.log(`budget after: ${JSON.stringify(client.budget())}`);
if (sim.stats.rateLimited !== 0 || total !== minimum) process.exitCode = 1;
