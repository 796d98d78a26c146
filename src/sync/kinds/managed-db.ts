import { ZDoDatabase, type TDoDatabase } from '../../digitalocean/schemas/managed.js';
import { lower, parseDoDate, type KindSpec } from './types.js';

/** Database clusters: one unpaginated body; credentials are stripped by ZDoDatabase. */
export const managedDbKind: KindSpec<TDoDatabase> = {
  kind: 'managed_db',
  worker: 'DATABASES',
  listings: [{ path: '/v2/databases', envelope: 'databases', item: ZDoDatabase, paginated: false }],
  normalize: (db) => ({
    providerId: db.id,
    name: db.name,
    status: lower(db.status),
    region: db.region ?? null,
    providerCreatedAt: parseDoDate(db.created_at),
    attrs: {
      engine: db.engine ?? null,
      version: db.version ?? null,
      size: db.size ?? null,
      num_nodes: db.num_nodes ?? null,
      storage_size_mib: db.storage_size_mib ?? null,
      private_network_uuid: db.private_network_uuid ?? null,
      tags: db.tags ?? [],
    },
  }),
};
