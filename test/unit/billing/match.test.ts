import { describe, expect, it } from 'vitest';
import { parseInvoiceCsv } from '../../../src/billing/csv.js';
import { deriveKind } from '../../../src/billing/derive-kind.js';
import { buildMatchIndex, looseSnapshotName, matchLine, type MatchableLine, type MatchableResource, type MatchIndex } from '../../../src/billing/match.js';
import type { ResourceKind } from '../../../src/billing/types.js';
import { fixtureText } from './fixtures.js';

let seq = 0;
function res(kind: ResourceKind, providerId: string, name: string, extra: Partial<MatchableResource> = {}): MatchableResource {
  seq++;
  return { id: `r-${kind}-${seq}`, kind, providerId, name, lifecycle: 'ACTIVE', attrs: {}, ...extra };
}

function line(product: string, description: string, extra: Partial<MatchableLine> = {}): MatchableLine {
  return { product, description, groupDescription: null, resourceUuid: null, resourceProviderId: null, ...extra };
}

function run(l: MatchableLine, index: MatchIndex) {
  return matchLine(l, deriveKind(l), index);
}

const web = res('droplet', '1001', 'web-1');
const staleDroplet = res('droplet', '1002', 'old-api', { lifecycle: 'STALE' });
const twinA = res('droplet', '1003', 'twin');
const twinB = res('droplet', '1004', 'twin');
const snapshotImage = res('snapshot', '5555', 'web-1-snap', { attrs: { resource_type: 'droplet' } });
const backup = res('droplet_backup', '7001', 'web-1 2024-05-01', { attrs: { droplet_id: 1001, droplet_name: 'web-1' } });
const dropSnap = res('snapshot', '9001', 'Web_1 Nightly', { attrs: { resource_type: 'droplet' } });
const volSnap = res('snapshot', 'c0ffee00-0000-4000-8000-000000000001', 'data-snap', { attrs: { resource_type: 'volume' } });
const volume = res('volume', 'aaaa0000-0000-4000-8000-000000000001', 'data', { attrs: { region: 'nyc3' } });
const volumeFra = res('volume', 'aaaa0000-0000-4000-8000-000000000002', 'data', { attrs: { region: { slug: 'fra1' } } });
const lb = res('load_balancer', 'bbbb0000-0000-4000-8000-000000000001', 'public-lb');
const k8s = res('k8s_cluster', 'cccc0000-0000-4000-8000-000000000001', 'prod-cluster');
const db = res('managed_db', 'dddd0000-0000-4000-8000-000000000001', 'db-main');
const app = res('app', 'eeee0000-0000-4000-8000-000000000001', 'shop');
const fip = res('floating_ip', '45.55.96.47', '45.55.96.47');

const index = buildMatchIndex([web, staleDroplet, twinA, twinB, snapshotImage, backup, dropSnap, volSnap, volume, volumeFra, lb, k8s, db, app, fip]);

describe('matchLine: account-level reasons decide first', () => {
  it.each([
    { product: 'Taxes', description: 'GST (9.00%)', reason: 'TAX' },
    { product: 'Credits', description: 'DigitalOcean Credit Applied', reason: 'CREDIT' },
    { product: 'Spaces Subscription', description: 'Spaces ($5/mo 250GB storage & 1TB bandwidth)', reason: 'ACCOUNT_LEVEL' },
    { product: 'Container Registry', description: 'Basic plan', reason: 'KIND_NOT_INVENTORIED' },
  ])('$product → $reason, even carrying an id that exists', ({ product, description, reason }) => {
    expect(run(line(product, description, { resourceProviderId: '1001' }), index)).toEqual({ matched: false, reason, candidateIds: [] });
  });
});

