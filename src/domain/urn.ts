import type { ResourceKind } from './kinds.js';

/**
 * URN types DigitalOcean emits (and aliases of them), normalised to our kinds. Both
 * `floatingip` and `reservedip` name the same IP; droplet snapshots appear as `image`.
 */
export const URN_TYPE_KINDS: Readonly<Record<string, ResourceKind>> = {
  droplet: 'droplet',
  domain: 'dns_zone',
  space: 'spaces_bucket',
  floatingip: 'floating_ip',
  reservedip: 'floating_ip',
  loadbalancer: 'load_balancer',
  dbaas: 'managed_db',
  kubernetes: 'k8s_cluster',
  volumesnapshot: 'snapshot',
  image: 'snapshot',
  volume: 'volume',
  app: 'app',
  vpc: 'vpc',
  firewall: 'firewall',
  droplet_backup: 'droplet_backup',
  cdn_endpoint: 'cdn_endpoint',
};

/** The URN type each kind is written with (DigitalOcean's own form, or our kind name). */
const CANONICAL_TYPE: Record<ResourceKind, string> = {
  droplet: 'droplet',
  droplet_backup: 'droplet_backup',
  snapshot: 'image',
  volume: 'volume',
  dns_zone: 'domain',
  floating_ip: 'floatingip',
  firewall: 'firewall',
  load_balancer: 'loadbalancer',
  spaces_bucket: 'space',
  managed_db: 'dbaas',
  k8s_cluster: 'kubernetes',
  app: 'app',
  cdn_endpoint: 'cdn_endpoint',
  vpc: 'vpc',
};

/** A parsed URN; `kind` is null for types we do not inventory (kept, never dropped). */
export type ParsedUrn = { type: string; providerId: string; kind: ResourceKind | null };

/** Parses `do:<type>:<id>`; returns null for anything that is not a DigitalOcean URN. */
export function parseUrn(urn: string): ParsedUrn | null {
  const match = /^do:([A-Za-z0-9_]+):(.+)$/.exec(urn.trim());
  if (!match) return null;
  const type = match[1]!.toLowerCase();
  return { type, providerId: match[2]!, kind: URN_TYPE_KINDS[type] ?? null };
}

/** The canonical URN of a resource; volume snapshots are `do:volumesnapshot:<uuid>`. */
export function canonicalUrn(kind: ResourceKind, providerId: string, attrs?: { resource_type?: unknown }): string {
  const type = kind === 'snapshot' && attrs?.resource_type === 'volume' ? 'volumesnapshot' : CANONICAL_TYPE[kind];
  return `do:${type}:${providerId}`;
}
