import { ZDoReservedIp, type TDoReservedIp } from '../../digitalocean/schemas/networking.js';
import type { KindSpec } from './types.js';

/** Reserved IPs (formerly floating IPs): `/v2/reserved_ips`, `/v2/floating_ips` where that 404s. */
export const floatingIpKind: KindSpec<TDoReservedIp> = {
  kind: 'floating_ip',
  worker: 'FLOATING_IPS',
  listings: [
    {
      path: '/v2/reserved_ips',
      envelope: 'reserved_ips',
      item: ZDoReservedIp,
      idField: 'ip',
      fallback: { path: '/v2/floating_ips', envelope: 'floating_ips', item: ZDoReservedIp, idField: 'ip' },
    },
  ],
  normalize: (ip) => ({
    providerId: ip.ip,
    name: ip.ip,
    status: ip.droplet ? 'assigned' : 'unassigned',
    region: ip.region?.slug ?? null,
    providerCreatedAt: null,
    attrs: {
      droplet_id: ip.droplet?.id ?? null,
      droplet_name: ip.droplet?.name ?? null,
      locked: ip.locked ?? false,
      project_id: ip.project_id ?? null,
    },
  }),
};