describe('matchLine: ids', () => {
  it('matches resource_uuid against any resource with that providerId', () => {
    expect(run(line('Load Balancers', 'public-lb', { resourceUuid: lb.providerId }), index)).toEqual({
      matched: true,
      resourceId: lb.id,
      method: 'RESOURCE_UUID',
    });
    expect(run(line('Volumes', 'whatever (nyc3) 1GB', { resourceUuid: volume.providerId }), index)).toMatchObject({
      resourceId: volume.id,
      method: 'RESOURCE_UUID',
    });
  });

  it('falls through a droplet uuid the API never exposes to resource_id', () => {
    expect(run(line('Droplets', 'web-1 (s-1vcpu-1gb)', { resourceUuid: 'droplet-1001-uuid', resourceProviderId: '1001' }), index)).toEqual({
      matched: true,
      resourceId: web.id,
      method: 'RESOURCE_ID',
    });
  });

  it('decides by id alone: a droplet destroyed and rebuilt under the same name is RESOURCE_DESTROYED', () => {
    expect(run(line('Droplets', 'web-1 (s-1vcpu-1gb)', { resourceUuid: 'gone-uuid', resourceProviderId: '999' }), index)).toEqual({
      matched: false,
      reason: 'RESOURCE_DESTROYED',
      candidateIds: [],
    });
  });

  it('never lands a numeric droplet id on a snapshot image sharing the number', () => {
    expect(run(line('Droplets', 'x (s-1vcpu-1gb)', { resourceProviderId: '5555' }), index)).toMatchObject({
      matched: false,
      reason: 'RESOURCE_DESTROYED',
    });
  });

  it('lets a non-numeric resource_id match across kinds', () => {
    expect(run(line('Droplets', 'misfiled', { resourceProviderId: lb.providerId }), index)).toMatchObject({
      matched: true,
      resourceId: lb.id,
      method: 'RESOURCE_ID',
    });
  });

  it('still matches a STALE resource', () => {
    expect(run(line('Droplets', 'old-api (s-1vcpu-1gb)', { resourceProviderId: '1002' }), index)).toMatchObject({
      matched: true,
      resourceId: staleDroplet.id,
    });
    expect(run(line('Droplets', 'old-api (s-1vcpu-1gb)'), index)).toMatchObject({ matched: true, resourceId: staleDroplet.id, method: 'NAME' });
  });
});

