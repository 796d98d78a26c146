/**
 * Zod schemas of DigitalOcean's inventory and project responses, as DO really sends them
 * (see shared/do-api/REFERENCE.md §2–§3, and DigitalOcean's OpenAPI schemas, which make most
 * fields optional). Every object is loose: unknown fields pass through. Only what the product
 * reads is validated, and only what a row cannot do without is required: the item's key, its
 * name, and for backups and snapshots what they were taken of. Everything else the product
 * reads may be absent or null (stored as null) but must have the right type when present.
 * Fields the product does not read are not checked at all. Ids that DO sends as integers in
 * one endpoint and strings in another come out as strings.
 */
import { z } from 'zod';

/** An id DO sends as an integer or a string; always a string after parsing. */
export const ZDoId = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));

/** Region object (droplets, volumes, IPs, load balancers). Use `.slug`. */
export const ZDoRegion = z.looseObject({ slug: z.string(), name: z.string().optional() });
export type TDoRegion = z.infer<typeof ZDoRegion>;

const ZTags = z.array(z.string()).nullish();
const ZIdList = z.array(ZDoId).nullish();
const ZText = z.string().nullish();
const ZNumber = z.number().nullish();

export const ZDoDroplet = z.looseObject({
  id: ZDoId,
  name: z.string(),
  status: ZText,
  size_slug: ZText,
  region: ZDoRegion.nullish(),
  created_at: ZText,
  memory: ZNumber,
  vcpus: ZNumber,
  disk: ZNumber,
  tags: ZTags,
  backup_ids: ZIdList,
  snapshot_ids: ZIdList,
  volume_ids: z.array(z.string()).nullish(),
  vpc_uuid: ZText,
  networks: z
    .looseObject({
      v4: z.array(z.looseObject({ ip_address: z.string(), type: z.string() })).nullish(),
    })
    .nullish(),
});
export type TDoDroplet = z.infer<typeof ZDoDroplet>;

/**
 * An image: `/v2/images`, `/v2/droplets/{id}/backups`, `/v2/droplets/{id}/snapshots` (integer ids).
 * DO's schema requires none of its fields; `type` is absent on some private images.
 */
export const ZDoImage = z.looseObject({
  id: ZDoId,
  name: z.string(),
  type: ZText,
  regions: z.array(z.string()).nullish(),
  created_at: ZText,
  size_gigabytes: ZNumber,
  min_disk_size: ZNumber,
  status: ZText,
});
export type TDoImage = z.infer<typeof ZDoImage>;
/** Droplet backups are images with `type: "backup"`. */
export const ZDoBackup = ZDoImage;
export type TDoBackup = TDoImage;

/** `/v2/snapshots` and `/v2/volumes/{id}/snapshots` (string ids, uuid for volume snapshots). */
export const ZDoSnapshot = z.looseObject({
  id: ZDoId,
  name: z.string(),
  resource_id: ZDoId,
  resource_type: z.string(),
  regions: z.array(z.string()).nullish(),
  created_at: ZText,
  size_gigabytes: ZNumber,
  min_disk_size: ZNumber,
  tags: ZTags,
});
export type TDoSnapshot = z.infer<typeof ZDoSnapshot>;

export const ZDoVolume = z.looseObject({
  id: z.string(),
  name: z.string(),
  region: ZDoRegion.nullish(),
  size_gigabytes: ZNumber,
  created_at: ZText,
  droplet_ids: ZIdList,
  description: ZText,
  filesystem_type: ZText,
  tags: ZTags,
});
export type TDoVolume = z.infer<typeof ZDoVolume>;

export const ZDoDomain = z.looseObject({
  name: z.string(),
  ttl: ZNumber,
});
export type TDoDomain = z.infer<typeof ZDoDomain>;

/** `/v2/reserved_ips` and `/v2/floating_ips` (identical shapes). `droplet` may be null or absent (unassigned). */
export const ZDoReservedIp = z.looseObject({
  ip: z.string(),
  region: ZDoRegion.nullish(),
  droplet: z.looseObject({ id: ZDoId, name: z.string().nullish() }).nullish(),
  locked: z.boolean().nullish(),
  project_id: ZText,
});
export type TDoReservedIp = z.infer<typeof ZDoReservedIp>;
export const ZDoFloatingIp = ZDoReservedIp;
export type TDoFloatingIp = TDoReservedIp;

