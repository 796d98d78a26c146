import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SimKind, type TSimAccount, type TSimItem, type TSimKind, type TSimSize, urnOf } from '../../src/simulator/account.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';

/**
 * Simulators of different seeds are different DigitalOcean teams: DO makes ids, URNs, domain
 * names, Spaces bucket names, reserved IPs, invoice uuids and project ids unique across teams,
 * so two simulated accounts synced into one graph must share none of them.
 */

const KINDS = Object.values(SimKind);

/** The items of each kind, as the simulator holds them (a new kind fails to compile until listed). */
const ITEMS: Record<TSimKind, (a: TSimAccount) => TSimItem[]> = {
  droplet: (a) => [...a.droplets, ...a.gpuDroplets],
  droplet_backup: (a) => [...a.backups.values()].flat(),
  snapshot: (a) => a.snapshots,
  volume: (a) => a.volumes,
  dns_zone: (a) => a.domains,
  floating_ip: (a) => a.reservedIps,
  firewall: (a) => a.firewalls,
  load_balancer: (a) => a.loadBalancers,
  managed_db: (a) => a.databases,
  k8s_cluster: (a) => a.kubernetes,
  app: (a) => a.apps,
  cdn_endpoint: (a) => a.cdnEndpoints,
  vpc: (a) => a.vpcs,
  spaces_bucket: (a) => a.spacesBuckets,
  project: (a) => a.projects,
};

/** DO's own id of an item: names for zones and buckets, the address for reserved IPs. */
function providerId(kind: TSimKind, item: TSimItem): string {
  if (kind === 'dns_zone' || kind === 'spaces_bucket') return String(item.name);
  if (kind === 'floating_ip') return String(item.ip);
  return String(item.id);
}

/** Everything that names one team's things, by what it is (the rest, e.g. Kubernetes nodes, is left to the sweep of identifying values). */
function identities(sim: Simulator): Record<string, string[]> {
  const a = sim.state;
  const out: Record<string, string[]> = {};
  for (const kind of KINDS) out[`${kind} provider id`] = ITEMS[kind](a).map((item) => providerId(kind, item));
  const invoiceItems = sim.invoices().flatMap((inv) => inv.items);
  // Droplets only invoices know: destroyed before any sync, or rebuilt under the same name.
  out['droplet provider id']!.push(
    ...a.destroyedDroplets.map((d) => String(d.id)),
    ...invoiceItems.flatMap((it) => (it.resource_id ? [String(it.resource_id)] : [])),
  );
  out.urn = [...a.membership.keys(), ...KINDS.flatMap((kind) => ITEMS[kind](a).map((item) => urnOf(kind, item).urn)), ...a.vpcs.map((v) => String(v.urn))];
  out['invoice uuid'] = sim.invoices().map((inv) => inv.uuid);
  out['invoice id'] = sim.invoices().map((inv) => inv.invoiceId);
  out['resource uuid on an invoice line'] = [
    ...a.dropletUuids.values(),
    ...a.destroyedDroplets.map((d) => d.uuid),
    ...invoiceItems.flatMap((it) => (it.resource_uuid ? [it.resource_uuid] : [])),
  ];
  out['owner uuid'] = [...a.projects.map((p) => String(p.owner_uuid)), ...a.apps.map((p) => String(p.owner_uuid))];
  out['owner id'] = a.projects.map((p) => String(p.owner_id));
  return out;
}

/** The leaves of a value, with where they were found. */
function* leaves(v: unknown, path: string): Generator<[string, string]> {
  if (v instanceof Map) {
    for (const [k, x] of v) {
      yield* leaves(k, `${path}.key`);
      yield* leaves(x, `${path}.value`);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) yield* leaves(x, `${path}[]`);
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (k !== 'rng' && k !== 'team' && k !== 'now') yield* leaves(x, `${path}.${k}`);
  } else if (typeof v === 'string' || typeof v === 'number') {
    yield [String(v), path];
  }
}

/** What the same value in two teams would betray: an id, a uuid, a host or a public IP. */
const IDENTIFYING = [
  /^\d{7,}$/, // numeric ids (prices, sizes and counts stay below)
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, // uuids
  /[0-9a-f]{40}/, // owner uuids, commit hashes
  /[a-z0-9-]+\.(example\.[a-z]+|example-\d+\.com|ondigitalocean\.(com|app)|digitaloceanspaces\.com)\b/, // hosts and domains
  /^(?!10\.|0\.|255\.)\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/, // public IPv4
];
/** Shared by every team, as on DO: the public Ubuntu image droplets are built from. */
const PUBLIC = new Set(['63663980']);

