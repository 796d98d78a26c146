import { ZDoVpc, type TDoVpc } from '../../digitalocean/schemas/networking.js';
import { parseDoDate, type KindSpec } from './types.js';

export const vpcKind: KindSpec<TDoVpc> = {
  kind: 'vpc',
  worker: 'VPCS',
  listings: [{ path: '/v2/vpcs', envelope: 'vpcs', item: ZDoVpc }],
  normalize: (v) => ({
    providerId: v.id,
    name: v.name,
    status: null,
    region: v.region ?? null,
    providerCreatedAt: parseDoDate(v.created_at),
    attrs: { ip_range: v.ip_range ?? null, default: v.default ?? false, description: v.description ?? null },
  }),
};