export const ZDoFirewall = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: ZText,
  created_at: ZText,
  inbound_rules: z.array(z.looseObject({})).nullish(),
  outbound_rules: z.array(z.looseObject({})).nullish(),
  droplet_ids: ZIdList,
  tags: ZTags,
});
export type TDoFirewall = z.infer<typeof ZDoFirewall>;

export const ZDoLoadBalancer = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: ZText,
  created_at: ZText,
  // Global load balancers have no region.
  region: ZDoRegion.nullish(),
  ip: ZText,
  algorithm: ZText,
  size: ZText,
  size_unit: ZNumber,
  forwarding_rules: z.array(z.looseObject({})).nullish(),
  droplet_ids: ZIdList,
  tag: ZText,
  vpc_uuid: ZText,
});
export type TDoLoadBalancer = z.infer<typeof ZDoLoadBalancer>;

const DB_SECRET_FIELDS = ['connection', 'private_connection', 'standby_connection', 'standby_private_connection', 'users'];

/**
 * `/v2/databases`. The listing embeds credentials (`connection.password`, `users[].password`):
 * they are removed here, at the boundary, so that nothing downstream can store or log them.
 */
export const ZDoDatabase = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    engine: ZText,
    status: ZText,
    region: ZText,
    size: ZText,
    num_nodes: z.number().int().nullish(),
    created_at: ZText,
    version: ZText,
    tags: ZTags,
    private_network_uuid: ZText,
    storage_size_mib: ZNumber,
  })
  .transform((db) => {
    const safe: Record<string, unknown> = { ...db };
    for (const f of DB_SECRET_FIELDS) delete safe[f];
    return safe as typeof db;
  });
export type TDoDatabase = z.infer<typeof ZDoDatabase>;

/** Nodes are not read (a provisioning node has `droplet_id: ""`), so not checked. */
export const ZDoKubernetesCluster = z.looseObject({
  id: z.string(),
  name: z.string(),
  region: ZText,
  version: ZText,
  status: z.looseObject({ state: ZText }).nullish(),
  created_at: ZText,
  node_pools: z.array(z.looseObject({ name: ZText, size: ZText, count: z.number().int().nullish() })).nullish(),
  vpc_uuid: ZText,
  tags: ZTags,
});
export type TDoKubernetesCluster = z.infer<typeof ZDoKubernetesCluster>;

export const ZDoApp = z.looseObject({
  id: z.string(),
  spec: z.looseObject({ name: z.string() }),
  created_at: ZText,
  // A freshly created app has no deployment yet; OA's example puts `phase` at app level instead.
  active_deployment: z.looseObject({ id: ZText, phase: ZText }).nullish(),
  phase: ZText,
  region: z.looseObject({ slug: ZText }).nullish(),
  tier_slug: ZText,
  live_url: ZText,
});
export type TDoApp = z.infer<typeof ZDoApp>;

/** CDN endpoints have no name: the endpoint's hostname is its name. */
export const ZDoCdnEndpoint = z.looseObject({
  id: z.string(),
  endpoint: z.string(),
  origin: ZText,
  created_at: ZText,
  ttl: ZNumber,
  custom_domain: ZText,
  certificate_id: ZText,
});
export type TDoCdnEndpoint = z.infer<typeof ZDoCdnEndpoint>;

export const ZDoVpc = z.looseObject({
  id: z.string(),
  name: z.string(),
  region: ZText,
  ip_range: ZText,
  created_at: ZText,
  description: ZText,
  default: z.boolean().nullish(),
});
export type TDoVpc = z.infer<typeof ZDoVpc>;

export const ZDoProject = z.looseObject({
  id: z.string(),
  name: z.string(),
  is_default: z.boolean().nullish(),
  description: ZText,
  purpose: ZText,
  environment: ZText,
  created_at: ZText,
  updated_at: ZText,
});
export type TDoProject = z.infer<typeof ZDoProject>;

