/**
 * Deterministic generator of a simulated DigitalOcean account, in the shapes DO really sends
 * (shared/do-api/fixtures). The same seed and size always give the same account.
 */
import type {
  TSimApp,
  TSimBucket,
  TSimCdnEndpoint,
  TSimDatabase,
  TSimDomain,
  TSimDroplet,
  TSimFirewall,
  TSimImage,
  TSimKubernetesCluster,
  TSimLoadBalancer,
  TSimProject,
  TSimRegion,
  TSimReservedIp,
  TSimSnapshot,
  TSimVolume,
  TSimVpc,
} from './shapes.js';

/** The resource counts a simulated account is sized by. */
export const SIM_SIZE_KEYS = [
  'droplets',
  'gpuDroplets',
  'volumes',
  'snapshots',
  'domains',
  'projects',
  'reservedIps',
  'firewalls',
  'loadBalancers',
  'databases',
  'kubernetes',
  'apps',
  'cdnEndpoints',
  'vpcs',
  'spacesBuckets',
] as const;

/** Resource counts of a generated account. */
export type TSimSize = Record<(typeof SIM_SIZE_KEYS)[number], number>;

/** One resource of every kind (the templates of `script.create` on an empty account). */
export function sizeOfOne(): TSimSize {
  const size = { ...DEFAULT_SIM_SIZE };
  for (const key of SIM_SIZE_KEYS) size[key] = 1;
  return size;
}

/** A small realistic account, used when no size is given. */
export const DEFAULT_SIM_SIZE: TSimSize = {
  droplets: 30,
  gpuDroplets: 2,
  volumes: 10,
  snapshots: 15,
  domains: 5,
  projects: 4,
  reservedIps: 5,
  firewalls: 3,
  loadBalancers: 2,
  databases: 2,
  kubernetes: 2,
  apps: 3,
  cdnEndpoints: 2,
  vpcs: 3,
  spacesBuckets: 3,
};

/** Kinds the simulator can script (DESIGN.md kind names). */
export const SimKind = {
  droplet: 'droplet',
  droplet_backup: 'droplet_backup',
  snapshot: 'snapshot',
  volume: 'volume',
  dns_zone: 'dns_zone',
  floating_ip: 'floating_ip',
  firewall: 'firewall',
  load_balancer: 'load_balancer',
  managed_db: 'managed_db',
  k8s_cluster: 'k8s_cluster',
  app: 'app',
  cdn_endpoint: 'cdn_endpoint',
  vpc: 'vpc',
  spaces_bucket: 'spaces_bucket',
  project: 'project',
} as const;
export type TSimKind = (typeof SimKind)[keyof typeof SimKind];

/**
 * The DigitalOcean team a seed stands for. DO makes ids, URNs, domain names, Spaces bucket
 * names and reserved IPs unique across teams, so simulators of different seeds share none of
 * them: each team has its own id ranges, domain, bucket prefix, reserved-IP block and owner.
 * Seed 1 is the team the simulator has always generated (its output does not change); seeds
 * 1 to 5 have disjoint id ranges.
 */
export type TSimTeam = {
  /** seed - 1. */
  index: number;
  /** Added to the droplet, image and destroyed-droplet id ranges. */
  idOffset: number;
  /** Parent domain of the team's zones, app and CDN domains. */
  domain: string;
  /** Before every Spaces bucket name (bucket names are unique across DO). */
  bucketPrefix: string;
  /** First two octets of the generated reserved IPs. */
  ipBlock: string;
  /** First two octets of reserved IPs added by `script.create`. */
  createdIpBlock: string;
  ownerUuid: string;
  ownerId: number;
  /** The `do-user-<n>` of database hostnames. */
  userId: number;
};

/** Reserved-IP /16 blocks DO allocates from, one per team (wrapping after ten teams). */
const TEAM_IP_BLOCKS = ['45.55', '188.166', '159.89', '138.68', '104.131', '134.209', '146.190', '167.99', '178.62', '206.189'] as const;
const TEAM_DOMAINS = ['example.com', 'example.net', 'example.org'] as const;

export function teamOf(seed: number): TSimTeam {
  const index = ((seed >>> 0) + 0xffff_ffff) >>> 0;
  const block = TEAM_IP_BLOCKS[index % TEAM_IP_BLOCKS.length]!;
  const [a, b] = block.split('.');
  return {
    index,
    idOffset: (index % 5) * 20_000_000,
    domain: TEAM_DOMAINS[index] ?? `example-${index + 1}.com`,
    bucketPrefix: index === 0 ? '' : `team${index + 1}-`,
    ipBlock: block,
    createdIpBlock: `${a}.${Number(b) + 1}`,
    ownerUuid: index === 0 ? 'f1a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3' : createRng(0x7ea0_0000 + index).hex(40),
    ownerId: 258992 + 7919 * index,
    userId: 1908 + 613 * index,
  };
}

