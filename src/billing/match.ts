import type { DerivedKind } from './derive-kind.js';
import type { Lifecycle } from '../domain/lifecycle.js';
import type { AutoMatchMethod, ParsedInvoiceLine, ResourceKind, UnmatchedReason } from './types.js';

/**
 * Pure matching of invoice lines against an inventory snapshot (DESIGN.md "Billing").
 *
 * Order, first decision wins:
 * 1. A reason from kind derivation (TAX, CREDIT, ACCOUNT_LEVEL, KIND_NOT_INVENTORIED).
 * 2. `resource_uuid`: any resource whose providerId equals it (uuids are global); a
 *    resource of the derived kind wins over other kinds.
 * 3. `resource_id`: the derived kind's resource with that providerId, then any kind, but
 *    only for ids that are not purely numeric: numeric ids are unique only within their
 *    own namespace (a droplet id can equal an image id), so a droplet line must never land
 *    on a snapshot that happens to share its number.
 *    A line that carries an id or uuid is decided by those alone: when neither is in the
 *    inventory it is RESOURCE_DESTROYED, even if a resource has the line's name (a droplet
 *    rebuilt under the same name is a different resource). A uuid miss still falls through
 *    to `resource_id`, because droplet lines carry a uuid the droplet API never exposes.
 * 4. Kind-specific names: backups → the parent droplet by name (PARENT_DROPLET_NAME);
 *    snapshots by name tolerating case, whitespace, `-`/`_` and a `(<n> GB)` suffix;
 *    volumes `<name> (<region>) <size>GB`; floating IPs the IP in
 *    `Unused Floating IP - <ip>`; k8s clusters the group description; everything else the
 *    whole description, then the text before ` (` (`<name> (<size>)`).
 * 5. Same-name candidates are narrowed by every fact the line carries (`narrow`):
 *    - facts that rule a resource out (it cannot have caused the line): a region on the line
 *      (volumes' `(<region>)`) other than the resource's; a resource created after the line's
 *      end; a resource that went STALE before the line's start;
 *    - facts that can have changed since (a resize, a move between projects): the size or
 *      plan on the line (`(<size slug>)`, `<n>GB`) and the CSV's `project_name`. Among the
 *      remaining candidates those contradicting the fewest of them fit; a resource that
 *      lacks the data (no size known) contradicts nothing.
 * 6. One fit → NAME; several → AMBIGUOUS with the candidates that fit (never a guess); none
 *    → RESOURCE_DESTROYED; no usable name → NO_CANDIDATE.
 *
 * Resources of every lifecycle (ACTIVE, MISSING, STALE) are matchable.
 */

/**
 * A resource as matching sees it. `attrs` keys read: see `buildMatchIndex`. The optional
 * facts narrow same-name candidates (see the module doc); absent means unknown.
 */
export type MatchableResource = {
  id: string;
  kind: ResourceKind;
  providerId: string;
  name: string;
  lifecycle: Lifecycle;
  attrs: Record<string, unknown>;
  /** Region slug (the `Resource.region` column); `attrs.region` is read when this is absent. */
  region?: string | null;
  /** Name of the resource's project. */
  projectName?: string | null;
  /** When DigitalOcean created the resource. */
  providerCreatedAt?: Date | null;
  /** When the resource went STALE (three complete listings without it). */
  staleSince?: Date | null;
};

/** The line fields matching reads; the optional ones narrow same-name candidates. */
export type MatchableLine = Pick<ParsedInvoiceLine, 'product' | 'description' | 'groupDescription' | 'resourceUuid' | 'resourceProviderId'> &
  Partial<Pick<ParsedInvoiceLine, 'projectName' | 'startTime' | 'endTime'>>;

/** Outcome for one line. `candidateIds` is non-empty only for AMBIGUOUS. */
export type MatchOutcome = { matched: true; resourceId: string; method: AutoMatchMethod } | { matched: false; reason: UnmatchedReason; candidateIds: string[] };

/** One resource, or several sharing a key (kept apart so the common case allocates no array). */
type Bucket = MatchableResource | MatchableResource[];
type BucketMap = Map<string, Bucket>;

type KindMaps = { byProviderId: BucketMap; byName: BucketMap };

/** Lookup maps over the inventory; build once per invoice with `buildMatchIndex`. */
export type MatchIndex = {
  readonly byProviderId: ReadonlyMap<string, Bucket>;
  readonly byKind: ReadonlyMap<ResourceKind, KindMaps>;
  readonly snapshotsByLooseName: ReadonlyMap<string, Bucket>;
  /** Droplet name → droplets, learned from backup rows' `attrs.droplet_name`/`droplet_id`. */
  readonly backupParentsByName: ReadonlyMap<string, Bucket>;
  /** Ids of droplets known to have backups (a backup row points at them, or `attrs.backup_ids`). */
  readonly dropletsWithBackups: ReadonlySet<string>;
  readonly size: number;
};

