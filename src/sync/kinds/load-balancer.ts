import { ZDoLoadBalancer, type TDoLoadBalancer } from '../../digitalocean/schemas/networking.js';
import { lower, parseDoDate, type KindSpec } from './types.js';

export const loadBalancerKind: KindSpec<TDoLoadBalancer> = {
  kind: 'load_balancer',
  worker: 'LOAD_BALANCERS',
  listings: [{ path: '/v2/load_balancers', envelope: 'load_balancers', item: ZDoLoadBalancer }],
  normalize: (lb) => ({
    providerId: lb.id,
    name: lb.name,
    status: lower(lb.status),
    region: lb.region?.slug ?? null,
    providerCreatedAt: parseDoDate(lb.created_at),
    attrs: {
      algorithm: lb.algorithm ?? null,
      forwarding_rules: lb.forwarding_rules ?? [],
      ip: lb.ip ?? null,
      size: lb.size ?? null,
      size_unit: lb.size_unit ?? null,
      droplet_ids: lb.droplet_ids ?? [],
      tag: lb.tag ?? null,
      vpc_uuid: lb.vpc_uuid ?? null,
    },
  }),
};
