import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { PROJECT_ROOT } from '../../src/paths.js';
import { ZDoApp, ZDoDatabase, ZDoKubernetesCluster } from '../../src/digitalocean/schemas/managed.js';
import { ZDoCdnEndpoint, ZDoDomain, ZDoFirewall, ZDoFloatingIp, ZDoLoadBalancer, ZDoReservedIp, ZDoVpc } from '../../src/digitalocean/schemas/networking.js';
import { ZDoDroplet, ZDoImage, ZDoSnapshot, ZDoVolume } from '../../src/digitalocean/schemas/compute.js';
import { ZDoLinks } from '../../src/digitalocean/schemas/common.js';
import { ZDoProject, ZDoProjectResource } from '../../src/digitalocean/schemas/projects.js';

const FIXTURES = [process.env.DO_FIXTURES_DIR, join(PROJECT_ROOT, 'test/fixtures/do-api'), join(PROJECT_ROOT, '../shared/do-api/fixtures')].find(
  (d): d is string => !!d && existsSync(d),
);

/** Every inventory/project fixture: its envelope and the schema of one item. */
const TABLE: Record<string, { envelope: string; item: z.ZodType<unknown>; single?: boolean }> = {
  'droplets_list.json': { envelope: 'droplets', item: ZDoDroplet },
  'droplets_list_by_tag.json': { envelope: 'droplets', item: ZDoDroplet },
  'droplet_backups.json': { envelope: 'backups', item: ZDoImage },
  'droplet_snapshots.json': { envelope: 'snapshots', item: ZDoImage },
  'images_list.json': { envelope: 'images', item: ZDoImage },
  'snapshots_list.json': { envelope: 'snapshots', item: ZDoSnapshot },
  'snapshots_list_droplet_kit.json': { envelope: 'snapshots', item: ZDoSnapshot },
  'snapshots_list_resource_type_droplet.json': { envelope: 'snapshots', item: ZDoSnapshot },
  'snapshots_list_resource_type_volume.json': { envelope: 'snapshots', item: ZDoSnapshot },
  'volume_snapshots.json': { envelope: 'snapshots', item: ZDoSnapshot },
  'volumes_list.json': { envelope: 'volumes', item: ZDoVolume },
  'domains_list.json': { envelope: 'domains', item: ZDoDomain },
  'reserved_ips_list.json': { envelope: 'reserved_ips', item: ZDoReservedIp },
  'floating_ips_list.json': { envelope: 'floating_ips', item: ZDoFloatingIp },
  'firewalls_list.json': { envelope: 'firewalls', item: ZDoFirewall },
  'load_balancers_list.json': { envelope: 'load_balancers', item: ZDoLoadBalancer },
  'databases_list.json': { envelope: 'databases', item: ZDoDatabase },
  'kubernetes_clusters_list.json': { envelope: 'kubernetes_clusters', item: ZDoKubernetesCluster },
  'apps_list.json': { envelope: 'apps', item: ZDoApp },
  'cdn_endpoints_list.json': { envelope: 'endpoints', item: ZDoCdnEndpoint },
  'vpcs_list.json': { envelope: 'vpcs', item: ZDoVpc },
  'projects_list.json': { envelope: 'projects', item: ZDoProject },
  'project_default.json': { envelope: 'project', item: ZDoProject, single: true },
  'project_resources.json': { envelope: 'resources', item: ZDoProjectResource },
  'project_resources_droplet_kit.json': { envelope: 'resources', item: ZDoProjectResource },
  'project_resources_godo_floating_reserved.json': { envelope: 'resources', item: ZDoProjectResource },
};

/** Fixtures outside the inventory/project sync (billing is src/billing's; the rest is not synced). */
const NOT_INVENTORY = /^(error_|invoice|billing_|balance|domain_records|reserved_ipv6|spaces_keys|tag_get|vpc_members|headers_|SOURCES)/;

function load(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES!, file), 'utf8')) as Record<string, unknown>;
}

