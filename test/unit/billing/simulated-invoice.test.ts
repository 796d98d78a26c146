import { describe, expect, it } from 'vitest';
import { deriveKind } from '../../../src/billing/derive-kind.js';
import { linesFromApiItems } from '../../../src/billing/do-invoice.js';
import { buildMatchIndex, matchLine, type MatchableResource } from '../../../src/billing/match.js';
import { computeMatchStats } from '../../../src/billing/match-stats.js';

/**
 * An invoice in the simulated DO's conventions (one item per product it emits) against an
 * inventory as the sync stores it: the whole pipeline items → lines → kind → match → stats.
 */
const inventory: MatchableResource[] = [
  { id: 'd1', kind: 'droplet', providerId: '3001', name: 'web-1', lifecycle: 'ACTIVE', attrs: { backup_ids: [7001] } },
  { id: 'd2', kind: 'droplet', providerId: '3002', name: 'worker', lifecycle: 'STALE', attrs: {} },
  { id: 'b1', kind: 'droplet_backup', providerId: '7001', name: 'web-1 backup', lifecycle: 'ACTIVE', attrs: { droplet_id: 3001, droplet_name: 'web-1' } },
  { id: 's1', kind: 'snapshot', providerId: '8001', name: 'web-1 before upgrade', lifecycle: 'ACTIVE', attrs: { resource_type: 'droplet' } },
  {
    id: 's2',
    kind: 'snapshot',
    providerId: 'f1f1f1f1-0000-4000-8000-000000000001',
    name: 'pgdata_weekly',
    lifecycle: 'ACTIVE',
    attrs: { resource_type: 'volume' },
  },
  { id: 'v1', kind: 'volume', providerId: 'a1a1a1a1-0000-4000-8000-000000000001', name: 'pgdata', lifecycle: 'ACTIVE', attrs: { region: 'nyc3' } },
  { id: 'l1', kind: 'load_balancer', providerId: 'b1b1b1b1-0000-4000-8000-000000000001', name: 'edge', lifecycle: 'ACTIVE', attrs: {} },
  { id: 'k1', kind: 'k8s_cluster', providerId: 'c1c1c1c1-0000-4000-8000-000000000001', name: 'prod', lifecycle: 'ACTIVE', attrs: {} },
  { id: 'm1', kind: 'managed_db', providerId: 'd1d1d1d1-0000-4000-8000-000000000001', name: 'main-db', lifecycle: 'ACTIVE', attrs: {} },
  { id: 'a1', kind: 'app', providerId: 'e1e1e1e1-0000-4000-8000-000000000001', name: 'storefront', lifecycle: 'ACTIVE', attrs: {} },
  { id: 'f1', kind: 'floating_ip', providerId: '203.0.113.7', name: '203.0.113.7', lifecycle: 'ACTIVE', attrs: {} },
];

const item = (product: string, description: string, amount: string, extra: Record<string, string> = {}) => ({
  product,
  description,
  amount,
  duration: '744',
  duration_unit: 'Hours',
  start_time: '2026-04-01T00:00:00Z',
  end_time: '2026-05-01T00:00:00Z',
  ...extra,
});

