import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { canonicalUrn, parseUrn } from '../../src/domain/urn.js';
import { KIND_SPECS } from '../../src/sync/kinds/index.js';
import type { KindSpec } from '../../src/sync/kinds/types.js';

const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/do-api');
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));

/** Every fixture body whose collection key is one of the kind's listing envelopes. */
function fixtureItems(spec: KindSpec): { file: string; items: unknown[] }[] {
  const envelopes = new Set(spec.listings.flatMap((l) => (l.fallback ? [l.envelope, l.fallback.envelope] : [l.envelope])));
  // Per-droplet backups are the same image objects as /v2/images lists.
  if (spec.kind === 'droplet_backup') envelopes.add('backups');
  const out = [];
  for (const file of files) {
    // /v2/droplets/{id}/snapshots answers images under "snapshots", not /v2/snapshots objects.
    if (file === 'droplet_snapshots.json' && spec.kind === 'snapshot') continue;
    const body = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Record<string, unknown>;
    for (const envelope of envelopes) {
      if (Array.isArray(body[envelope])) out.push({ file, items: body[envelope] as unknown[] });
    }
  }
  return out;
}

/** A table-driven walk of the registry: a new kind gets coverage by being registered. */
describe.each(KIND_SPECS.map((spec) => ({ name: spec.kind, spec })))('kind $name over the real-shaped fixtures', ({ spec }) => {
  const sources = fixtureItems(spec);

  it('has at least one fixture', () => {
    expect(sources.length).toBeGreaterThan(0);
  });

  it('normalises every item into a row of our model', () => {
    const listing = spec.listings[0]!;
    let rows = 0;
    for (const { file, items } of sources) {
      for (const raw of items) {
        if (listing.keep && !listing.keep(raw as Record<string, unknown>)) continue;
        const item = listing.item.parse(raw);
        const row = spec.normalize(item, { dropletsByBackupId: new Map([['67539192', { id: '3164444', name: 'example.com' }]]) });
        rows++;
        expect(typeof row.providerId, file).toBe('string');
        expect(row.providerId.length, file).toBeGreaterThan(0);
        expect(row.name.length, file).toBeGreaterThan(0);
        if (row.status !== null) expect(row.status, file).toBe(row.status.toLowerCase());
        if (row.providerCreatedAt) expect(Number.isNaN(row.providerCreatedAt.getTime()), file).toBe(false);
        const json = JSON.stringify(row.attrs);
        expect(json, file).not.toMatch(/password|"connection"|private_connection/);
        const urn = parseUrn(canonicalUrn(spec.kind, row.providerId, row.attrs));
        expect(urn?.kind, file).toBe(spec.kind);
        expect(urn?.providerId, file).toBe(row.providerId);
      }
    }
    expect(rows).toBeGreaterThan(0);
  });
});

/** Each kind's item with only the fields it cannot do without: what DigitalOcean's spec lets it omit, it may omit. */
const MINIMAL: Record<string, Record<string, unknown>> = {
  droplet: { id: 1, name: 'web-1' },
  droplet_backup: { id: 2, name: 'web-1 backup', type: 'backup' },
  snapshot: { id: '3', name: 'web-1 snapshot', resource_id: '1', resource_type: 'droplet' },
  volume: { id: 'b1c2', name: 'pgdata' },
  dns_zone: { name: 'example.com' },
  floating_ip: { ip: '45.55.96.47' },
  firewall: { id: 'f1', name: 'web' },
  load_balancer: { id: 'l1', name: 'lb' },
  managed_db: { id: 'd1', name: 'pg' },
  k8s_cluster: { id: 'k1', name: 'prod', node_pools: [{ name: 'pool', nodes: [{ id: 'n1', droplet_id: '' }] }] },
  app: { id: 'a1', spec: { name: 'site' } },
  cdn_endpoint: { id: 'c1', endpoint: 'static.example.com.cdn.digitaloceanspaces.com' },
  vpc: { id: 'v1', name: 'default-nyc3' },
};

describe.each(KIND_SPECS.map((spec) => ({ name: spec.kind, spec })))('kind $name with only the fields it needs', ({ spec }) => {
  it('is valid and normalises, the rest null or empty', () => {
    const raw = MINIMAL[spec.kind];
    expect(raw, 'add a MINIMAL item for this kind').toBeDefined();
    const listing = spec.listings[0]!;
    expect(listing.keep?.(raw!) ?? true).toBe(true);
    const r = listing.item.safeParse(raw);
    if (!r.success) throw new Error(JSON.stringify(r.error.issues[0]));
    const row = spec.normalize(r.data, {});
    expect(row.providerId.length).toBeGreaterThan(0);
    expect(row.name.length).toBeGreaterThan(0);
    expect(row.providerCreatedAt).toBeNull();
    expect(JSON.stringify(row.attrs)).not.toContain('undefined');
  });
});

describe('kind specifics from the fixtures', () => {
  const first = (kind: string, file: string, envelope: string, index = 0) => {
    const spec = KIND_SPECS.find((s) => s.kind === kind)!;
    const body = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Record<string, unknown[]>;
    const item = spec.listings[0]!.item.parse(body[envelope]![index]);
    return spec.normalize(item, { dropletsByBackupId: new Map([['67539192', { id: '3164444', name: 'example.com' }]]) });
  };

  it('turns integer droplet ids into strings and reads the region slug', () => {
    expect(first('droplet', 'droplets_list.json', 'droplets')).toMatchObject({ providerId: '3164444', region: 'nyc3', status: 'active' });
  });
  it('keeps snapshot ids as the strings /v2/snapshots sends and links the parent', () => {
    const row = first('snapshot', 'snapshots_list.json', 'snapshots');
    expect(row).toMatchObject({ providerId: '6372321', parentUrn: 'do:droplet:200776916', attrs: { resource_type: 'droplet' } });
    expect(canonicalUrn('snapshot', row.providerId, row.attrs)).toBe('do:image:6372321');
  });
  it('names a volume snapshot do:volumesnapshot:<uuid>', () => {
    const row = first('snapshot', 'snapshots_list_resource_type_volume.json', 'snapshots');
    expect(row.attrs.resource_type).toBe('volume');
    expect(canonicalUrn('snapshot', row.providerId, row.attrs)).toBe(`do:volumesnapshot:${row.providerId}`);
  });
  it('gives a backup its parent droplet from the droplets backup_ids', () => {
    expect(first('droplet_backup', 'droplet_backups.json', 'backups')).toMatchObject({
      providerId: '67539192',
      parentUrn: 'do:droplet:3164444',
      attrs: { droplet_id: '3164444', droplet_name: 'example.com' },
    });
  });
  it('derives volume and floating IP status from what they are attached to', () => {
    expect(first('volume', 'volumes_list.json', 'volumes').status).toMatch(/^(attached|unattached)$/);
    expect(first('floating_ip', 'reserved_ips_list.json', 'reserved_ips')).toMatchObject({ providerId: '45.55.96.47', status: 'unassigned' });
  });
  it('reads Kubernetes status.state and the app deployment phase', () => {
    expect(first('k8s_cluster', 'kubernetes_clusters_list.json', 'kubernetes_clusters').status).toBe('provisioning');
    expect(first('app', 'apps_list.json', 'apps').name).toBe('sample-php');
  });
  it('never keeps database credentials', () => {
    const row = first('managed_db', 'databases_list.json', 'databases');
    expect(JSON.stringify(row)).not.toContain('wv78n3zpz42xezdk');
  });
});
