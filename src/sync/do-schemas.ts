/**
 * Zod schemas of DigitalOcean's inventory and project responses, as DO really sends them
 * (see shared/do-api/REFERENCE.md §2–§3). Every object is loose: unknown fields pass through.
 * Required fields are the ones the inventory needs; a missing one fails the listing. Ids that DO
 * sends as integers in one endpoint and strings in another come out as strings.
 */
import { z } from 'zod';

/** An id DO sends as an integer or a string; always a string after parsing. */
export const ZDoId = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));

/** Region object (droplets, volumes, IPs, load balancers). Use `.slug`. */
export const ZDoRegion = z.looseObject({ slug: z.string(), name: z.string().optional() });
export type TDoRegion = z.infer<typeof ZDoRegion>;

const ZTags = z.array(z.string()).nullish();
const ZIdList = z.array(ZDoId).nullish();

export const ZDoDroplet = z.looseObject({
  id: ZDoId,
  name: z.string(),
  status: z.string(),
  size_slug: z.string(),
  region: ZDoRegion,
  created_at: z.string(),
  memory: z.number().optional(),
  vcpus: z.number().optional(),
  disk: z.number().optional(),
  locked: z.boolean().optional(),
  tags: ZTags,
  backup_ids: ZIdList,
  snapshot_ids: ZIdList,
  volume_ids: z.array(z.string()).nullish(),
  vpc_uuid: z.string().nullish(),
  networks: z
    .looseObject({
      v4: z.array(z.looseObject({ ip_address: z.string(), type: z.string() })).optional(),
      v6: z.array(z.looseObject({ ip_address: z.string(), type: z.string() })).optional(),
    })
    .optional(),
});
export type TDoDroplet = z.infer<typeof ZDoDroplet>;

/** An image: `/v2/images`, `/v2/droplets/{id}/backups`, `/v2/droplets/{id}/snapshots` (integer ids). */
export const ZDoImage = z.looseObject({
  id: ZDoId,
  name: z.string(),
  type: z.string(),
  regions: z.array(z.string()),
  created_at: z.string(),
  size_gigabytes: z.number().nullish(),
  min_disk_size: z.number().nullish(),
  distribution: z.string().nullish(),
  slug: z.string().nullish(),
  public: z.boolean().optional(),
  status: z.string().optional(),
  tags: ZTags,
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
  regions: z.array(z.string()),
  created_at: z.string(),
  size_gigabytes: z.number(),
  min_disk_size: z.number().nullish(),
  tags: ZTags,
});
export type TDoSnapshot = z.infer<typeof ZDoSnapshot>;

export const ZDoVolume = z.looseObject({
  id: z.string(),
  name: z.string(),
  region: ZDoRegion,
  size_gigabytes: z.number(),
  created_at: z.string(),
  droplet_ids: ZIdList,
  description: z.string().nullish(),
  filesystem_type: z.string().nullish(),
  filesystem_label: z.string().nullish(),
  tags: ZTags,
});
export type TDoVolume = z.infer<typeof ZDoVolume>;

export const ZDoDomain = z.looseObject({
  name: z.string(),
  ttl: z.number().nullish(),
  zone_file: z.string().nullish(),
});
export type TDoDomain = z.infer<typeof ZDoDomain>;

/** `/v2/reserved_ips` and `/v2/floating_ips` (identical shapes). */
export const ZDoReservedIp = z.looseObject({
  ip: z.string(),
  region: ZDoRegion,
  droplet: z.looseObject({ id: ZDoId, name: z.string().optional() }).nullable(),
  locked: z.boolean().optional(),
  project_id: z.string().nullish(),
});
export type TDoReservedIp = z.infer<typeof ZDoReservedIp>;
export const ZDoFloatingIp = ZDoReservedIp;
export type TDoFloatingIp = TDoReservedIp;

export const ZDoFirewall = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  created_at: z.string(),
  inbound_rules: z.array(z.looseObject({})).nullish(),
  outbound_rules: z.array(z.looseObject({})).nullish(),
  droplet_ids: ZIdList,
  tags: ZTags,
});
export type TDoFirewall = z.infer<typeof ZDoFirewall>;

export const ZDoLoadBalancer = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  created_at: z.string(),
  // Global load balancers have no region.
  region: ZDoRegion.nullish(),
  ip: z.string().nullish(),
  algorithm: z.string().nullish(),
  size: z.string().nullish(),
  size_unit: z.number().nullish(),
  forwarding_rules: z.array(z.looseObject({})),
  droplet_ids: ZIdList,
  tag: z.string().nullish(),
  vpc_uuid: z.string().nullish(),
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
    engine: z.string(),
    status: z.string(),
    region: z.string(),
    size: z.string(),
    num_nodes: z.number().int(),
    created_at: z.string(),
    version: z.string().nullish(),
    tags: ZTags,
    project_id: z.string().nullish(),
    private_network_uuid: z.string().nullish(),
    storage_size_mib: z.number().nullish(),
  })
  .transform((db) => {
    const safe: Record<string, unknown> = { ...db };
    for (const f of DB_SECRET_FIELDS) delete safe[f];
    return safe as typeof db;
  });
export type TDoDatabase = z.infer<typeof ZDoDatabase>;

export const ZDoKubernetesCluster = z.looseObject({
  id: z.string(),
  name: z.string(),
  region: z.string(),
  version: z.string(),
  status: z.looseObject({ state: z.string(), message: z.string().nullish() }),
  created_at: z.string(),
  updated_at: z.string().nullish(),
  node_pools: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      size: z.string(),
      count: z.number().int(),
      nodes: z.array(z.looseObject({ id: z.string(), name: z.string(), droplet_id: ZDoId.nullish() })).nullish(),
    }),
  ),
  vpc_uuid: z.string().nullish(),
  tags: ZTags,
});
export type TDoKubernetesCluster = z.infer<typeof ZDoKubernetesCluster>;

export const ZDoApp = z.looseObject({
  id: z.string(),
  spec: z.looseObject({ name: z.string() }),
  created_at: z.string(),
  updated_at: z.string().nullish(),
  // A freshly created app has no deployment yet; OA's example puts `phase` at app level instead.
  active_deployment: z.looseObject({ id: z.string(), phase: z.string().nullish() }).nullish(),
  phase: z.string().nullish(),
  region: z.looseObject({ slug: z.string() }).nullish(),
  tier_slug: z.string().nullish(),
  project_id: z.string().nullish(),
  live_url: z.string().nullish(),
});
export type TDoApp = z.infer<typeof ZDoApp>;

export const ZDoCdnEndpoint = z.looseObject({
  id: z.string(),
  origin: z.string(),
  endpoint: z.string(),
  created_at: z.string(),
  ttl: z.number().nullish(),
  custom_domain: z.string().nullish(),
  certificate_id: z.string().nullish(),
});
export type TDoCdnEndpoint = z.infer<typeof ZDoCdnEndpoint>;

export const ZDoVpc = z.looseObject({
  id: z.string(),
  name: z.string(),
  region: z.string(),
  ip_range: z.string(),
  created_at: z.string(),
  urn: z.string().nullish(),
  description: z.string().nullish(),
  default: z.boolean().optional(),
});
export type TDoVpc = z.infer<typeof ZDoVpc>;

export const ZDoProject = z.looseObject({
  id: z.string(),
  name: z.string(),
  is_default: z.boolean(),
  description: z.string().nullish(),
  purpose: z.string().nullish(),
  environment: z.string().nullish(),
  owner_uuid: z.string().nullish(),
  owner_id: ZDoId.nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
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