/** A project membership: which project a URN is in (URNs in no project are absent). */
export type TMembership = { projectId: string; assignedAt: string; selfPath: string | null; selfUrl?: string };

/** The mutable account the simulator serves. Arrays hold DO-shaped objects. */
export type TSimAccount = {
  droplets: TSimDroplet[];
  gpuDroplets: TSimDroplet[];
  /** Backups by droplet id (image objects, `type: "backup"`). */
  backups: Map<number, TSimImage[]>;
  /** `/v2/snapshots` objects (string ids), droplet and volume snapshots. */
  snapshots: TSimSnapshot[];
  volumes: TSimVolume[];
  domains: TSimDomain[];
  reservedIps: TSimReservedIp[];
  firewalls: TSimFirewall[];
  loadBalancers: TSimLoadBalancer[];
  databases: TSimDatabase[];
  kubernetes: TSimKubernetesCluster[];
  apps: TSimApp[];
  cdnEndpoints: TSimCdnEndpoint[];
  vpcs: TSimVpc[];
  projects: TSimProject[];
  spacesBuckets: TSimBucket[];
  /** URN → membership. Insertion order is listing order. */
  membership: Map<string, TMembership>;
  /** Droplets that existed before any sync (never listed): used for invoice lines. */
  destroyedDroplets: { id: number; name: string; sizeSlug: string; priceCents: number; uuid: string }[];
  /** Invoice-only uuids of droplets (the droplet API never exposes them). */
  dropletUuids: Map<number, string>;
  rng: Rng;
  team: TSimTeam;
  seq: { droplet: number; image: number; ip: number };
  /** Generation time (ms since epoch); timestamps are before it. */
  now: number;
};

/** mulberry32: small, fast, deterministic. */
export type Rng = {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(a: readonly T[]): T;
  uuid(): string;
  hex(n: number): string;
  chance(p: number): boolean;
};

export function createRng(seed: number): Rng {
  let a = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(next() * 16).toString(16);
    return s;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(arr: readonly T[]) => arr[Math.floor(next() * arr.length)]!,
    hex,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(next() * 4)]}${hex(3)}-${hex(12)}`,
    chance: (p) => next() < p,
  };
}

export const REGIONS = ['nyc1', 'nyc3', 'sfo3', 'ams3', 'fra1', 'lon1', 'sgp1', 'tor1', 'blr1', 'syd1'] as const;
const REGION_NAMES: Record<string, string> = {
  nyc1: 'New York 1',
  nyc3: 'New York 3',
  sfo3: 'San Francisco 3',
  ams3: 'Amsterdam 3',
  fra1: 'Frankfurt 1',
  lon1: 'London 1',
  sgp1: 'Singapore 1',
  tor1: 'Toronto 1',
  blr1: 'Bangalore 1',
  syd1: 'Sydney 1',
};

/** Droplet sizes with their monthly price in cents. */
export const DROPLET_SIZES = [
  { slug: 's-1vcpu-1gb', memory: 1024, vcpus: 1, disk: 25, priceCents: 600 },
  { slug: 's-1vcpu-2gb', memory: 2048, vcpus: 1, disk: 50, priceCents: 1200 },
  { slug: 's-2vcpu-2gb', memory: 2048, vcpus: 2, disk: 60, priceCents: 1800 },
  { slug: 's-2vcpu-4gb', memory: 4096, vcpus: 2, disk: 80, priceCents: 2400 },
  { slug: 's-4vcpu-8gb', memory: 8192, vcpus: 4, disk: 160, priceCents: 4800 },
  { slug: 'c-2', memory: 4096, vcpus: 2, disk: 25, priceCents: 4200 },
] as const;
const GPU_SIZE = { slug: 'gpu-h100x1-80gb', memory: 245760, vcpus: 20, disk: 720, priceCents: 244_656 };

const SIZE_LIST = DROPLET_SIZES.map((s) => s.slug);

function regionObject(slug: string): TSimRegion {
  return {
    name: REGION_NAMES[slug] ?? slug,
    slug,
    features: ['private_networking', 'backups', 'ipv6', 'metadata', 'install_agent', 'storage', 'image_transfer'],
    available: true,
    sizes: SIZE_LIST,
  };
}
const REGION_OBJECTS = new Map<string, TSimRegion>(REGIONS.map((r) => [r, regionObject(r)]));
export function regionOf(slug: string): TSimRegion {
  return REGION_OBJECTS.get(slug) ?? regionObject(slug);
}

const BASE_IMAGE: TSimImage = {
  id: 63663980,
  name: '20.04 (LTS) x64',
  distribution: 'Ubuntu',
  slug: 'ubuntu-20-04-x64',
  public: true,
  regions: [...REGIONS],
  created_at: '2020-05-15T05:47:50Z',
  type: 'snapshot',
  min_disk_size: 20,
  size_gigabytes: 2.36,
  description: '',
  tags: [],
  status: 'available',
  error_message: '',
};

const ROLES = ['web', 'api', 'worker', 'db', 'cache', 'build', 'vpn', 'git', 'mail', 'proxy'] as const;
const WORDS = ['acme', 'orbit', 'delta', 'nimbus', 'harbor', 'quartz', 'falcon', 'ember', 'cobalt', 'lumen', 'sierra', 'tango'] as const;
const TAGS = ['env:prod', 'env:stage', 'env:dev', 'team:core', 'team:data', 'web', 'k8s', 'billing'] as const;

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function pickTags(rng: Rng): string[] {
  const n = rng.int(0, 2);
  const out = new Set<string>();
  for (let i = 0; i < n; i++) out.add(rng.pick(TAGS));
  return [...out];
}

function ipv4(rng: Rng, first: number): string {
  return `${first}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/** `team`: whose account it is (default: the seed's team). */
