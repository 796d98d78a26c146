import { ZDoVolume, type TDoVolume } from '../../digitalocean/schemas/compute.js';
import { parseDoDate, type KindSpec } from './types.js';

export const volumeKind: KindSpec<TDoVolume> = {
  kind: 'volume',
  worker: 'VOLUMES',
  listings: [{ path: '/v2/volumes', envelope: 'volumes', item: ZDoVolume }],
  normalize: (v) => ({
    providerId: v.id,
    name: v.name,
    status: v.droplet_ids && v.droplet_ids.length > 0 ? 'attached' : 'unattached',
    region: v.region?.slug ?? null,
    providerCreatedAt: parseDoDate(v.created_at),
    attrs: {
      size_gigabytes: v.size_gigabytes ?? null,
      droplet_ids: v.droplet_ids ?? [],
      filesystem_type: v.filesystem_type ?? null,
      description: v.description ?? null,
      tags: v.tags ?? [],
    },
  }),
};
