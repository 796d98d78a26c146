import { ZDoImage, type TDoImage } from '../../digitalocean/schemas/compute.js';
import { lower, parseDoDate, type KindSpec } from './types.js';

/**
 * Droplet backups from `/v2/images?private=true` (type "backup"): pages of 200 images, so
 * the cost does not grow with the number of droplets (the per-droplet backups endpoint
 * would cost one request per droplet). The parent comes from the droplets' `backup_ids`.
 */
export const dropletBackupKind: KindSpec<TDoImage> = {
  kind: 'droplet_backup',
  worker: 'BACKUPS',
  // Only backups are validated and kept: custom images and snapshots (some without `type`) are not this kind's.
  listings: [{ path: '/v2/images', envelope: 'images', item: ZDoImage, query: { private: 'true' }, keep: (raw) => raw.type === 'backup' }],
  lookup: 'dropletsByBackupId',
  normalize: (image, lookup) => {
    const parent = lookup.dropletsByBackupId?.get(image.id) ?? null;
    return {
      providerId: image.id,
      name: image.name,
      status: lower(image.status),
      region: image.regions?.[0] ?? null,
      providerCreatedAt: parseDoDate(image.created_at),
      parentUrn: parent ? `do:droplet:${parent.id}` : null,
      attrs: {
        droplet_id: parent?.id ?? null,
        droplet_name: parent?.name ?? null,
        size_gigabytes: image.size_gigabytes ?? null,
        min_disk_size: image.min_disk_size ?? null,
        regions: image.regions ?? [],
      },
    };
  },
};