describe('matchLine: kind-specific names', () => {
  it('matches a backup line to the PARENT DROPLET by name, not to the backup row', () => {
    expect(run(line('Droplet Backups', 'web-1 (Weekly Backup Services)'), index)).toEqual({
      matched: true,
      resourceId: web.id,
      method: 'PARENT_DROPLET_NAME',
    });
  });

  it('leaves a backup line of a destroyed droplet as RESOURCE_DESTROYED', () => {
    expect(run(line('Droplet Backups', 'repo.sky-ai.com (Weekly Backup Services)'), index)).toMatchObject({
      matched: false,
      reason: 'RESOURCE_DESTROYED',
    });
  });

  it('uses backup rows to pick the one same-named droplet that has backups', () => {
    const a = res('droplet', '2001', 'dup');
    const b = res('droplet', '2002', 'dup');
    const bk = res('droplet_backup', '8001', 'dup backup', { attrs: { droplet_id: '2002', droplet_name: 'dup' } });
    const idx = buildMatchIndex([a, b, bk]);
    expect(run(line('Droplet Backups', 'dup (Weekly Backup Services)'), idx)).toMatchObject({ matched: true, resourceId: b.id });
  });

  it('tolerates snapshot name variances: case, spaces vs - and _, a (n GB) suffix', () => {
    expect(run(line('Droplet Snapshots', 'web-1-nightly (25 GB)'), index)).toMatchObject({ matched: true, resourceId: dropSnap.id, method: 'NAME' });
    expect(run(line('Volume Snapshots', 'Data Snap (100 GB)'), index)).toMatchObject({ matched: true, resourceId: volSnap.id });
    expect(looseSnapshotName('Web_1  Nightly (25 GB)')).toBe(looseSnapshotName('web-1-nightly'));
  });

  it('keeps droplet and volume snapshots apart by resource_type', () => {
    expect(run(line('Volume Snapshots', 'web-1-nightly (25 GB)'), index)).toMatchObject({ matched: false, reason: 'RESOURCE_DESTROYED' });
  });

  it('reads a volume name before " (<region>)" and uses the region to tell same-named volumes apart', () => {
    expect(run(line('Volumes', 'data (fra1) 100GB'), index)).toMatchObject({ matched: true, resourceId: volumeFra.id, method: 'NAME' });
    expect(run(line('Volumes', 'data (nyc3) 100GB'), index)).toMatchObject({ matched: true, resourceId: volume.id });
    // Neither volume is in sfo2: the line names one the inventory never held.
    expect(run(line('Volumes', 'data (sfo2) 100GB'), index)).toMatchObject({ matched: false, reason: 'RESOURCE_DESTROYED' });
  });

  it('reads a droplet name before " (<size>)"', () => {
    expect(run(line('Droplets', 'web-1 (s-1vcpu-1gb)'), index)).toEqual({ matched: true, resourceId: web.id, method: 'NAME' });
  });

  it('reports same-named droplets as AMBIGUOUS with every candidate, never a guess', () => {
    const r = run(line('Droplets', 'twin (s-1vcpu-1gb)'), index);
    expect(r).toMatchObject({ matched: false, reason: 'AMBIGUOUS' });
    if (!r.matched) expect([...r.candidateIds].sort()).toEqual([twinA.id, twinB.id].sort());
  });

  it('matches a k8s line by its group_description', () => {
    expect(run(line('Kubernetes Clusters', '3 nodes - 4 GB / 2 vCPU / 80 GB SSD', { groupDescription: 'prod-cluster' }), index)).toMatchObject({
      matched: true,
      resourceId: k8s.id,
    });
    expect(run(line('Kubernetes Clusters', '3 nodes - 4 GB / 2 vCPU / 80 GB SSD'), index)).toMatchObject({ matched: false, reason: 'NO_CANDIDATE' });
  });

  it('matches a floating IP by the IP in "Unused Floating IP - <ip>"', () => {
    expect(run(line('Floating IPs', 'Unused Floating IP - 45.55.96.47'), index)).toMatchObject({ matched: true, resourceId: fip.id });
    expect(run(line('Floating IPs', 'Unused Floating IP - 1.1.1.1'), index)).toMatchObject({ matched: false, reason: 'RESOURCE_DESTROYED' });
    expect(run(line('Floating IPs', 'Unused Floating IP'), index)).toMatchObject({ matched: false, reason: 'NO_CANDIDATE' });
  });

  it('matches load balancers, databases and apps by name when they carry no uuid', () => {
    expect(run(line('Load Balancers', 'public-lb'), index)).toMatchObject({ matched: true, resourceId: lb.id });
    expect(run(line('Database Clusters', 'db-main (db-s-1vcpu-1gb)'), index)).toMatchObject({ matched: true, resourceId: db.id });
    expect(run(line('App Platform', 'shop (Basic)'), index)).toMatchObject({ matched: true, resourceId: app.id });
  });

  it('gives NO_CANDIDATE to an inventoried kind with nothing to identify it', () => {
    expect(run(line('Droplets', '   '), index)).toMatchObject({ matched: false, reason: 'NO_CANDIDATE' });
  });
});