export type TGenerateOptions = { seed: number; size: TSimSize; now?: number; team?: TSimTeam };

/** Builds a droplet object in DO's shape. Exposed for `script.create`. */
export function makeDroplet(acc: TSimAccount, init: { name?: string; region?: string; gpu?: boolean; status?: string } = {}): TSimDroplet {
  const { rng } = acc;
  const size = init.gpu ? GPU_SIZE : rng.pick(DROPLET_SIZES);
  const region = init.region ?? rng.pick(REGIONS);
  acc.seq.droplet += rng.int(1, 97);
  const id = acc.seq.droplet;
  const createdMs = acc.now - rng.int(1, 900) * 86_400_000 - rng.int(0, 86_399) * 1000;
  const statusRoll = rng.next();
  const status = init.status ?? (statusRoll < 0.9 ? 'active' : statusRoll < 0.98 ? 'off' : 'new');
  const vpc = acc.vpcs.length > 0 ? String(rng.pick(acc.vpcs).id) : rng.uuid();
  const droplet: TSimDroplet = {
    id,
    name: init.name ?? `${rng.pick(ROLES)}-${id % 100000}`,
    memory: size.memory,
    vcpus: size.vcpus,
    disk: size.disk,
    disk_info: [{ type: 'local', size: { amount: size.disk, unit: 'gib' } }],
    locked: false,
    status,
    kernel: null,
    created_at: iso(createdMs),
    features: ['private_networking'],
    backup_ids: [],
    next_backup_window: null,
    snapshot_ids: [],
    image: BASE_IMAGE,
    volume_ids: [],
    size: {
      slug: size.slug,
      memory: size.memory,
      vcpus: size.vcpus,
      disk: size.disk,
      transfer: 1.0,
      price_monthly: size.priceCents / 100,
      price_hourly: Number((size.priceCents / 100 / 672).toFixed(5)),
      regions: [...REGIONS],
      available: true,
      description: init.gpu ? 'GPU' : 'Basic',
    },
    size_slug: size.slug,
    networks: {
      v4: [
        { ip_address: `10.${rng.int(100, 130)}.${rng.int(0, 255)}.${rng.int(2, 254)}`, netmask: '255.255.0.0', gateway: 'nil', type: 'private' },
        { ip_address: ipv4(rng, rng.pick([104, 134, 138, 142, 159, 161, 164, 167])), netmask: '255.255.240.0', gateway: '10.0.0.1', type: 'public' },
      ],
      v6: [],
    },
    region: regionOf(region),
    tags: pickTags(rng),
    vpc_uuid: vpc,
  };
  if (init.gpu) {
    droplet.gpu_info = { count: 1, model: 'nvidia_h100', vram: { amount: 80, unit: 'gib' } };
  }
  acc.dropletUuids.set(id, rng.uuid());
  return droplet;
}