function add(map: BucketMap, key: string, r: MatchableResource): void {
  const b = map.get(key);
  if (b === undefined) map.set(key, r);
  else if (Array.isArray(b)) b.push(r);
  else map.set(key, [b, r]);
}

const NONE: readonly MatchableResource[] = [];

function get(map: ReadonlyMap<string, Bucket> | undefined, key: string): readonly MatchableResource[] {
  const b = map?.get(key);
  return b === undefined ? NONE : Array.isArray(b) ? b : [b];
}

function kindMaps(byKind: Map<ResourceKind, KindMaps>, kind: ResourceKind): KindMaps {
  let m = byKind.get(kind);
  if (!m) {
    m = { byProviderId: new Map(), byName: new Map() };
    byKind.set(kind, m);
  }
  return m;
}

const byKindProviderId = (index: MatchIndex, kind: ResourceKind, providerId: string) => get(index.byKind.get(kind)?.byProviderId, providerId);

const byKindName = (index: MatchIndex, kind: ResourceKind, name: string) => get(index.byKind.get(kind)?.byName, name);

const SIZE_SUFFIX_RE = /\s*\(\s*\d+(?:\.\d+)?\s*(?:GB|GiB|G)\s*\)\s*$/i;

/** Snapshot name with DO's small variances removed: case, whitespace, `-`/`_`, size suffix. */
export function looseSnapshotName(name: string): string {
  return name
    .replace(SIZE_SUFFIX_RE, '')
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function attrString(attrs: Record<string, unknown>, key: string): string | null {
  const v = attrs[key];
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function regionOf(r: MatchableResource): string | null {
  if (r.region) return r.region;
  const region = r.attrs.region;
  if (typeof region === 'string') return region;
  if (region && typeof region === 'object' && typeof (region as { slug?: unknown }).slug === 'string') {
    return (region as { slug: string }).slug;
  }
  return null;
}

/**
 * Builds the lookup maps in one pass. Attributes read:
 * - droplet_backup: `attrs.droplet_id`, `attrs.droplet_name` (the parent droplet);
 * - snapshot: `attrs.resource_type` (`droplet` | `volume`);
 * - droplet: `attrs.backup_ids` (non-empty means backups are on);
 * - volume: `attrs.region` (slug or `{ slug }`), to tell same-named volumes apart.
 */
export function buildMatchIndex(resources: Iterable<MatchableResource>): MatchIndex {
  const byProviderId: BucketMap = new Map();
  const byKind = new Map<ResourceKind, KindMaps>();
  const snapshotsByLooseName: BucketMap = new Map();
  const backups: MatchableResource[] = [];
  const dropletsWithBackups = new Set<string>();
  let size = 0;
  for (const r of resources) {
    size++;
    add(byProviderId, r.providerId, r);
    const maps = kindMaps(byKind, r.kind);
    add(maps.byProviderId, r.providerId, r);
    const name = r.name.trim();
    if (name !== '') add(maps.byName, name, r);
    if (r.kind === 'snapshot' && name !== '') add(snapshotsByLooseName, looseSnapshotName(name), r);
    else if (r.kind === 'droplet_backup') backups.push(r);
    else if (r.kind === 'droplet') {
      const ids = r.attrs.backup_ids;
      if (Array.isArray(ids) && ids.length > 0) dropletsWithBackups.add(r.id);
    }
  }
  const dropletsByProviderId = byKind.get('droplet')?.byProviderId;
  const backupParentsByName: BucketMap = new Map();
  const seenParents = new Set<string>();
  for (const b of backups) {
    const dropletId = attrString(b.attrs, 'droplet_id');
    if (dropletId === null) continue;
    const parentName = attrString(b.attrs, 'droplet_name');
    for (const d of get(dropletsByProviderId, dropletId)) {
      dropletsWithBackups.add(d.id);
      const pair = `${parentName}\u0000${d.id}`;
      if (parentName !== null && !seenParents.has(pair)) {
        seenParents.add(pair);
        add(backupParentsByName, parentName, d);
      }
    }
  }
  return { byProviderId, byKind, snapshotsByLooseName, backupParentsByName, dropletsWithBackups, size };
}

const unmatched = (reason: UnmatchedReason, candidates: readonly MatchableResource[] = []): MatchOutcome => ({
  matched: false,
  reason,
  candidateIds: reason === 'AMBIGUOUS' ? [...new Set(candidates.map((c) => c.id))] : [],
});

const matched = (r: MatchableResource, method: AutoMatchMethod): MatchOutcome => ({
  matched: true,
  resourceId: r.id,
  method,
});

/** One fit → matched; several → AMBIGUOUS; none → null (the caller decides). */
function decide(candidates: readonly MatchableResource[], method: AutoMatchMethod): MatchOutcome | null {
  if (candidates.length === 0) return null;
  if (candidates.length === 1) return matched(candidates[0]!, method);
  return unmatched('AMBIGUOUS', candidates);
}

/** What a line's description says besides the name (see `narrow`). */
type LineFacts = { region?: string | null; plan?: string | null; gigabytes?: number | null };

/** Attributes that hold a resource's size or plan, by kind of value. */
const PLAN_ATTRS = ['size_slug', 'size', 'tier_slug'] as const;

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** True when the resource certainly did not exist during the line's period. */
function outsidePeriod(line: MatchableLine, r: MatchableResource): boolean {
  const end = line.endTime ?? null;
  const start = line.startTime ?? null;
  if (end && r.providerCreatedAt && r.providerCreatedAt.getTime() > end.getTime()) return true;
  if (start && r.staleSince && r.lifecycle === 'STALE' && r.staleSince.getTime() < start.getTime()) return true;
  return false;
}

/** How many of the line's changeable facts (plan/size, project) the resource contradicts. */
function contradictions(line: MatchableLine, facts: LineFacts, r: MatchableResource): number {
  let n = 0;
  const project = line.projectName?.trim();
  if (project && r.projectName != null && !same(project, r.projectName)) n++;
  if (facts.plan) {
    const plans = PLAN_ATTRS.map((k) => attrString(r.attrs, k)).filter((v): v is string => v !== null);
    if (plans.length > 0 && !plans.some((p) => same(p, facts.plan!))) n++;
  }
  if (facts.gigabytes != null) {
    const size = Number(attrString(r.attrs, 'size_gigabytes') ?? NaN);
    if (Number.isFinite(size) && size !== facts.gigabytes) n++;
  }
  return n;
}

/**
 * Same-name candidates that fit everything the line says (module doc, rule 5): first drops
 * those ruled out (another region, created after the line's end, stale before its start),
 * then keeps those contradicting the fewest changeable facts. Order-independent.
 */
function narrow(line: MatchableLine, facts: LineFacts, candidates: readonly MatchableResource[]): readonly MatchableResource[] {
  if (candidates.length === 0) return candidates;
  const region = facts.region?.toLowerCase() ?? null;
  const possible = candidates.filter((c) => {
    if (outsidePeriod(line, c)) return false;
    const r = region ? regionOf(c) : null;
    return !(region && r && r.toLowerCase() !== region);
  });
  if (possible.length <= 1) return possible;
  const scored = possible.map((c) => ({ c, n: contradictions(line, facts, c) }));
  const fewest = Math.min(...scored.map((s) => s.n));
  return scored.filter((s) => s.n === fewest).map((s) => s.c);
}

const BACKUP_PHRASE_RE = /\s*\((?:weekly |daily )?backup services?\)\s*$/i;
const VOLUME_RE = /^(.+?)\s*\(\s*([a-z0-9-]+)\s*\)\s*(\d+(?:\.\d+)?)\s*GB\s*$/i;
const PAREN_RE = /\(\s*([^()]*?)\s*\)/;
const BEFORE_PAREN_RE = /^([^(]+)/;
const IP_RE = /((?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})/i;

function beforeParen(text: string): string {
  return (BEFORE_PAREN_RE.exec(text)?.[1] ?? '').trim();
}

/** Name candidates to try in order: the whole text, then the part before ` (`. */
function nameVariants(text: string): string[] {
  const whole = text.trim();
  const prefix = beforeParen(whole);
  return [...new Set([whole, prefix].filter((n) => n !== ''))];
}

function byName(index: MatchIndex, kind: ResourceKind, names: readonly string[]): readonly MatchableResource[] {
  for (const n of names) {
    const hits = byKindName(index, kind, n);
    if (hits.length > 0) return hits;
  }
  return [];
}

function matchBackup(line: MatchableLine, index: MatchIndex): MatchOutcome {
  const dropletName = BACKUP_PHRASE_RE.test(line.description) ? line.description.replace(BACKUP_PHRASE_RE, '').trim() : beforeParen(line.description);
  if (dropletName === '') return unmatched('NO_CANDIDATE');
  let candidates = byKindName(index, 'droplet', dropletName);
  if (candidates.length === 0) candidates = get(index.backupParentsByName, dropletName);
  candidates = narrow(line, {}, candidates);
  if (candidates.length > 1) {
    const withBackups = candidates.filter((c) => index.dropletsWithBackups.has(c.id));
    if (withBackups.length === 1) candidates = withBackups;
  }
  return decide(candidates, 'PARENT_DROPLET_NAME') ?? unmatched('RESOURCE_DESTROYED');
}

function matchSnapshot(line: MatchableLine, index: MatchIndex): MatchOutcome {
  const name = line.description.replace(SIZE_SUFFIX_RE, '').trim();
  if (name === '') return unmatched('NO_CANDIDATE');
  const wanted = /\bvolume\b/i.test(line.product) ? 'volume' : /\bdroplet\b/i.test(line.product) ? 'droplet' : null;
  const fits = (r: MatchableResource): boolean => {
    if (wanted === null) return true;
    const t = attrString(r.attrs, 'resource_type');
    return t === null || t === wanted;
  };
  const exact = byKindName(index, 'snapshot', name).filter(fits);
  const loose = exact.length > 0 ? exact : get(index.snapshotsByLooseName, looseSnapshotName(name)).filter(fits);
  return decide(narrow(line, {}, loose), 'NAME') ?? unmatched('RESOURCE_DESTROYED');
}

function matchVolume(line: MatchableLine, index: MatchIndex): MatchOutcome {
  const m = VOLUME_RE.exec(line.description.trim());
  const names = m ? [m[1]!.trim()] : nameVariants(line.description);
  if (names.length === 0 || names[0] === '') return unmatched('NO_CANDIDATE');
  const facts: LineFacts = m ? { region: m[2]!, gigabytes: Number(m[3]) } : {};
  return decide(narrow(line, facts, byName(index, 'volume', names)), 'NAME') ?? unmatched('RESOURCE_DESTROYED');
}

function matchFloatingIp(line: MatchableLine, index: MatchIndex): MatchOutcome {
  const ip = IP_RE.exec(line.description)?.[1];
  if (!ip) return unmatched('NO_CANDIDATE');
  const byIp = byKindProviderId(index, 'floating_ip', ip);
  const candidates = byIp.length > 0 ? byIp : byName(index, 'floating_ip', [ip]);
  return decide(narrow(line, {}, candidates), 'NAME') ?? unmatched('RESOURCE_DESTROYED');
}

function matchK8s(line: MatchableLine, index: MatchIndex): MatchOutcome {
  const name = line.groupDescription?.trim() ?? '';
  if (name === '') return unmatched('NO_CANDIDATE');
  return decide(narrow(line, {}, byName(index, 'k8s_cluster', [name])), 'NAME') ?? unmatched('RESOURCE_DESTROYED');
}

function matchGeneric(kind: ResourceKind, line: MatchableLine, index: MatchIndex): MatchOutcome {
  const names = nameVariants(line.description);
  if (names.length === 0) return unmatched('NO_CANDIDATE');
  // `<name> (<size slug or plan>)`, as DigitalOcean bills droplets and databases.
  const facts: LineFacts = { plan: PAREN_RE.exec(line.description)?.[1] || null };
  return decide(narrow(line, facts, byName(index, kind, names)), 'NAME') ?? unmatched('RESOURCE_DESTROYED');
}

/** Matches one line; see the module doc for the order of rules. Pure; map lookups only, no scan of the inventory. */
export function matchLine(line: MatchableLine, derived: DerivedKind, index: MatchIndex): MatchOutcome {
  if (derived.reason !== null) return unmatched(derived.reason);
  const kind = derived.kind;
  if (kind === null) return unmatched('KIND_NOT_INVENTORIED');

  const uuid = line.resourceUuid?.trim() || null;
  const id = line.resourceProviderId?.trim() || null;
  if (uuid !== null) {
    const all = get(index.byProviderId, uuid);
    const sameKind = all.filter((r) => r.kind === kind);
    const outcome = decide(sameKind.length > 0 ? sameKind : all, 'RESOURCE_UUID');
    if (outcome) return outcome;
  }
  if (id !== null) {
    const sameKind = byKindProviderId(index, kind, id);
    const outcome = decide(sameKind, 'RESOURCE_ID') ?? (/^\d+$/.test(id) ? null : decide(get(index.byProviderId, id), 'RESOURCE_ID'));
    if (outcome) return outcome;
  }
  if (uuid !== null || id !== null) return unmatched('RESOURCE_DESTROYED');

  switch (kind) {
    case 'droplet_backup':
      return matchBackup(line, index);
    case 'snapshot':
      return matchSnapshot(line, index);
    case 'volume':
      return matchVolume(line, index);
    case 'floating_ip':
      return matchFloatingIp(line, index);
    case 'k8s_cluster':
      return matchK8s(line, index);
    default:
      return matchGeneric(kind, line, index);
  }
}
