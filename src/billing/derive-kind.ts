import type { DerivedReason, ResourceKind } from './types.js';

/**
 * Which resource kind an invoice line bills for, from its product and description.
 *
 * Rules are data, tried in order; the first whose tests all pass decides. Order matters:
 * specific phrases come before generic products, so "Droplet Backups" and "Droplet
 * Snapshots" are never taken for droplets, and "Volume Snapshots" never for volumes.
 * Description tests that could collide with a resource's own name (a droplet called
 * `backup-01`) are anchored on DO's fixed phrases (`(Weekly Backup Services)`,
 * `Credit Applied`, `<TAX> (<rate>%)`), never on a bare word.
 */

/** What a rule decides: a kind to match against, or a reason the line has no resource. */
export type DeriveResult = { kind: ResourceKind } | { reason: DerivedReason };

/** One derivation rule. A rule with both tests needs both to pass. */
export type DeriveRule = {
  /** Stable name, stored nowhere but shown in diagnostics and tests. */
  name: string;
  test: { product?: RegExp; description?: RegExp };
  result: DeriveResult;
};

/** The fields derivation reads. */
export type DeriveInput = { product: string; description: string };

/** Outcome of `deriveKind`: exactly one of `kind` / `reason` is non-null. */
export type DerivedKind = {
  kind: ResourceKind | null;
  reason: DerivedReason | null;
  /** Name of the rule that decided (`unknown-product` when none did). */
  rule: string;
};

const TAX_NAME = String.raw`(?:[A-Z][A-Za-z .'/&-]*\s)?(?:TAX|GST|HST|PST|QST|VAT|IVA|MWST|TVA|SST|JCT|CONSUMPTION TAX|SALES TAX)(?:\s[A-Za-z .'/&-]*)?`;

/** The rules, in the order they are tried. */
export const DERIVE_RULES: readonly DeriveRule[] = [
  // Account-level money first: a tax or credit line is never a resource, whatever its product.
  { name: 'taxes-product', test: { product: /^\s*tax(es)?\s*$/i }, result: { reason: 'TAX' } },
  {
    name: 'tax-description',
    test: { description: new RegExp(String.raw`^\s*${TAX_NAME}\s*\(\s*\d+(?:\.\d+)?\s*%\s*\)\s*$`, 'i') },
    result: { reason: 'TAX' },
  },
  {
    name: 'credits-product',
    test: { product: /^\s*(credits?|payments?|adjustments?|promotions?|promo codes?|refunds?|discounts?)\s*$/i },
    result: { reason: 'CREDIT' },
  },
  {
    name: 'credit-applied-description',
    test: { description: /\bcredits? applied\b/i },
    result: { reason: 'CREDIT' },
  },

  // Specific phrases before the generic products they contain.
  { name: 'droplet-backups-product', test: { product: /^\s*(droplet\s+)?backups?\s*$/i }, result: { kind: 'droplet_backup' } },
  {
    name: 'backup-services-description',
    test: { description: /\((weekly |daily )?backup services?\)\s*$/i },
    result: { kind: 'droplet_backup' },
  },
  { name: 'snapshots-product', test: { product: /\bsnapshots?\b/i }, result: { kind: 'snapshot' } },
  {
    name: 'floating-ips-product',
    test: { product: /\b(floating|reserved)\s*ips?(v[46])?\b/i },
    result: { kind: 'floating_ip' },
  },
  {
    name: 'unused-floating-ip-description',
    test: { description: /^\s*unused (floating|reserved) ip(v[46])?\b/i },
    result: { kind: 'floating_ip' },
  },
  { name: 'load-balancers-product', test: { product: /\bload\s*balancers?\b/i }, result: { kind: 'load_balancer' } },
  {
    name: 'kubernetes-product',
    test: { product: /\bkubernetes\b|\bdoks\b/i },
    result: { kind: 'k8s_cluster' },
  },
  {
    name: 'databases-product',
    test: {
      product: /\bdatabases?\b|\bdbaas\b|\bmanaged (mysql|postgres(ql)?|redis|valkey|mongodb|kafka|opensearch)\b/i,
    },
    result: { kind: 'managed_db' },
  },
  { name: 'app-platform-product', test: { product: /^\s*(app platform\b.*|apps?)\s*$/i }, result: { kind: 'app' } },

  // Spaces: the subscription and its storage/bandwidth overages are pooled over all buckets.
  {
    name: 'spaces-account-level',
    test: { product: /\bspaces\b|\bobject storage\b/i },
    result: { reason: 'ACCOUNT_LEVEL' },
  },
  {
    name: 'support-plan-account-level',
    test: { product: /^\s*(premium |standard |business |developer )?support( plans?)?\s*$/i },
    result: { reason: 'ACCOUNT_LEVEL' },
  },

  // Billed products this system has no inventory for; checked before the generic
  // "Droplets"/"Volumes" so e.g. "Droplet Bandwidth" is not taken for a droplet.
  {
    name: 'not-inventoried-product',
    test: {
      product:
        /\b(container registry|registry|monitoring|bandwidth|functions?|serverless|uptime|marketplace|add-?ons?|saas|genai|gradient|ai agents?|inference|vpc (nat|peering)|nat gateway|cloudways|paperspace)\b/i,
    },
    result: { reason: 'KIND_NOT_INVENTORIED' },
  },

  { name: 'volumes-product', test: { product: /^\s*(volumes?|block storage)\s*$/i }, result: { kind: 'volume' } },
  { name: 'droplets-product', test: { product: /\bdroplets?\b/i }, result: { kind: 'droplet' } },

  // A tax that names no known tax word but has DO's tax shape, e.g. "Impuesto (21.00%)",
  // only after every product rule so a resource line can never land here.
  {
    name: 'rate-description',
    test: { description: /^\s*[A-Za-z][A-Za-z .'/&-]*\(\s*\d+(?:\.\d+)?\s*%\s*\)\s*$/ },
    result: { reason: 'TAX' },
  },
];

const UNKNOWN: DerivedKind = { kind: null, reason: 'KIND_NOT_INVENTORIED', rule: 'unknown-product' };

/** Derives the kind (or the account-level reason) of an invoice line; see `DERIVE_RULES`. */
export function deriveKind(line: DeriveInput, rules: readonly DeriveRule[] = DERIVE_RULES): DerivedKind {
  for (const rule of rules) {
    const { product, description } = rule.test;
    if (product && !product.test(line.product)) continue;
    if (description && !description.test(line.description)) continue;
    return 'kind' in rule.result ? { kind: rule.result.kind, reason: null, rule: rule.name } : { kind: null, reason: rule.result.reason, rule: rule.name };
  }
  return UNKNOWN;
}