describe.skipIf(!FIXTURES)('DO schemas against the real-shaped fixtures', () => {
  it('covers every inventory and project fixture in the folder', () => {
    const files = readdirSync(FIXTURES!).filter((f) => !NOT_INVENTORY.test(f));
    expect(files.sort()).toEqual(Object.keys(TABLE).sort());
  });

  it.each(Object.entries(TABLE))('%s parses, with ids as strings and links accepted', (file, spec) => {
    const body = load(file);
    const raw = spec.single ? [body[spec.envelope]] : (body[spec.envelope] as unknown[]);
    expect(Array.isArray(raw)).toBe(true);
    expect(raw.length).toBeGreaterThan(0);
    for (const item of raw) {
      const r = spec.item.safeParse(item);
      if (!r.success) throw new Error(`${file}: ${JSON.stringify(r.error.issues[0])}`);
      const out = r.data as Record<string, unknown>;
      if ('id' in out) expect(typeof out.id).toBe('string');
      // Unknown fields pass through untouched.
      for (const k of Object.keys(item as object)) {
        if (spec.item !== ZDoDatabase) expect(out).toHaveProperty(k);
      }
    }
    expect(ZDoLinks.safeParse(body.links).success).toBe(true);
  });

  it('normalises integer ids to strings (droplets, backups, nested id lists)', () => {
    const d = ZDoDroplet.parse((load('droplets_list.json').droplets as unknown[])[0]);
    expect(d.id).toBe('3164444');
    expect(d.backup_ids).toEqual(['53893572']);
    expect(d.snapshot_ids).toEqual(['67512819']);
    const b = ZDoImage.parse((load('droplet_backups.json').backups as unknown[])[0]);
    expect(b.id).toBe('67539192');
    const ip = ZDoReservedIp.parse({ ip: '1.2.3.4', droplet: { id: 3164444 } });
    expect(ip.droplet?.id).toBe('3164444');
  });

  it('drops database credentials at the boundary', () => {
    const db = ZDoDatabase.parse((load('databases_list.json').databases as unknown[])[0]) as Record<string, unknown>;
    expect(db.connection).toBeUndefined();
    expect(db.private_connection).toBeUndefined();
    expect(db.users).toBeUndefined();
    expect(JSON.stringify(db)).not.toContain('wv78n3zpz42xezdk');
    expect(db.name).toBe('backend');
  });

  it('fails on a missing required field, naming the field', () => {
    const d = { ...((load('droplets_list.json').droplets as Record<string, unknown>[])[0] as Record<string, unknown>) };
    delete d.id;
    const r = ZDoDroplet.safeParse(d);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['id']);
  });

  type Json = Record<string, any>;
  const firstOf = (file: string, envelope: string): Json => structuredClone((load(file)[envelope] as Json[])[0]!);

  /** Shapes DigitalOcean's OpenAPI schemas allow: each is accepted as it is. */
  const ALLOWED: [string, z.ZodType<unknown>, () => Json][] = [
    [
      'a Kubernetes node still provisioning (droplet_id "")',
      ZDoKubernetesCluster,
      () => {
        const c = firstOf('kubernetes_clusters_list.json', 'kubernetes_clusters');
        c.node_pools[0].nodes[0].droplet_id = '';
        return c;
      },
    ],
    [
      'an image without type',
      ZDoImage,
      () => {
        const i = firstOf('images_list.json', 'images');
        delete i.type;
        return i;
      },
    ],
    [
      'a reserved IP without the droplet key',
      ZDoReservedIp,
      () => {
        const i = firstOf('reserved_ips_list.json', 'reserved_ips');
        delete i.droplet;
        return i;
      },
    ],
    [
      'a floating IP without the droplet key',
      ZDoFloatingIp,
      () => {
        const i = firstOf('floating_ips_list.json', 'floating_ips');
        delete i.droplet;
        return i;
      },
    ],
    [
      'a CDN endpoint without ttl and created_at',
      ZDoCdnEndpoint,
      () => {
        const e = firstOf('cdn_endpoints_list.json', 'endpoints');
        delete e.ttl;
        delete e.created_at;
        return e;
      },
    ],
  ];

  it.each(ALLOWED)('accepts %s', (_name, schema, item) => {
    const r = schema.safeParse(item());
    if (!r.success) throw new Error(JSON.stringify(r.error.issues[0]));
  });

  /** Fields the product cannot do without still fail the item, at this path (the listing then skips it). */
  const NEEDED: [string, z.ZodType<unknown>, () => Json, string][] = [
    ['a droplet whose name is not a string', ZDoDroplet, () => ({ ...firstOf('droplets_list.json', 'droplets'), name: 7 }), 'name'],
    [
      'a volume without id',
      ZDoVolume,
      () => {
        const v = firstOf('volumes_list.json', 'volumes');
        delete v.id;
        return v;
      },
      'id',
    ],
    [
      'a node pool whose count is not a number',
      ZDoKubernetesCluster,
      () => {
        const c = firstOf('kubernetes_clusters_list.json', 'kubernetes_clusters');
        c.node_pools[0].count = 'three';
        return c;
      },
      'node_pools.0.count',
    ],
    [
      'a snapshot without the resource it was taken of',
      ZDoSnapshot,
      () => {
        const s = firstOf('snapshots_list.json', 'snapshots');
        delete s.resource_id;
        return s;
      },
      'resource_id',
    ],
    [
      'a reserved IP assigned to a droplet without id',
      ZDoReservedIp,
      () => ({ ...firstOf('reserved_ips_list.json', 'reserved_ips'), droplet: { name: 'x' } }),
      'droplet.id',
    ],
  ];

  it.each(NEEDED)('rejects %s, naming the field', (_name, schema, item, path) => {
    const r = schema.safeParse(item());
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path.join('.')).toBe(path);
  });
});

describe('DO links quirks', () => {
  it.each([undefined, null, {}, { pages: {} }, { pages: { first: 'x', last: 'y' } }, { pages: { next: 'https://api.digitalocean.com/v2/x?page=2' } }])(
    'accepts links %j',
    (links) => {
      expect(ZDoLinks.safeParse(links).success).toBe(true);
    },
  );

  it('rejects a URN that is not do:<type>:<id>, keeps unknown types', () => {
    expect(ZDoProjectResource.safeParse({ urn: 'droplet:1' }).success).toBe(false);
    expect(ZDoProjectResource.parse({ urn: 'do:partner_attachment:abc' }).urn).toBe('do:partner_attachment:abc');
  });
});