describe('matchLine: same-name candidates narrowed by every fact the line carries', () => {
  const jan = { startTime: new Date('2020-01-01T00:00:00Z'), endTime: new Date('2020-02-01T00:00:00Z') };
  const candidatesOf = (r: ReturnType<typeof run>) => (r.matched ? [] : [...r.candidateIds].sort());

  it('tells same-named volumes apart by the region and size in "<name> (<region>) <size>GB", reading the region column', () => {
    const fra = res('volume', 'v-fra', 'pgdata', { region: 'fra1', attrs: { size_gigabytes: 250 } });
    const nyc = res('volume', 'v-nyc', 'pgdata', { region: 'nyc3', attrs: { size_gigabytes: 500 } });
    const idx = buildMatchIndex([fra, nyc]);
    expect(run(line('Volumes', 'pgdata (fra1) 250GB'), idx)).toEqual({ matched: true, resourceId: fra.id, method: 'NAME' });
    expect(run(line('Volumes', 'pgdata (nyc3) 500GB'), idx)).toEqual({ matched: true, resourceId: nyc.id, method: 'NAME' });
    // Two in one region: the size decides.
    const big = res('volume', 'v-fra-2', 'pgdata', { region: 'fra1', attrs: { size_gigabytes: 1000 } });
    const idx2 = buildMatchIndex([fra, nyc, big]);
    expect(run(line('Volumes', 'pgdata (fra1) 1000GB'), idx2)).toMatchObject({ matched: true, resourceId: big.id });
    // A size no candidate has (resized since): both in the region still fit.
    expect(candidatesOf(run(line('Volumes', 'pgdata (fra1) 100GB'), idx2))).toEqual([fra.id, big.id].sort());
  });

  it('tells same-named droplets apart by the size slug in "<name> (<size>)"', () => {
    const small = res('droplet', '3001', 'worker', { attrs: { size_slug: 's-1vcpu-1gb' } });
    const large = res('droplet', '3002', 'worker', { attrs: { size_slug: 's-4vcpu-8gb' } });
    const idx = buildMatchIndex([small, large]);
    expect(run(line('Droplets', 'worker (s-4vcpu-8gb)'), idx)).toEqual({ matched: true, resourceId: large.id, method: 'NAME' });
    expect(run(line('Droplets', 'worker (s-1vcpu-1gb)'), idx)).toMatchObject({ matched: true, resourceId: small.id });
  });

  it("uses the CSV's project_name against the resource's project", () => {
    const a = res('droplet', '3101', 'api', { projectName: 'Shop' });
    const b = res('droplet', '3102', 'api', { projectName: 'Blog' });
    const idx = buildMatchIndex([a, b]);
    expect(run(line('Droplets', 'api (s-1vcpu-1gb)', { projectName: 'Blog' }), idx)).toMatchObject({ matched: true, resourceId: b.id });
    expect(candidatesOf(run(line('Droplets', 'api (s-1vcpu-1gb)', { projectName: null }), idx))).toEqual([a.id, b.id].sort());
  });

  it("drops a candidate created after the line's end, or stale before its start; AMBIGUOUS keeps only those that fit", () => {
    const old = res('droplet', '3201', 'db', { providerCreatedAt: new Date('2019-06-01T00:00:00Z') });
    const rebuilt = res('droplet', '3202', 'db', { providerCreatedAt: new Date('2020-03-04T00:00:00Z') });
    const gone = res('droplet', '3203', 'db', { lifecycle: 'STALE', staleSince: new Date('2019-11-20T00:00:00Z') });
    const other = res('droplet', '3204', 'db', { providerCreatedAt: new Date('2020-01-10T00:00:00Z') });
    expect(run(line('Droplets', 'db (s-1vcpu-1gb)', jan), buildMatchIndex([old, rebuilt, gone]))).toEqual({
      matched: true,
      resourceId: old.id,
      method: 'NAME',
    });
    const r = run(line('Droplets', 'db (s-1vcpu-1gb)', jan), buildMatchIndex([old, rebuilt, gone, other]));
    expect(r).toMatchObject({ matched: false, reason: 'AMBIGUOUS' });
    expect(candidatesOf(r)).toEqual([old.id, other.id].sort());
    // Only a resource that cannot have caused the line: the charge is of one the inventory never held.
    expect(run(line('Droplets', 'db (s-1vcpu-1gb)', jan), buildMatchIndex([rebuilt]))).toEqual({
      matched: false,
      reason: 'RESOURCE_DESTROYED',
      candidateIds: [],
    });
  });

  it('narrows backup lines (parent droplets) and generic kinds the same way', () => {
    const a = res('droplet', '3301', 'mail', { projectName: 'Ops', providerCreatedAt: new Date('2019-01-01T00:00:00Z') });
    const b = res('droplet', '3302', 'mail', { projectName: 'Ops', providerCreatedAt: new Date('2020-05-01T00:00:00Z') });
    expect(run(line('Droplet Backups', 'mail (Weekly Backup Services)', jan), buildMatchIndex([a, b]))).toMatchObject({
      matched: true,
      resourceId: a.id,
      method: 'PARENT_DROPLET_NAME',
    });
    const dbA = res('managed_db', 'm-1', 'pg', { attrs: { size: 'db-s-1vcpu-1gb' } });
    const dbB = res('managed_db', 'm-2', 'pg', { attrs: { size: 'db-s-2vcpu-4gb' } });
    expect(run(line('Database Clusters', 'pg (db-s-2vcpu-4gb)'), buildMatchIndex([dbA, dbB]))).toMatchObject({ matched: true, resourceId: dbB.id });
  });

  it('stays AMBIGUOUS when the facts point different ways, never picking by the order of rules', () => {
    const a = res('droplet', '3401', 'edge', { projectName: 'Shop', attrs: { size_slug: 's-1vcpu-1gb' } });
    const b = res('droplet', '3402', 'edge', { projectName: 'Blog', attrs: { size_slug: 's-2vcpu-2gb' } });
    const r = run(line('Droplets', 'edge (s-2vcpu-2gb)', { projectName: 'Shop' }), buildMatchIndex([a, b]));
    expect(candidatesOf(r)).toEqual([a.id, b.id].sort());
  });
});

