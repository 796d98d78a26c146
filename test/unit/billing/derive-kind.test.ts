import { describe, expect, it } from 'vitest';
import { DERIVE_RULES, deriveKind } from '../../../src/billing/derive-kind.js';

type Case = { product: string; description: string; kind?: string; reason?: string; rule: string };

/** Real descriptions where DO published one (REFERENCE §6.4), DO-style ones elsewhere. */
const CASES: Case[] = [
  { product: 'Taxes', description: 'GST (9.00%)', reason: 'TAX', rule: 'taxes-product' },
  { product: 'Taxes', description: 'STATE SALES TAX (6.25%)', reason: 'TAX', rule: 'taxes-product' },
  { product: 'Tax', description: 'VAT Turkey (18.00%)', reason: 'TAX', rule: 'taxes-product' },
  { product: 'Other', description: 'VAT Turkey (18.00%)', reason: 'TAX', rule: 'tax-description' },
  { product: 'Other', description: 'Impuesto (21.00%)', reason: 'TAX', rule: 'rate-description' },
  { product: 'Credits', description: 'DigitalOcean Credit Applied', reason: 'CREDIT', rule: 'credits-product' },
  { product: 'Payments', description: 'Payment (MC 2018)', reason: 'CREDIT', rule: 'credits-product' },
  { product: 'Adjustment', description: 'Billing adjustment', reason: 'CREDIT', rule: 'credits-product' },
  { product: 'Promotions', description: 'DigitalOcean Credit Applied', reason: 'CREDIT', rule: 'credits-product' },
  { product: 'Misc', description: 'Promo Credit Applied', reason: 'CREDIT', rule: 'credit-applied-description' },
  { product: 'Droplet Backups', description: 'web-1 (Weekly Backup Services)', kind: 'droplet_backup', rule: 'droplet-backups-product' },
  { product: 'Backups', description: 'web-1 (Weekly Backup Services)', kind: 'droplet_backup', rule: 'droplet-backups-product' },
  { product: 'Backup', description: 'web-1', kind: 'droplet_backup', rule: 'droplet-backups-product' },
  { product: 'Droplets', description: 'web-1 (Weekly Backup Services)', kind: 'droplet_backup', rule: 'backup-services-description' },
  { product: 'Droplet Snapshots', description: 'web-1-1700000000 (25 GB)', kind: 'snapshot', rule: 'snapshots-product' },
  { product: 'Volume Snapshots', description: 'data-snap (100 GB)', kind: 'snapshot', rule: 'snapshots-product' },
  { product: 'Snapshot', description: 'x (1 GB)', kind: 'snapshot', rule: 'snapshots-product' },
  { product: 'Floating IPs', description: 'Unused Floating IP - 1.1.1.1', kind: 'floating_ip', rule: 'floating-ips-product' },
  { product: 'Reserved IPs', description: 'Unused Reserved IP - 1.1.1.1', kind: 'floating_ip', rule: 'floating-ips-product' },
  { product: 'Networking', description: 'Unused Reserved IP - 1.1.1.1', kind: 'floating_ip', rule: 'unused-floating-ip-description' },
  { product: 'Load Balancers', description: 'My Example Load Balancer', kind: 'load_balancer', rule: 'load-balancers-product' },
  { product: 'Kubernetes Clusters', description: '4 nodes - 2 GB / 1 vCPU / 50 GB SSD', kind: 'k8s_cluster', rule: 'kubernetes-product' },
  { product: 'Database Clusters', description: 'db-main (db-s-1vcpu-1gb)', kind: 'managed_db', rule: 'databases-product' },
  { product: 'Managed Databases', description: 'db-main (db-s-1vcpu-1gb)', kind: 'managed_db', rule: 'databases-product' },
  { product: 'App Platform', description: 'shop (Basic)', kind: 'app', rule: 'app-platform-product' },
  { product: 'Apps', description: 'shop (Professional)', kind: 'app', rule: 'app-platform-product' },
  { product: 'Spaces Subscription', description: 'Spaces ($5/mo 250GB storage & 1TB bandwidth)', reason: 'ACCOUNT_LEVEL', rule: 'spaces-account-level' },
  { product: 'Spaces Storage', description: 'Spaces overage storage', reason: 'ACCOUNT_LEVEL', rule: 'spaces-account-level' },
  { product: 'Spaces Bandwidth', description: 'Spaces overage bandwidth', reason: 'ACCOUNT_LEVEL', rule: 'spaces-account-level' },
  { product: 'Support', description: 'Premium support plan', reason: 'ACCOUNT_LEVEL', rule: 'support-plan-account-level' },
  { product: 'Container Registry', description: 'Basic plan', reason: 'KIND_NOT_INVENTORIED', rule: 'not-inventoried-product' },
  { product: 'Monitoring', description: 'Alert policies', reason: 'KIND_NOT_INVENTORIED', rule: 'not-inventoried-product' },
  { product: 'Bandwidth', description: 'Droplet bandwidth overage', reason: 'KIND_NOT_INVENTORIED', rule: 'not-inventoried-product' },
  { product: 'Droplet Bandwidth', description: 'Outbound transfer', reason: 'KIND_NOT_INVENTORIED', rule: 'not-inventoried-product' },
  { product: 'Functions', description: 'GB-seconds', reason: 'KIND_NOT_INVENTORIED', rule: 'not-inventoried-product' },
  { product: 'Volumes', description: 'volume-sfo2-01 (sfo2) 100GB', kind: 'volume', rule: 'volumes-product' },
  { product: 'Droplets', description: 'example.com (s-1vcpu-1gb)', kind: 'droplet', rule: 'droplets-product' },
  { product: 'GPU Droplets', description: 'gpu-1 (gpu-h100x1-80gb)', kind: 'droplet', rule: 'droplets-product' },
  { product: 'Quantum Widgets', description: 'whatever', reason: 'KIND_NOT_INVENTORIED', rule: 'unknown-product' },
];

