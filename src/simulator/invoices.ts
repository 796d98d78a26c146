/**
 * Invoices of a simulated account, with the ground truth of every line. Line conventions are the
 * contract with the billing matcher (see the simulator brief in bench/ and DESIGN.md "Billing").
 * Money is integer cents throughout and printed as decimal strings.
 */
import type { z } from 'zod';
import type { ZDoInvoiceItem } from '../digitalocean/schemas/invoices.js';
import { DROPLET_SIZES, type TSimAccount, iso } from './account.js';
import type { TSimInvoiceSummary } from './shapes.js';

/** Why a line cannot match a resource in the inventory. */
export const SimUnmatchedReason = {
  TAX: 'TAX',
  CREDIT: 'CREDIT',
  ACCOUNT_LEVEL: 'ACCOUNT_LEVEL',
  RESOURCE_DESTROYED: 'RESOURCE_DESTROYED',
  KIND_NOT_INVENTORIED: 'KIND_NOT_INVENTORIED',
} as const;
export type TSimUnmatchedReason = (typeof SimUnmatchedReason)[keyof typeof SimUnmatchedReason];

/**
 * Ground truth of one invoice line: the resource it bills (`kind` in DESIGN.md's names, and its
 * providerId), or why nothing in an inventory can match it. `lineKind` is the kind the line's
 * product denotes (a backup line bills its parent droplet: `lineKind: 'droplet_backup'`, `kind: 'droplet'`).
 */
export type TSimLineTruth =
  | { index: number; lineKind: string | null; kind: string; providerId: string }
  | { index: number; lineKind: string | null; reason: TSimUnmatchedReason };

type TTruthNoIndex = { lineKind: string | null; kind: string; providerId: string } | { lineKind: string | null; reason: TSimUnmatchedReason };

/** What every line the simulator makes has (`push` fills them in when a line does not say). */
type TLineDefaults = { duration_unit: string; start_time: string; end_time: string; category: string };

/** One line in DO's JSON shape (optional keys absent, not empty, where DO omits them). */
export type TSimInvoiceItem = z.input<typeof ZDoInvoiceItem> & TLineDefaults & { duration: string };

export type TSimInvoice = {
  uuid: string;
  invoiceId: string;
  period: string;
  /** Total in cents. */
  amountCents: number;
  items: TSimInvoiceItem[];
  truth: TSimLineTruth[];
  preview: boolean;
  updatedAt?: string;
};

/** `1234` → `"12.34"`, `-2104` → `"-21.04"`. */
export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function csvDate(isoStr: string): string {
  return `${isoStr.slice(0, 10)} ${isoStr.slice(11, 19)} +0000`;
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** `"12.34"` → 1234, `"-21.04"` → -2104 (exact; no float arithmetic). */
export function decimalToCents(amount: string): number {
  const neg = amount.startsWith('-');
  const [whole = '0', frac = ''] = amount.replace(/^-/, '').split('.');
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2));
  return neg ? -cents : cents;
}

