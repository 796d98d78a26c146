import { ZDoFirewall, type TDoFirewall } from '../../digitalocean/schemas/networking.js';
import { lower, parseDoDate, type KindSpec } from './types.js';

export const firewallKind: KindSpec<TDoFirewall> = {
  kind: 'firewall',
  worker: 'FIREWALLS',
  listings: [{ path: '/v2/firewalls', envelope: 'firewalls', item: ZDoFirewall }],
  normalize: (f) => ({
    providerId: f.id,
    name: f.name,
    status: lower(f.status),
    region: null,
    providerCreatedAt: parseDoDate(f.created_at),
    attrs: {
      inbound_rules: f.inbound_rules ?? [],
      outbound_rules: f.outbound_rules ?? [],
      droplet_ids: f.droplet_ids ?? [],
      tags: f.tags ?? [],
    },
  }),
};