/** A project resource. `urn` is `do:<type>:<id>`; unknown types are kept as they are. */
export const ZDoProjectResource = z.looseObject({
  urn: z.string().regex(/^do:[a-z0-9_]+:.+$/i, 'expected do:<type>:<id>'),
  // godo's tests show "2018-09-27 00:00:00": not ISO, so kept as a string.
  assigned_at: z.string().nullish(),
  links: z.looseObject({ self: z.string().optional() }).nullish(),
  status: z.string().nullish(),
});
export type TDoProjectResource = z.infer<typeof ZDoProjectResource>;

/** `links` as DO sends it: absent, `{}`, `{"pages":{}}` or with pages. Only `next` matters. */
export const ZDoLinks = z
  .looseObject({
    pages: z
      .looseObject({
        next: z.string().nullish(),
        last: z.string().nullish(),
      })
      .nullish(),
  })
  .nullish();
export const ZDoMeta = z.looseObject({ total: z.number().nullish() }).nullish();

/** DO's error body (`shared/models/error.yml`). */
export const ZDoErrorBody = z.looseObject({
  id: z.string(),
  message: z.string().optional(),
  request_id: z.string().nullish(),
});
export type TDoErrorBody = z.infer<typeof ZDoErrorBody>;

/** A list endpoint: where it lives, the key of its collection, its item schema. */
export type TDoListEndpoint = {
  path: string;
  envelope: string;
  item: z.ZodType<unknown>;
  query?: Record<string, string>;
  /** False for endpoints that return everything at once (`/v2/databases`). Default true. */
  paginated?: boolean;
};

/** The list endpoints of the inventory and project sync (per-resource paths use `{id}`). */
export const DO_LIST_ENDPOINTS = {
  droplets: { path: '/v2/droplets', envelope: 'droplets', item: ZDoDroplet },
  gpuDroplets: { path: '/v2/droplets', envelope: 'droplets', item: ZDoDroplet, query: { type: 'gpus' } },
  privateImages: { path: '/v2/images', envelope: 'images', item: ZDoImage, query: { private: 'true' } },
  dropletBackups: { path: '/v2/droplets/{id}/backups', envelope: 'backups', item: ZDoImage },
  dropletSnapshots: { path: '/v2/droplets/{id}/snapshots', envelope: 'snapshots', item: ZDoImage },
  snapshots: { path: '/v2/snapshots', envelope: 'snapshots', item: ZDoSnapshot },
  volumeSnapshots: { path: '/v2/volumes/{id}/snapshots', envelope: 'snapshots', item: ZDoSnapshot },
  volumes: { path: '/v2/volumes', envelope: 'volumes', item: ZDoVolume },
  domains: { path: '/v2/domains', envelope: 'domains', item: ZDoDomain },
  reservedIps: { path: '/v2/reserved_ips', envelope: 'reserved_ips', item: ZDoReservedIp },
  floatingIps: { path: '/v2/floating_ips', envelope: 'floating_ips', item: ZDoFloatingIp },
  firewalls: { path: '/v2/firewalls', envelope: 'firewalls', item: ZDoFirewall },
  loadBalancers: { path: '/v2/load_balancers', envelope: 'load_balancers', item: ZDoLoadBalancer },
  databases: { path: '/v2/databases', envelope: 'databases', item: ZDoDatabase, paginated: false },
  kubernetes: { path: '/v2/kubernetes/clusters', envelope: 'kubernetes_clusters', item: ZDoKubernetesCluster },
  apps: { path: '/v2/apps', envelope: 'apps', item: ZDoApp },
  cdnEndpoints: { path: '/v2/cdn/endpoints', envelope: 'endpoints', item: ZDoCdnEndpoint },
  vpcs: { path: '/v2/vpcs', envelope: 'vpcs', item: ZDoVpc },
  projects: { path: '/v2/projects', envelope: 'projects', item: ZDoProject },
  projectResources: { path: '/v2/projects/{id}/resources', envelope: 'resources', item: ZDoProjectResource },
  defaultProjectResources: { path: '/v2/projects/default/resources', envelope: 'resources', item: ZDoProjectResource },
} as const satisfies Record<string, TDoListEndpoint>;