/** DO's CSV export of an invoice. */
export function invoiceCsv(inv: TSimInvoice): string {
  const rows = ['product,group_description,description,hours,start,end,USD,project_name,category'];
  for (const it of inv.items) {
    const cents = decimalToCents(it.amount);
    const usd = cents < 0 ? `-$${centsToDecimal(-cents)}` : `$${centsToDecimal(cents)}`;
    const hours = it.product === 'Taxes' || it.product === 'Credits' ? '' : it.duration;
    rows.push(
      [it.product, it.group_description ?? '', it.description, hours, csvDate(it.start_time), csvDate(it.end_time), usd, it.project_name ?? '', it.category]
        .map(csvField)
        .join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

/** DO's `/summary` body. */
export function invoiceSummary(inv: TSimInvoice): TSimInvoiceSummary {
  const byProduct = new Map<string, { cents: number; count: number }>();
  let taxes = 0;
  let credits = 0;
  for (const it of inv.items) {
    const cents = decimalToCents(it.amount);
    if (it.product === 'Taxes') taxes += cents;
    else if (it.product === 'Credits') credits += cents;
    else {
      const e = byProduct.get(it.product) ?? { cents: 0, count: 0 };
      e.cents += cents;
      e.count++;
      byProduct.set(it.product, e);
    }
  }
  const usage = [...byProduct.values()].reduce((s, e) => s + e.cents, 0);
  return {
    invoice_uuid: inv.uuid,
    invoice_id: inv.invoiceId,
    billing_period: inv.period,
    amount: centsToDecimal(inv.amountCents),
    user_name: 'Sammy Shark',
    user_billing_address: {
      address_line1: '101 Shark Row',
      city: 'Atlantis',
      region: 'OC',
      postal_code: '12345',
      country_iso2_code: 'US',
      created_at: '2019-09-03T16:34:46.000+00:00',
      updated_at: '2019-09-03T16:34:46.000+00:00',
    },
    user_company: 'DigitalOcean',
    user_email: 'sammy@digitalocean.com',
    product_charges: {
      name: 'Product usage charges',
      amount: centsToDecimal(usage),
      items: [...byProduct.entries()].map(([name, e]) => ({ amount: centsToDecimal(e.cents), name, count: String(e.count) })),
    },
    overages: { name: 'Overages', amount: '0.00' },
    taxes: { name: 'Taxes', amount: centsToDecimal(taxes) },
    credits_and_adjustments: { name: 'Credits & adjustments', amount: centsToDecimal(credits) },
  };
}

/** Small, realistic differences between a snapshot's name and its invoice description. */
function vary(name: string, n: number): string {
  switch (n % 3) {
    case 0:
      return name.toUpperCase();
    case 1:
      return name.includes('-') ? name.replace(/-/g, '_') : name.replace(/_/g, '-');
    default:
      return `${name} `;
  }
}

function monthBounds(year: number, month0: number) {
  const start = Date.UTC(year, month0, 1);
  const end = Date.UTC(year, month0 + 1, 1);
  return { start, end, hours: Math.round((end - start) / 3_600_000) };
}

/** Builds the invoices: two closed months and the month-to-date preview. */
export function generateInvoices(acc: TSimAccount): TSimInvoice[] {
  const { rng } = acc;
  const now = new Date(acc.now);
  const out: TSimInvoice[] = [];
  const projectName = new Map(acc.projects.map((p) => [String(p.id), String(p.name)]));
  const projectOf = (urn: string): string | undefined => {
    const m = acc.membership.get(urn);
    return m ? projectName.get(m.projectId) : undefined;
  };

  for (let back = 2; back >= 0; back--) {
    const preview = back === 0;
    const y = now.getUTCFullYear();
    const m0 = now.getUTCMonth() - back;
    const { start, end } = monthBounds(y, m0);
    const periodEnd = preview ? acc.now : end;
    const fullHours = Math.min(672, Math.round((periodEnd - start) / 3_600_000));
    const items: TSimInvoiceItem[] = [];
    const truth: TSimLineTruth[] = [];
    const seenRows = new Set<string>();
    const period = `${new Date(start).toISOString().slice(0, 7)}`;
    const startIso = iso(start);
    const endIso = iso(periodEnd);
    const monthEndIso = iso(end - 1000);

    const push = (item: z.input<typeof ZDoInvoiceItem> & { duration: string } & Partial<TLineDefaults>, t: TTruthNoIndex) => {
      const full: TSimInvoiceItem = { duration_unit: 'Hours', start_time: startIso, end_time: endIso, category: 'iaas', ...item };
      // DO's CSV has no ids: keep rows distinct so the export stays unambiguous.
      const rowKey = () => [full.product, full.group_description, full.description, full.duration, full.start_time, full.end_time, full.amount].join('|');
      let key = rowKey();
      while (seenRows.has(key)) {
        full.duration = String(Number(full.duration) - 1);
        key = rowKey();
      }
      seenRows.add(key);
      truth.push({ index: items.length, ...t });
      items.push(full);
    };
    const prorate = (monthlyCents: number, hours: number) => Math.floor((monthlyCents * hours + 336) / 672);

    for (const d of [...acc.droplets, ...acc.gpuDroplets]) {
      const priceCents = Math.round(Number(d.size.price_monthly) * 100);
      const hours = fullHours;
      push(
        {
          product: 'Droplets',
          resource_id: String(d.id),
          resource_uuid: acc.dropletUuids.get(d.id) ?? rng.uuid(),
          group_description: '',
          description: `${d.name} (${d.size_slug})`,
          amount: centsToDecimal(prorate(priceCents, hours)),
          duration: String(hours),
          ...(projectOf(`do:droplet:${d.id}`) ? { project_name: projectOf(`do:droplet:${d.id}`)! } : {}),
        },
        { lineKind: 'droplet', kind: 'droplet', providerId: String(d.id) },
      );
      if (d.backup_ids.length > 0) {
        push(
          {
            product: 'Droplet Backups',
            description: `${d.name} (Weekly Backup Services)`,
            amount: centsToDecimal(Math.floor(prorate(priceCents, hours) / 5)),
            duration: String(hours),
          },
          { lineKind: 'droplet_backup', kind: 'droplet', providerId: String(d.id) },
        );
      }
    }

    // Destroyed before any sync: ids and names the inventory never held.
    for (const g of acc.destroyedDroplets) {
      const hours = rng.int(20, 300);
      push(
        {
          product: 'Droplets',
          resource_id: String(g.id),
          resource_uuid: g.uuid,
          group_description: '',
          description: `${g.name} (${g.sizeSlug})`,
          amount: centsToDecimal(prorate(g.priceCents, hours)),
          duration: String(hours),
          end_time: iso(start + hours * 3_600_000),
        },
        { lineKind: 'droplet', reason: 'RESOURCE_DESTROYED' },
      );
    }
    if (acc.destroyedDroplets[0]) {
      const g = acc.destroyedDroplets[0];
      push(
        {
          product: 'Droplet Backups',
          description: `${g.name} (Weekly Backup Services)`,
          amount: centsToDecimal(Math.floor(g.priceCents / 5)),
          duration: '120',
          end_time: iso(start + 120 * 3_600_000),
        },
        { lineKind: 'droplet_backup', reason: 'RESOURCE_DESTROYED' },
      );
    }
    // A droplet destroyed and rebuilt under the same name: the old id is on the line.
    const rebuilt = acc.droplets[1];
    if (rebuilt) {
      const size = DROPLET_SIZES[0];
      const oldId = 250_000_000 + ((Number(rebuilt.id) * 7) % 9_999_999);
      push(
        {
          product: 'Droplets',
          resource_id: String(oldId),
          resource_uuid: `${String(rebuilt.id).slice(0, 4)}${rng.uuid().slice(4)}`,
          group_description: '',
          description: `${rebuilt.name} (${size.slug})`,
          amount: centsToDecimal(prorate(size.priceCents, 48)),
          duration: '48',
          end_time: iso(start + 48 * 3_600_000),
        },
        { lineKind: 'droplet', reason: 'RESOURCE_DESTROYED' },
      );
    }

    let variance = 0;
    for (const s of acc.snapshots) {
      const gb = Math.max(1, Math.ceil(Number(s.size_gigabytes)));
      const isVolume = s.resource_type === 'volume';
      // A few descriptions differ slightly from the snapshot's name, as on real invoices.
      const name = variance < 3 && rng.chance(0.2) ? vary(String(s.name), variance++) : String(s.name);
      push(
        {
          product: isVolume ? 'Volume Snapshots' : 'Droplet Snapshots',
          description: `${name} (${gb} GB)`,
          amount: centsToDecimal(gb * 6),
          duration: String(fullHours),
        },
        { lineKind: 'snapshot', kind: 'snapshot', providerId: String(s.id) },
      );
    }

    for (const v of acc.volumes) {
      const gb = Number(v.size_gigabytes);
      push(
        {
          product: 'Volumes',
          resource_uuid: String(v.id),
          group_description: '',
          description: `${v.name} (${v.region.slug}) ${gb}GB`,
          amount: centsToDecimal(prorate(gb * 10, fullHours)),
          duration: String(fullHours),
          ...(projectOf(`do:volume:${v.id}`) ? { project_name: projectOf(`do:volume:${v.id}`)! } : {}),
        },
        { lineKind: 'volume', kind: 'volume', providerId: String(v.id) },
      );
    }
    for (const lb of acc.loadBalancers) {
      push(
        {
          product: 'Load Balancers',
          resource_uuid: String(lb.id),
          group_description: '',
          description: String(lb.name),
          amount: centsToDecimal(prorate(1200, fullHours)),
          duration: String(fullHours),
        },
        { lineKind: 'load_balancer', kind: 'load_balancer', providerId: String(lb.id) },
      );
    }
    for (const k of acc.kubernetes) {
      push(
        {
          product: 'Kubernetes Clusters',
          resource_uuid: String(k.id),
          group_description: String(k.name),
          description: '3 nodes - 2 GB / 1 vCPU / 50 GB SSD',
          amount: centsToDecimal(prorate(3600, fullHours)),
          duration: String(fullHours),
          category: 'paas',
        },
        { lineKind: 'k8s_cluster', kind: 'k8s_cluster', providerId: String(k.id) },
      );
    }
    for (const db of acc.databases) {
      push(
        {
          product: 'Database Clusters',
          resource_uuid: String(db.id),
          group_description: '',
          description: `${db.name} (${db.size})`,
          amount: centsToDecimal(prorate(1500 * Number(db.num_nodes), fullHours)),
          duration: String(fullHours),
          category: 'paas',
        },
        { lineKind: 'managed_db', kind: 'managed_db', providerId: String(db.id) },
      );
    }
    for (const a of acc.apps) {
      push(
        {
          product: 'App Platform',
          resource_uuid: String(a.id),
          group_description: '',
          description: `${a.spec.name} (${a.tier_slug})`,
          amount: centsToDecimal(prorate(500, fullHours)),
          duration: String(fullHours),
          category: 'paas',
        },
        { lineKind: 'app', kind: 'app', providerId: String(a.id) },
      );
    }
    for (const ip of acc.reservedIps) {
      if (ip.droplet !== null) continue;
      push(
        { product: 'Floating IPs', description: `Unused Floating IP - ${ip.ip}`, amount: centsToDecimal(prorate(500, fullHours)), duration: String(fullHours) },
        { lineKind: 'floating_ip', kind: 'floating_ip', providerId: String(ip.ip) },
      );
    }
    if (acc.spacesBuckets.length > 0) {
      push(
        { product: 'Spaces Subscription', description: 'Spaces ($5/mo 250GB storage & 1TB bandwidth)', amount: '5.00', duration: String(fullHours) },
        { lineKind: 'spaces_bucket', reason: 'ACCOUNT_LEVEL' },
      );
    }
    push(
      {
        product: 'Container Registry',
        description: 'Basic plan',
        amount: centsToDecimal(prorate(500, fullHours)),
        duration: String(fullHours),
        category: 'paas',
      },
      { lineKind: null, reason: 'KIND_NOT_INVENTORIED' },
    );

    const subtotal = items.reduce((s, it) => s + decimalToCents(it.amount), 0);
    const gst = Math.floor((subtotal * 9 + 50) / 100);
    push(
      { product: 'Taxes', description: 'GST (9.00%)', amount: centsToDecimal(gst), duration: '0', end_time: monthEndIso },
      { lineKind: null, reason: 'TAX' },
    );
    const credit = -Math.min(2500, subtotal);
    push(
      { product: 'Credits', description: 'DigitalOcean Credit Applied', amount: centsToDecimal(credit), duration: '0', end_time: monthEndIso },
      { lineKind: null, reason: 'CREDIT' },
    );

    const amountCents = items.reduce((s, it) => s + decimalToCents(it.amount), 0);
    out.push({
      uuid: rng.uuid(),
      invoiceId: String(rng.int(10_000_000, 99_999_999)),
      period,
      amountCents,
      items,
      truth,
      preview,
      ...(preview ? { updatedAt: iso(acc.now) } : {}),
    });
  }
  return out;
}
