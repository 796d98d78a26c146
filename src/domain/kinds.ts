import type * as Db from '../generated/prisma/enums.js';
import { dbEnum } from './list.js';

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

export function isResourceKind(value: string): value is ResourceKind {
  return (RESOURCE_KINDS as readonly string[]).includes(value);
}
