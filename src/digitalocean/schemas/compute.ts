/** Droplets, their images (backups and snapshots) and volumes, as DigitalOcean sends them (rules in `common.ts`). */
import { z } from 'zod';
import { ZDoId, ZDoRegion, ZIdList, ZNumber, ZTags, ZText } from './common.js';

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