describe('matchLine over a whole CSV invoice', () => {
  it('matches the 2019 fixture against an inventory that holds some of its resources', () => {
    const parsed = parseInvoiceCsv(fixtureText('invoice_2019_valuemachine.csv'));
    if (!parsed.ok) throw new Error(parsed.error.message);
    const idx = buildMatchIndex([res('droplet', '1', 'eth'), res('droplet', '2', 'blog'), res('volume', 'u-1', 'volume-sfo2-01')]);
    const outcomes = parsed.lines.map((l) => run(l, idx));
    expect(outcomes.filter((o) => o.matched)).toHaveLength(3);
    for (const o of outcomes) if (!o.matched) expect(o.reason).toBe('RESOURCE_DESTROYED');
  });
});

describe('matchLine performance', () => {
  it('indexes 50,000 resources and matches 50,000 derived lines in well under a second', () => {
    const resources: MatchableResource[] = [];
    const lines: MatchableLine[] = [];
    for (let i = 0; i < 50_000; i++) {
      const k = i % 5;
      if (k === 0) {
        resources.push(res('droplet', String(100_000 + i), `node-${i}`));
        lines.push(line('Droplets', `node-${i} (s-1vcpu-1gb)`, { resourceProviderId: String(100_000 + i), resourceUuid: `u-${i}` }));
      } else if (k === 1) {
        resources.push(res('volume', `vol-${i}`, `vol-${i}`));
        lines.push(line('Volumes', `vol-${i} (nyc3) 10GB`, { resourceUuid: `vol-${i}` }));
      } else if (k === 2) {
        resources.push(res('snapshot', String(i), `Snap ${i}`, { attrs: { resource_type: 'droplet' } }));
        lines.push(line('Droplet Snapshots', `snap-${i} (25 GB)`));
      } else if (k === 3) {
        resources.push(res('droplet', String(500_000 + i), `b-${i}`));
        lines.push(line('Droplet Backups', `b-${i} (Weekly Backup Services)`));
      } else {
        resources.push(res('floating_ip', `10.0.${i >> 8}.${i & 255}`, `10.0.${i >> 8}.${i & 255}`));
        lines.push(line('Droplets', `gone-${i} (s-1vcpu-1gb)`));
      }
    }
    const derived = lines.map((l) => deriveKind(l));
    const started = performance.now();
    const idx = buildMatchIndex(resources);
    let matchedCount = 0;
    lines.forEach((l, i) => {
      if (matchLine(l, derived[i]!, idx).matched) matchedCount++;
    });
    const elapsed = performance.now() - started;
    expect(matchedCount).toBe(40_000);
    expect(elapsed).toBeLessThan(1000);
  });
});
