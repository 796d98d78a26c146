// A simulated DigitalOcean in a process of its own (so the benchmark's memory figure is the
// sync's alone). Prints one JSON line: its URL and the minimum requests of a full sync.
import { createSimulator } from '../src/simulator/index.js';

const size = JSON.parse(process.argv[2] ?? '{}');
const sim = createSimulator({ seed: 42, size, latencyMs: Number(process.env.SIM_LATENCY_MS ?? 20) });
await sim.start();
const s = sim.state;
const pages = (n: number) => Math.max(1, Math.ceil(n / 200));
const images = [...s.backups.values()].reduce((n, b) => n + b.length, 0) + s.snapshots.filter((x) => x.resource_type === 'droplet').length;
const perProject = new Map<string, number>();
for (const m of s.membership.values()) perProject.set(m.projectId, (perProject.get(m.projectId) ?? 0) + 1);
const minimum =
  pages(s.droplets.length) +
  pages(s.gpuDroplets.length) +
  pages(images) +
  pages(s.snapshots.length) +
  pages(s.volumes.length) +
  pages(s.domains.length) +
  pages(s.reservedIps.length) +
  pages(s.firewalls.length) +
  pages(s.loadBalancers.length) +
  1 +
  pages(s.kubernetes.length) +
  pages(s.apps.length) +
  pages(s.cdnEndpoints.length) +
  pages(s.vpcs.length) +
  pages(s.projects.length) +
  s.projects.reduce((n, p) => n + pages(perProject.get(String(p.id)) ?? 0), 0);
const resources = s.droplets.length + s.gpuDroplets.length + images + s.snapshots.length + s.volumes.length + s.domains.length;
console.log(JSON.stringify({ url: sim.url, minimum, resources, memberships: s.membership.size }));
process.on('SIGTERM', () => void sim.stop().then(() => process.exit(0)));
