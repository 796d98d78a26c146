import { ZDoDomain, type TDoDomain } from '../../digitalocean/schemas/networking.js';
import type { KindSpec } from './types.js';

/** Domains: the name is the id; the zone file is not kept (it changes with every record). */
export const dnsZoneKind: KindSpec<TDoDomain> = {
  kind: 'dns_zone',
  worker: 'DOMAINS',
  listings: [{ path: '/v2/domains', envelope: 'domains', item: ZDoDomain, idField: 'name' }],
  normalize: (d) => ({
    providerId: d.name,
    name: d.name,
    status: null,
    region: null,
    providerCreatedAt: null,
    attrs: { ttl: d.ttl ?? null },
  }),
};
