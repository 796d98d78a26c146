import { ZDoSnapshot, type TDoSnapshot } from '../../digitalocean/schemas/compute.js';
import { parseDoDate, type KindSpec } from './types.js';

/** Droplet and volume snapshots from `/v2/snapshots`; `attrs.resource_type` tells them apart. */
export const snapshotKind: KindSpec<TDoSnapshot> = {
  kind: 'snapshot',
  worker: 'SNAPSHOTS',
  listings: [{ path: '/v2/snapshots', envelope: 'snapshots', item: ZDoSnapshot }],
  normalize: (s) => ({
    providerId: s.id,
    name: s.name,
    status: null,
    region: s.regions?.[0] ?? null,
    providerCreatedAt: parseDoDate(s.created_at),
    parentUrn: s.resource_type === 'volume' ? `do:volume:${s.resource_id}` : `do:droplet:${s.resource_id}`,
    attrs: {
      resource_type: s.resource_type,
      resource_id: s.resource_id,
      size_gigabytes: s.size_gigabytes ?? null,
      min_disk_size: s.min_disk_size ?? null,
      regions: s.regions ?? [],
      tags: s.tags ?? [],
    },
  }),
};