function identifyingLeaves(sim: Simulator): Map<string, string> {
  const out = new Map<string, string>();
  for (const [value, path] of [...leaves(sim.state, 'state'), ...leaves(sim.invoices(), 'invoices')]) {
    if (!PUBLIC.has(value) && IDENTIFYING.some((re) => re.test(value))) out.set(value, path);
  }
  return out;
}

function sharedBetween(a: Simulator, b: Simulator) {
  const ia = identities(a);
  const ib = identities(b);
  const shared: Record<string, string[]> = {};
  for (const [what, values] of Object.entries(ia)) {
    const other = new Set(ib[what]);
    const both = [...new Set(values)].filter((v) => other.has(v));
    if (both.length > 0) shared[what] = both;
  }
  // Any id of one kind in the other team under another kind would be as confusing.
  const allB = new Set(Object.values(ib).flat());
  const crossKind = [...new Set(Object.values(ia).flat())].filter((v) => allB.has(v));
  if (crossKind.length > 0) shared['any identity'] = crossKind;
  const leavesB = identifyingLeaves(b);
  const leaked = [...identifyingLeaves(a)].filter(([v]) => leavesB.has(v)).map(([v, path]) => `${path}=${v}`);
  if (leaked.length > 0) shared['identifying value'] = leaked;
  return shared;
}

const LARGER: Partial<TSimSize> = {
  droplets: 400,
  volumes: 120,
  snapshots: 200,
  domains: 30,
  reservedIps: 300,
  spacesBuckets: 25,
  projects: 15,
  apps: 14,
  databases: 8,
};

describe('simulators of different seeds are different DigitalOcean teams', () => {
  it('seeds 1 and 2 share no provider id, URN, domain, bucket, reserved IP, invoice uuid or project id (every kind)', () => {
    const one = createSimulator({ seed: 1 });
    const two = createSimulator({ seed: 2 });
    const ids1 = identities(one);
    // Every kind is present, so the check covers them all.
    for (const kind of KINDS) expect(ids1[`${kind} provider id`]!.length, kind).toBeGreaterThan(0);
    expect(sharedBetween(one, two)).toEqual({});
    // Within one team, provider ids are unique per kind.
    for (const kind of KINDS) {
      const ids = ITEMS[kind](one.state).map((item) => providerId(kind, item));
      expect(new Set(ids).size, kind).toBe(ids.length);
    }
  });

  it('holds for larger accounts, for seeds 1 to 5 pairwise, and after resources are created', () => {
    const big1 = createSimulator({ seed: 1, size: LARGER });
    const big2 = createSimulator({ seed: 2, size: LARGER });
    expect(sharedBetween(big1, big2)).toEqual({});
    const sims = [1, 2, 3, 4, 5].map((seed) => createSimulator({ seed }));
    for (const [i, a] of sims.entries()) {
      for (const b of sims.slice(i + 1)) expect(sharedBetween(a, b)).toEqual({});
    }
    const [one, two] = sims as [Simulator, Simulator];
    for (const sim of [one, two]) {
      for (const kind of KINDS) {
        if (kind === 'droplet_backup') sim.script.create(kind, { droplet_id: sim.state.droplets[0]!.id });
        else sim.script.create(kind);
      }
    }
    expect(sharedBetween(one, two)).toEqual({});
  });

  it("gives the second team its own domain, bucket names and reserved-IP block, and the first team's output stays as it was", () => {
    const one = createSimulator({ seed: 1 });
    const two = createSimulator({ seed: 2 });
    expect(one.state.domains.every((d) => String(d.name).endsWith('.example.com'))).toBe(true);
    expect(two.state.domains.every((d) => String(d.name).endsWith('.example.net'))).toBe(true);
    expect(one.state.reservedIps.every((ip) => String(ip.ip).startsWith('45.55.'))).toBe(true);
    expect(two.state.reservedIps.every((ip) => !String(ip.ip).startsWith('45.5'))).toBe(true);
    // Seed 1's generated account and invoices, byte for byte as before teams existed (tests and demos rely on them).
    const dump = JSON.stringify({ state: one.state, invoices: one.invoices() }, (k, v: unknown) =>
      k === 'rng' || k === 'team' ? undefined : v instanceof Map ? [...v.entries()] : v,
    );
    expect(createHash('sha256').update(dump).digest('hex')).toBe(SEED_1_SHA256);
  });
});

/** sha256 of seed 1's default account and invoices, taken before the second team was added. */
const SEED_1_SHA256 = '90dae0c8904fdd92947ce98fdde20c29c7e1b0f752309c9b621c706e22a36ebd';