describe('deriveKind', () => {
  it.each(CASES)('$product / $description → $kind$reason (rule $rule)', ({ product, description, kind, reason, rule }) => {
    expect(deriveKind({ product, description })).toEqual({ kind: kind ?? null, reason: reason ?? null, rule });
  });

  it('never takes backups or snapshots for droplets, nor volume snapshots for volumes', () => {
    expect(deriveKind({ product: 'Droplet Backups', description: 'web (s-1vcpu-1gb)' }).kind).toBe('droplet_backup');
    expect(deriveKind({ product: 'Droplet Snapshots', description: 'web (s-1vcpu-1gb)' }).kind).toBe('snapshot');
    expect(deriveKind({ product: 'Volume Snapshots', description: 'vol (nyc3) 10GB' }).kind).toBe('snapshot');
  });

  it('does not read a resource name as a phrase: a droplet called backup/credit/vat stays a droplet', () => {
    for (const description of ['backup-01 (s-1vcpu-1gb)', 'credit-api (s-1vcpu-1gb)', 'vat-calc (s-1vcpu-1gb)', 'snapshot-runner (s-2vcpu-4gb)']) {
      expect(deriveKind({ product: 'Droplets', description }).kind).toBe('droplet');
    }
  });

  it('has unique rule names, each rule reachable by at least one case', () => {
    const names = DERIVE_RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    const covered = new Set(CASES.map((c) => c.rule));
    for (const name of names) expect(covered, `rule ${name} has no case`).toContain(name);
  });

  it('accepts a custom rule list (rules are data)', () => {
    const rules = [{ name: 'all-droplets', test: { product: /.*/ }, result: { kind: 'droplet' as const } }];
    expect(deriveKind({ product: 'Anything', description: '' }, rules)).toEqual({ kind: 'droplet', reason: null, rule: 'all-droplets' });
  });
});