const items = [
  item('Droplets', 'web-1 (s-1vcpu-1gb)', '6.00', { resource_id: '3001', resource_uuid: '0b0b0b0b-0000-4000-8000-000000000001' }),
  item('Droplets', 'worker (s-2vcpu-4gb)', '24.00', { resource_id: '3002', resource_uuid: '0b0b0b0b-0000-4000-8000-000000000002' }),
  item('Droplets', 'web-1 (s-1vcpu-1gb)', '2.10', { resource_id: '2999', resource_uuid: '0b0b0b0b-0000-4000-8000-000000000003' }),
  item('Droplet Backups', 'web-1 (Weekly Backup Services)', '1.20'),
  item('Droplet Backups', 'repo (Weekly Backup Services)', '1.20'),
  item('Droplet Snapshots', 'web-1 before-upgrade (25 GB)', '1.25'),
  item('Volume Snapshots', 'pgdata-weekly (40 GB)', '2.00'),
  item('Volumes', 'pgdata (nyc3) 100GB', '10.00', { resource_uuid: 'a1a1a1a1-0000-4000-8000-000000000001' }),
  item('Load Balancers', 'edge', '12.00', { resource_uuid: 'b1b1b1b1-0000-4000-8000-000000000001' }),
  item('Kubernetes Clusters', '3 nodes - 4 GB / 2 vCPU / 80 GB SSD', '72.00', {
    group_description: 'prod',
    resource_uuid: 'c1c1c1c1-0000-4000-8000-000000000001',
  }),
  item('Database Clusters', 'main-db (db-s-1vcpu-1gb)', '15.00', { resource_uuid: 'd1d1d1d1-0000-4000-8000-000000000001' }),
  item('App Platform', 'storefront (Basic)', '5.00', { resource_uuid: 'e1e1e1e1-0000-4000-8000-000000000001' }),
  item('Floating IPs', 'Unused Floating IP - 203.0.113.7', '4.00'),
  item('Spaces Subscription', 'Spaces ($5/mo 250GB storage & 1TB bandwidth)', '5.00'),
  item('Container Registry', 'Basic plan', '5.00'),
  item('Taxes', 'GST (9.00%)', '15.53'),
  item('Credits', 'DigitalOcean Credit Applied', '-50.00'),
];

const expected: [string, string][] = [
  ['web-1 (s-1vcpu-1gb)', 'd1 RESOURCE_ID'],
  ['worker (s-2vcpu-4gb)', 'd2 RESOURCE_ID'],
  ['web-1 (s-1vcpu-1gb)#2', 'RESOURCE_DESTROYED'],
  ['web-1 (Weekly Backup Services)', 'd1 PARENT_DROPLET_NAME'],
  ['repo (Weekly Backup Services)', 'RESOURCE_DESTROYED'],
  ['web-1 before-upgrade (25 GB)', 's1 NAME'],
  ['pgdata-weekly (40 GB)', 's2 NAME'],
  ['pgdata (nyc3) 100GB', 'v1 RESOURCE_UUID'],
  ['edge', 'l1 RESOURCE_UUID'],
  ['3 nodes - 4 GB / 2 vCPU / 80 GB SSD', 'k1 RESOURCE_UUID'],
  ['main-db (db-s-1vcpu-1gb)', 'm1 RESOURCE_UUID'],
  ['storefront (Basic)', 'a1 RESOURCE_UUID'],
  ['Unused Floating IP - 203.0.113.7', 'f1 NAME'],
  ['Spaces ($5/mo 250GB storage & 1TB bandwidth)', 'ACCOUNT_LEVEL'],
  ['Basic plan', 'KIND_NOT_INVENTORIED'],
  ['GST (9.00%)', 'TAX'],
  ['DigitalOcean Credit Applied', 'CREDIT'],
];

describe('a simulated-DO invoice end to end', () => {
  const parsed = linesFromApiItems(items);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const index = buildMatchIndex(inventory);
  const outcomes = parsed.lines.map((l) => matchLine(l, deriveKind(l), index));

  it('matches every line of a current resource and gives every other line its one reason', () => {
    const got = outcomes.map((o) => (o.matched ? `${o.resourceId} ${o.method}` : o.reason));
    expect(got).toEqual(expected.map(([, want]) => want));
  });

  it('computes the current-resource rate as the contract defines it: destroyed and account lines set aside, not-inventoried kept', () => {
    const stats = computeMatchStats(
      parsed.lines.map((l, i) => {
        const o = outcomes[i]!;
        return { amount: l.amount, matched: o.matched, reason: o.matched ? null : o.reason };
      }),
    );
    // 11 matched / (14 attributable - 2 destroyed): the Container Registry line stays in the denominator.
    expect(stats).toMatchObject({ lineCount: 17, matchedCount: 11, attributableCount: 14, currentResourceMatchRate: 11 / 12 });
    expect(stats.amount).toBe(parsed.total);
  });
});
