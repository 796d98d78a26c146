import type { ResourceKind } from '../../domain/kinds.js';
import type { SyncWorkerName } from '../../domain/workers.js';
import type { TPagesSpec } from '../../digitalocean/client.js';

/** A resource in our model, as a kind's `normalize` produces it (DO's snake_case ends here). */
export type NormalizedResource = {
  providerId: string;
  name: string;
  /** Lower case, as DO reports it; null where the kind has none. */
  status: string | null;
  region: string | null;
  attrs: Record<string, unknown>;
  providerCreatedAt: Date | null;
  /** Canonical URN of the droplet or volume a backup or snapshot was taken of. */
  parentUrn?: string | null;
};

/** Read once per run, before normalising (e.g. which droplet holds which backup id). */
export type KindLookup = {
  /** Droplets by backup image id: the parent of each backup. */
  dropletsByBackupId?: Map<string, { id: string; name: string }>;
};

/**
 * One resource kind, as data. The runner owns pagination, validation, batching, stale
 * marking and events; a kind only says where its items are and how they map to a row.
 */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds specs of every item type; each spec is checked against its own schema.
export type KindSpec<T = any> = {
  kind: ResourceKind;
  worker: SyncWorkerName;
  /**
   * The listings that together make the kind's inventory; all must complete for the run to
   * count strikes. A listing with `fallback` is replaced by it when DigitalOcean answers 404.
   */
  listings: (TPagesSpec<T> & { fallback?: TPagesSpec<T> })[];
  /** What normalize needs from the database, loaded once per run. */
  lookup?: 'dropletsByBackupId';
  normalize(item: T, lookup: KindLookup): NormalizedResource;
};

/** ISO timestamps as DO sends them (nanoseconds included) or null. */
export function parseDoDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value.replace(/(\.\d{3})\d+/, '$1').replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? null : date;
}

export function lower(value: string | null | undefined): string | null {
  return value ? value.toLowerCase() : null;
}