function addBackups(acc: TSimAccount, droplet: TSimDroplet): void {
  const { rng } = acc;
  const id = droplet.id;
  const region = droplet.region.slug;
  const count = rng.int(1, 4);
  const list: TSimImage[] = [];
  for (let i = 0; i < count; i++) {
    acc.seq.image += rng.int(1, 50);
    const day = acc.now - (i + 1) * 7 * 86_400_000;
    list.push({
      id: acc.seq.image,
      name: `${droplet.name}- ${iso(day).slice(0, 10)}`,
      distribution: 'Ubuntu',
      slug: null,
      public: false,
      regions: [region],
      created_at: iso(day + 6_275_000),
      min_disk_size: droplet.disk,
      size_gigabytes: rng.int(100, 900) / 100,
      type: 'backup',
      description: '',
      tags: [],
      status: 'available',
      error_message: '',
    });
  }
  acc.backups.set(id, list);
  droplet.backup_ids = list.map((b) => b.id);
  droplet.features.push('backups');
  droplet.next_backup_window = { start: iso(acc.now + 86_400_000), end: iso(acc.now + 86_400_000 + 82_800_000) };
}

/** Builds a `/v2/snapshots` object. Droplet snapshots get an integer-like id, volume snapshots a uuid. */
export function makeSnapshot(acc: TSimAccount, parent: { type: 'droplet' | 'volume'; id: string; name: string; region: string; disk: number }): TSimSnapshot {
  const { rng } = acc;
  const createdMs = acc.now - rng.int(1, 400) * 86_400_000 - rng.int(0, 86_399) * 1000;
  let id: string;
  if (parent.type === 'droplet') {
    acc.seq.image += rng.int(1, 50);
    id = String(acc.seq.image);
  } else {
    id = rng.uuid();
  }
  return {
    id,
    name: `${parent.name}-${createdMs}`,
    created_at: iso(createdMs),
    regions: [parent.region],
    resource_id: parent.id,
    resource_type: parent.type,
    min_disk_size: parent.disk,
    size_gigabytes: parent.type === 'droplet' ? rng.int(50, 4000) / 100 : rng.int(1, 2000) / 10,
    tags: parent.type === 'volume' && rng.chance(0.3) ? null : pickTags(rng),
  };
}

export function makeVolume(acc: TSimAccount, init: { name?: string; region?: string } = {}): TSimVolume {
  const { rng } = acc;
  const region = init.region ?? rng.pick(REGIONS);
  const n = acc.volumes.length + 1;
  return {
    id: rng.uuid(),
    region: regionOf(region),
    droplet_ids: [],
    name: init.name ?? `volume-${region}-${String(n).padStart(2, '0')}`,
    description: 'Block store',
    size_gigabytes: rng.pick([10, 50, 100, 250, 500]),
    created_at: iso(acc.now - rng.int(1, 700) * 86_400_000),
    filesystem_type: 'ext4',
    filesystem_label: 'data',
    tags: rng.chance(0.2) ? null : pickTags(rng),
  };
}

function makeProject(acc: TSimAccount, name: string, isDefault: boolean): TSimProject {
  const { rng } = acc;
  const created = acc.now - rng.int(100, 1500) * 86_400_000;
  return {
    id: rng.uuid(),
    owner_uuid: acc.team.ownerUuid,
    owner_id: acc.team.ownerId,
    name,
    description: isDefault ? 'Default project' : `${name} resources`,
    purpose: isDefault ? 'Just trying out DigitalOcean' : 'Service or API',
    environment: isDefault ? 'Development' : rng.pick(['Production', 'Staging', 'Development']),
    is_default: isDefault,
    created_at: iso(created),
    updated_at: iso(created + rng.int(0, 90) * 86_400_000),
  };
}

/** Anything the simulator can put in a project: a served item or a bucket. */
export type TSimItem = { id?: unknown; name?: unknown; ip?: unknown; region?: unknown };

/** URN, and the API path of its `links.self` (null: the self link is not an API url). */
export function urnOf(kind: TSimKind, o: TSimItem): { urn: string; selfPath: string | null; selfUrl?: string } {
  const id = String(o.id);
  const name = String(o.name);
  switch (kind) {
    case 'droplet':
      return { urn: `do:droplet:${id}`, selfPath: `/v2/droplets/${id}` };
    case 'dns_zone':
      return { urn: `do:domain:${name}`, selfPath: `/v2/domains/${name}` };
    case 'volume':
      return { urn: `do:volume:${id}`, selfPath: `/v2/volumes/${id}` };
    case 'floating_ip':
      return { urn: `do:floatingip:${String(o.ip)}`, selfPath: `/v2/floating_ips/${String(o.ip)}` };
    case 'load_balancer':
      return { urn: `do:loadbalancer:${id}`, selfPath: `/v2/load_balancers/${id}` };
    case 'managed_db':
      return { urn: `do:dbaas:${id}`, selfPath: `/v2/databases/${id}` };
    case 'k8s_cluster':
      return { urn: `do:kubernetes:${id}`, selfPath: `/v2/kubernetes/clusters/${id}` };
    case 'app':
      return { urn: `do:app:${id}`, selfPath: `/v2/apps/${id}` };
    case 'spaces_bucket':
      return {
        urn: `do:space:${name}`,
        selfPath: null,
        selfUrl: `https://${name}.${String(o.region)}.digitaloceanspaces.com`,
      };
    case 'snapshot':
      return { urn: `do:volumesnapshot:${id}`, selfPath: `/v2/snapshots/${id}` };
    default:
      return { urn: `do:${kind}:${id}`, selfPath: null };
  }
}

