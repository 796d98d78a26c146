/** Domains, reserved/floating IPs, firewalls, load balancers, CDN endpoints and VPCs as DigitalOcean sends them. */
import { z } from 'zod';
import { ZDoId, ZDoRegion, ZIdList, ZNumber, ZTags, ZText } from './common.js';

export const ZDoDomain = z.looseObject({
  name: z.string(),
  ttl: ZNumber,
});
export type TDoDomain = z.infer<typeof ZDoDomain>;

/** `/v2/reserved_ips` and `/v2/floating_ips` (identical shapes). `droplet` may be null or absent (unassigned). */
export const ZDoReservedIp = z.looseObject({
  ip: z.string(),
  region: ZDoRegion.nullish(),
  droplet: z.looseObject({ id: ZDoId, name: z.string().nullish() }).nullish(),
  locked: z.boolean().nullish(),
  project_id: ZText,
});
export type TDoReservedIp = z.infer<typeof ZDoReservedIp>;
export const ZDoFloatingIp = ZDoReservedIp;
export type TDoFloatingIp = TDoReservedIp;

export const ZDoFirewall = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: ZText,
  created_at: ZText,
  inbound_rules: z.array(z.looseObject({})).nullish(),
  outbound_rules: z.array(z.looseObject({})).nullish(),
  droplet_ids: ZIdList,
  tags: ZTags,
});
export type TDoFirewall = z.infer<typeof ZDoFirewall>;

export const ZDoLoadBalancer = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: ZText,
  created_at: ZText,
  // Global load balancers have no region.
  region: ZDoRegion.nullish(),
  ip: ZText,
  algorithm: ZText,
  size: ZText,
  size_unit: ZNumber,
  forwarding_rules: z.array(z.looseObject({})).nullish(),
  droplet_ids: ZIdList,
  tag: ZText,
  vpc_uuid: ZText,
});
export type TDoLoadBalancer = z.infer<typeof ZDoLoadBalancer>;

/** CDN endpoints have no name: the endpoint's hostname is its name. */
export const ZDoCdnEndpoint = z.looseObject({
  id: z.string(),
  endpoint: z.string(),
  origin: ZText,
  created_at: ZText,
  ttl: ZNumber,
  custom_domain: ZText,
  certificate_id: ZText,
});
export type TDoCdnEndpoint = z.infer<typeof ZDoCdnEndpoint>;

export const ZDoVpc = z.looseObject({
  id: z.string(),
  name: z.string(),
  region: ZText,
  ip_range: ZText,
  created_at: ZText,
  description: ZText,
  default: z.boolean().nullish(),
});
export type TDoVpc = z.infer<typeof ZDoVpc>;
