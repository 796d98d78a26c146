/** The list endpoints the inventory and project sync read, with the schema of their items. */
import type { z } from 'zod';
import { ZDoDroplet, ZDoImage, ZDoSnapshot, ZDoVolume } from './schemas/compute.js';
import { ZDoApp, ZDoDatabase, ZDoKubernetesCluster } from './schemas/managed.js';
import { ZDoCdnEndpoint, ZDoDomain, ZDoFirewall, ZDoFloatingIp, ZDoLoadBalancer, ZDoReservedIp, ZDoVpc } from './schemas/networking.js';
import { ZDoProject, ZDoProjectResource } from './schemas/projects.js';

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