/** Puts a URN in a project (or in none when `projectId` is null). */
export function assign(acc: TSimAccount, kind: TSimKind, item: TSimItem, projectId: string | null): void {
  const { urn, selfPath, selfUrl } = urnOf(kind, item);
  if (projectId === null) {
    acc.membership.delete(urn);
    return;
  }
  acc.membership.set(urn, { projectId, assignedAt: iso(acc.now - acc.rng.int(1, 300) * 86_400_000), selfPath, ...(selfUrl ? { selfUrl } : {}) });
}

export function defaultProjectId(acc: TSimAccount): string {
  return String(acc.projects.find((p) => p.is_default === true)?.id ?? acc.projects[0]?.id ?? '');
}

/** Generates the account. Cost is linear in the size. */
export function generateAccount(opts: TGenerateOptions): TSimAccount {
  const rng = createRng(opts.seed);
  const team = opts.team ?? teamOf(opts.seed);
  const size = opts.size;
  // Fixed epoch so that the same seed gives the same bytes whenever it runs.
  const now = opts.now ?? Date.UTC(2026, 3, 15, 12, 0, 0);
  const acc: TSimAccount = {
    droplets: [],
    gpuDroplets: [],
    backups: new Map(),
    snapshots: [],
    volumes: [],
    domains: [],
    reservedIps: [],
    firewalls: [],
    loadBalancers: [],
    databases: [],
    kubernetes: [],
    apps: [],
    cdnEndpoints: [],
    vpcs: [],
    projects: [],
    spacesBuckets: [],
    membership: new Map(),
    destroyedDroplets: [],
    dropletUuids: new Map(),
    rng,
    team,
    seq: { droplet: 300_000_000 + team.idOffset + rng.int(0, 9_999_999), image: 150_000_000 + team.idOffset + rng.int(0, 9_999_999), ip: 0 },
    now,
  };

  for (let i = 0; i < size.vpcs; i++) {
    const region = REGIONS[i % REGIONS.length]!;
    const id = rng.uuid();
    const isDefault = i < REGIONS.length;
    acc.vpcs.push({
      id,
      urn: `do:vpc:${id}`,
      name: isDefault ? `default-${region}` : `vpc-${region}-${i}`,
      description: '',
      region,
      ip_range: `10.${100 + (i % 150)}.${Math.floor(i / 150) * 16}.0/20`,
      // DO sends nanoseconds on some VPCs.
      created_at: i % 3 === 0 ? `${iso(now - (i + 30) * 86_400_000).slice(0, -1)}.442049222Z` : iso(now - (i + 30) * 86_400_000),
      default: isDefault,
    });
  }

  const projectCount = Math.max(1, size.projects);
  const defaultIdx = projectCount > 1 ? 1 : 0;
  for (let i = 0; i < projectCount; i++) {
    acc.projects.push(makeProject(acc, i === defaultIdx ? 'Default' : `${WORDS[i % WORDS.length]}${i >= WORDS.length ? `-${i}` : ''}`, i === defaultIdx));
  }
  const projectIds = acc.projects.map((p) => String(p.id));
  // Most resources are in a project; a few are in none (brief: "some resources in no project at all").
  const placeIn = (): string | null => (rng.chance(0.06) ? null : rng.next() < 0.4 ? projectIds[defaultIdx]! : rng.pick(projectIds));

  for (let i = 0; i < size.droplets; i++) {
    const d = makeDroplet(acc);
    acc.droplets.push(d);
  }
  // Two droplets share a name, as they can on DO.
  if (acc.droplets.length >= 4) {
    acc.droplets[0]!.name = 'web-1';
    acc.droplets[2]!.name = 'web-1';
    // Distinct sizes keep their invoice lines apart.
    if (acc.droplets[0]!.size_slug === acc.droplets[2]!.size_slug) {
      const other = DROPLET_SIZES.find((s) => s.slug !== acc.droplets[0]!.size_slug)!;
      acc.droplets[2]!.size_slug = other.slug;
      acc.droplets[2]!.size.slug = other.slug;
      acc.droplets[2]!.size.price_monthly = other.priceCents / 100;
    }
  }
  for (const d of acc.droplets) if (rng.chance(0.3)) addBackups(acc, d);
  for (let i = 0; i < size.gpuDroplets; i++) acc.gpuDroplets.push(makeDroplet(acc, { gpu: true, region: 'tor1', name: `gpu-train-${i + 1}` }));

  for (let i = 0; i < size.volumes; i++) {
    const v = makeVolume(acc);
    if (acc.droplets.length > 0 && rng.chance(0.6)) {
      const d = rng.pick(acc.droplets);
      v.region = d.region;
      v.droplet_ids = [d.id];
      d.volume_ids.push(v.id);
    }
    acc.volumes.push(v);
  }

  // Snapshots: droplet and volume snapshots; a couple outlive their droplet, as on DO.
  const orphans = size.snapshots >= 10 ? 2 : 0;
  for (let i = 0; i < size.snapshots; i++) {
    let snap: TSimSnapshot;
    const useDroplet = acc.droplets.length > 0 && (acc.volumes.length === 0 || rng.chance(0.6));
    if (i < orphans || (acc.droplets.length === 0 && acc.volumes.length === 0)) {
      acc.seq.droplet += 3;
      snap = makeSnapshot(acc, { type: 'droplet', id: String(acc.seq.droplet - 1), name: `old-${rng.pick(ROLES)}-${i}`, region: rng.pick(REGIONS), disk: 25 });
    } else if (useDroplet) {
      const d = rng.pick(acc.droplets);
      snap = makeSnapshot(acc, { type: 'droplet', id: String(d.id), name: d.name, region: d.region.slug, disk: d.disk });
      d.snapshot_ids.push(Number(snap.id));
    } else {
      const v = rng.pick(acc.volumes);
      snap = makeSnapshot(acc, { type: 'volume', id: v.id, name: v.name, region: v.region.slug, disk: v.size_gigabytes });
    }
    acc.snapshots.push(snap);
  }

  for (let i = 0; i < size.domains; i++) {
    const name = `${WORDS[i % WORDS.length]}${i >= WORDS.length ? `-${i}` : ''}.${team.domain}`;
    acc.domains.push({
      name,
      ttl: 1800,
      zone_file: `$ORIGIN ${name}.\n$TTL 1800\n${name}. IN SOA ns1.digitalocean.com. hostmaster.${name}. 1415982609 10800 3600 604800 1800\n`,
    });
  }

  for (let i = 0; i < size.reservedIps; i++) {
    const assigned = acc.droplets.length > 0 && rng.chance(0.5) ? rng.pick(acc.droplets) : null;
    const region = assigned ? assigned.region.slug : rng.pick(REGIONS);
    acc.reservedIps.push({
      ip: `${team.ipBlock}.${Math.floor(i / 250) % 256}.${(i % 250) + 1}`,
      droplet: assigned,
      region: regionOf(region),
      locked: false,
      project_id: null,
    });
  }

  for (let i = 0; i < size.firewalls; i++) {
    const ids = acc.droplets.length ? [rng.pick(acc.droplets).id] : [];
    acc.firewalls.push({
      id: rng.uuid(),
      name: `firewall-${i + 1}`,
      status: 'succeeded',
      inbound_rules: [
        { protocol: 'tcp', ports: '22', sources: { addresses: ['18.0.0.0/8'] } },
        { protocol: 'tcp', ports: '443', sources: { addresses: ['0.0.0.0/0', '::/0'] } },
      ],
      outbound_rules: [{ protocol: 'tcp', ports: '0', destinations: { addresses: ['0.0.0.0/0', '::/0'] } }],
      created_at: iso(now - rng.int(10, 800) * 86_400_000),
      droplet_ids: ids,
      tags: i % 2 === 0 ? ['web'] : [],
      pending_changes: [],
    });
  }

  for (let i = 0; i < size.loadBalancers; i++) {
    const region = rng.pick(REGIONS);
    acc.loadBalancers.push({
      id: rng.uuid(),
      name: `lb-${region}-${i + 1}`,
      ip: ipv4(rng, 104),
      size_unit: 1,
      size: 'lb-small',
      algorithm: 'round_robin',
      status: 'active',
      created_at: iso(now - rng.int(10, 800) * 86_400_000),
      forwarding_rules: [
        { entry_protocol: 'https', entry_port: 443, target_protocol: 'http', target_port: 8080, certificate_id: rng.uuid(), tls_passthrough: false },
      ],
      health_check: {
        protocol: 'http',
        port: 8080,
        path: '/',
        check_interval_seconds: 10,
        response_timeout_seconds: 5,
        healthy_threshold: 5,
        unhealthy_threshold: 3,
      },
      sticky_sessions: { type: 'none' },
      region: regionOf(region),
      tag: '',
      droplet_ids: acc.droplets.slice(0, 2).map((d) => d.id),
      redirect_http_to_https: true,
      enable_proxy_protocol: false,
      enable_backend_keepalive: false,
      vpc_uuid: acc.vpcs[0]?.id ?? rng.uuid(),
      disable_lets_encrypt_dns_records: false,
      type: 'REGIONAL',
      network: 'EXTERNAL',
    });
  }

  for (let i = 0; i < size.databases; i++) {
    const name = `${rng.pick(['pg', 'mysql', 'redis'])}-${WORDS[i % WORDS.length]}-${i + 1}`;
    const password = rng.hex(16);
    const host = `${name}-do-user-${team.userId}-0.db.ondigitalocean.com`;
    const conn = {
      uri: `postgres://doadmin:${password}@${host}:25060/defaultdb?sslmode=require`,
      database: 'defaultdb',
      host,
      port: 25060,
      user: 'doadmin',
      password,
      ssl: true,
    };
    acc.databases.push({
      id: rng.uuid(),
      name,
      engine: name.startsWith('pg') ? 'pg' : name.startsWith('mysql') ? 'mysql' : 'valkey',
      version: '16',
      connection: conn,
      private_connection: { ...conn, host: `private-${host}`, uri: conn.uri.replace(host, `private-${host}`) },
      users: [{ name: 'doadmin', role: 'primary', password }],
      db_names: ['defaultdb'],
      num_nodes: rng.pick([1, 2, 3]),
      region: rng.pick(REGIONS),
      status: 'online',
      created_at: iso(now - rng.int(10, 800) * 86_400_000),
      maintenance_window: { day: 'saturday', hour: '08:45:12', pending: false, description: [] },
      size: rng.pick(['db-s-1vcpu-1gb', 'db-s-2vcpu-4gb', 'db-s-4vcpu-8gb']),
      tags: ['production'],
      private_network_uuid: acc.vpcs[0]?.id ?? rng.uuid(),
      storage_size_mib: 61440,
      project_id: null,
    });
  }

  for (let i = 0; i < size.kubernetes; i++) {
    const id = rng.uuid();
    const region = rng.pick(REGIONS);
    const nodes = [0, 1, 2].map((n) => ({
      id: rng.uuid(),
      name: `pool-${rng.hex(4)}-${n}`,
      status: { state: 'running' },
      droplet_id: String(acc.seq.droplet + 1000 + i * 10 + n),
      created_at: iso(now - 50 * 86_400_000),
      updated_at: iso(now - 50 * 86_400_000),
    }));
    acc.kubernetes.push({
      id,
      name: `k8s-${region}-${WORDS[i % WORDS.length]}`,
      region,
      version: '1.31.1-do.0',
      cluster_subnet: '10.244.0.0/16',
      service_subnet: '10.245.0.0/16',
      vpc_uuid: acc.vpcs[0]?.id ?? rng.uuid(),
      ipv4: ipv4(rng, 68),
      endpoint: `https://${id}.k8s.ondigitalocean.com`,
      tags: ['k8s', `k8s:${id}`],
      node_pools: [
        {
          id: rng.uuid(),
          name: 'default-pool',
          size: 's-1vcpu-2gb',
          count: 3,
          tags: ['k8s', `k8s:${id}`, 'k8s:worker'],
          labels: null,
          taints: [],
          auto_scale: false,
          min_nodes: 0,
          max_nodes: 0,
          nodes,
        },
      ],
      maintenance_policy: { start_time: '00:00', duration: '4h0m0s', day: 'any' },
      auto_upgrade: false,
      status: { state: 'running', message: '' },
      created_at: iso(now - 60 * 86_400_000),
      updated_at: iso(now - 5 * 86_400_000),
      surge_upgrade: true,
      registry_enabled: false,
      ha: false,
    });
  }

  for (let i = 0; i < size.apps; i++) {
    const name = `app-${WORDS[i % WORDS.length]}-${i + 1}`;
    const depId = rng.uuid();
    const spec = {
      name,
      services: [{ name, instance_size_slug: 'apps-s-1vcpu-0.5gb', instance_count: 1, http_port: 8080, routes: [{ path: '/' }] }],
      region: 'fra',
    };
    const phase = rng.chance(0.85) ? 'ACTIVE' : rng.pick(['DEPLOYING', 'ERROR']);
    acc.apps.push({
      id: rng.uuid(),
      owner_uuid: team.ownerUuid,
      spec,
      default_ingress: `https://${name}-${rng.hex(5)}.ondigitalocean.app`,
      created_at: iso(now - 100 * 86_400_000),
      updated_at: iso(now - 2 * 86_400_000),
      active_deployment: {
        id: depId,
        spec,
        services: [{ name, source_commit_hash: rng.hex(40) }],
        phase_last_updated_at: iso(now - 2 * 86_400_000),
        created_at: iso(now - 2 * 86_400_000),
        updated_at: iso(now - 2 * 86_400_000),
        cause: 'app spec updated',
        phase,
        tier_slug: 'basic',
      },
      last_deployment_created_at: iso(now - 2 * 86_400_000),
      live_url: `https://${name}.${team.domain}`,
      region: { slug: 'fra', label: 'Frankfurt', flag: 'germany', continent: 'Europe', data_centers: ['fra1'] },
      tier_slug: rng.pick(['basic', 'professional']),
      live_url_base: `https://${name}.${team.domain}`,
      live_domain: `${name}.${team.domain}`,
    });
  }

  for (let i = 0; i < size.spacesBuckets; i++) {
    acc.spacesBuckets.push({ name: `${team.bucketPrefix}bucket-${WORDS[i % WORDS.length]}-${i + 1}`, region: rng.pick(['nyc3', 'ams3', 'fra1', 'sgp1']) });
  }

  for (let i = 0; i < size.cdnEndpoints; i++) {
    const bucket = acc.spacesBuckets[i % Math.max(1, acc.spacesBuckets.length)] ?? { name: `static-${i}`, region: 'nyc3' };
    acc.cdnEndpoints.push({
      id: rng.uuid(),
      origin: `${bucket.name}.${bucket.region}.digitaloceanspaces.com`,
      endpoint: `${bucket.name}.${bucket.region}.cdn.digitaloceanspaces.com`,
      created_at: iso(now - rng.int(10, 500) * 86_400_000),
      ttl: 3600,
      ...(i % 2 === 0 ? { certificate_id: rng.uuid(), custom_domain: `static${i}.${team.domain}` } : {}),
    });
  }

  // Project membership, in DO's URN forms.
  for (const d of acc.droplets) assign(acc, 'droplet', d, placeIn());
  for (const d of acc.gpuDroplets) assign(acc, 'droplet', d, placeIn());
  for (const d of acc.domains) assign(acc, 'dns_zone', d, placeIn());
  for (const v of acc.volumes) assign(acc, 'volume', v, placeIn());
  acc.reservedIps.forEach((ip, i) => {
    const pid = placeIn();
    ip.project_id = pid;
    if (i < 2 && pid !== null) {
      // DO lists reserved IPs as do:floatingip:, but a couple of accounts show do:reservedip:.
      acc.membership.set(`do:reservedip:${ip.ip}`, { projectId: pid, assignedAt: iso(now - 86_400_000), selfPath: `/v2/reserved_ips/${ip.ip}` });
    } else {
      assign(acc, 'floating_ip', ip, pid);
    }
  });
  for (const lb of acc.loadBalancers) assign(acc, 'load_balancer', lb, placeIn());
  for (const db of acc.databases) {
    const pid = placeIn();
    db.project_id = pid;
    assign(acc, 'managed_db', db, pid);
  }
  for (const k of acc.kubernetes) assign(acc, 'k8s_cluster', k, placeIn());
  for (const a of acc.apps) assign(acc, 'app', a, placeIn());
  for (const b of acc.spacesBuckets) assign(acc, 'spaces_bucket', b, placeIn());
  for (const s of acc.snapshots) if (s.resource_type === 'volume' && rng.chance(0.5)) assign(acc, 'snapshot', s, placeIn());
  acc.membership.set(`do:partner_attachment:${rng.uuid()}`, { projectId: projectIds[0]!, assignedAt: iso(now - 10 * 86_400_000), selfPath: null });

  // Droplets destroyed before any sync: only invoices remember them.
  for (let i = 0; i < 3; i++) {
    const size0 = rng.pick(DROPLET_SIZES);
    acc.destroyedDroplets.push({
      id: 200_000_000 + team.idOffset + rng.int(0, 9_999_999),
      name: `legacy-${rng.pick(ROLES)}-${i + 1}`,
      sizeSlug: size0.slug,
      priceCents: size0.priceCents,
      uuid: rng.uuid(),
    });
  }
  return acc;
}
