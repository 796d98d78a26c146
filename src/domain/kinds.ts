import type * as Db from '../generated/prisma/enums.js';
import { dbEnum, type Described } from './list.js';

/** Resource kinds as stored (lower case); the GraphQL enum is their upper-case form. */
export const RESOURCE_KINDS = dbEnum<Db.ResourceKind>()([
  'droplet',
  'droplet_backup',
  'snapshot',
  'volume',
  'dns_zone',
  'floating_ip',
  'firewall',
  'load_balancer',
  'spaces_bucket',
  'managed_db',
  'k8s_cluster',
  'app',
  'cdn_endpoint',
  'vpc',
]);

export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** What the GraphQL `ResourceKind` says of each kind (its value is the kind in upper case). */
export const RESOURCE_KIND_DESCRIPTIONS = {
  droplet: { description: 'A Droplet (virtual machine); urn do:droplet:<id>.' },
  droplet_backup: { description: "An automatic backup image of a Droplet; its tenant is its Droplet's." },
  snapshot: { description: "A Droplet or volume snapshot; its tenant is its parent's." },
  volume: { description: 'A block storage volume.' },
  dns_zone: { description: 'A DNS domain (zone) managed by DigitalOcean; urn do:domain:<name>.' },
  floating_ip: { description: 'A reserved (formerly floating) IP; urn do:floatingip:<ip> (do:reservedip: finds it too).' },
  firewall: { description: 'A cloud firewall.' },
  load_balancer: { description: 'A load balancer.' },
  spaces_bucket: { description: 'A Spaces (object storage) bucket, known from project resources.' },
  managed_db: { description: 'A managed database cluster.' },
  k8s_cluster: { description: 'A Kubernetes (DOKS) cluster.' },
  app: { description: 'An App Platform app.' },
  cdn_endpoint: { description: 'A Spaces CDN endpoint.' },
  vpc: { description: 'A VPC network.' },
} as const satisfies Record<ResourceKind, Described>;

export function isResourceKind(value: string): value is ResourceKind {
  return (RESOURCE_KINDS as readonly string[]).includes(value);
}
