import { ZDoDroplet, type TDoDroplet } from '../../digitalocean/schemas/compute.js';
import { lower, parseDoDate, type KindSpec } from './types.js';

const listing = { path: '/v2/droplets', envelope: 'droplets', item: ZDoDroplet };

/** Droplets; GPU droplets are listed only with `type=gpus`, so both listings make the inventory. */
export const dropletKind: KindSpec<TDoDroplet> = {
  kind: 'droplet',
  worker: 'DROPLETS',
  listings: [listing, { ...listing, query: { type: 'gpus' } }],
  normalize: (d) => ({
    providerId: d.id,
    name: d.name,
    status: lower(d.status),
    region: d.region?.slug ?? null,
    providerCreatedAt: parseDoDate(d.created_at),
    attrs: {
      size_slug: d.size_slug ?? null,
      memory: d.memory ?? null,
      vcpus: d.vcpus ?? null,
      disk: d.disk ?? null,
      tags: d.tags ?? [],
      backup_ids: d.backup_ids ?? [],
      snapshot_ids: d.snapshot_ids ?? [],
      volume_ids: d.volume_ids ?? [],
      vpc_uuid: d.vpc_uuid ?? null,
      public_ipv4: d.networks?.v4?.find((n) => n.type === 'public')?.ip_address ?? null,
      private_ipv4: d.networks?.v4?.find((n) => n.type === 'private')?.ip_address ?? null,
      gpu: Boolean((d as { gpu_info?: unknown }).gpu_info),
    },
  }),
};
