import type { ResourceKind } from '../domain/kinds.js';
import { canonicalUrn } from '../domain/urn.js';
import { commitChange, type CommitDeps } from '../events/commit.js';
import { NO_CHANGE, type ChangeCounts } from '../events/counts.js';
import type { EventDraft } from '../events/types.js';
import { attribute, attributionSql } from './attribution.js';
import type { NormalizedResource } from './kinds/types.js';

export type UpsertContext = {
  accountId: string;
  fallbackTenantId: string;
  syncRunId: string | null;
  kind: ResourceKind;
};

type Stored = {
  id: string;
  providerId: string;
  name: string;
  status: string | null;
  region: string | null;
  attrs: unknown;
  parentUrn: string | null;
  providerCreatedAt: Date | null;
  lifecycle: string;
  placeholder: boolean;
};

/** JSON with sorted keys: PostgreSQL's jsonb reorders keys, so plain stringify would differ. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

function sameRow(stored: Stored, row: NormalizedResource): boolean {
  return (
    stored.name === row.name &&
    stored.status === row.status &&
    stored.region === row.region &&
    (stored.parentUrn ?? null) === (row.parentUrn ?? null) &&
    (stored.providerCreatedAt?.getTime() ?? null) === (row.providerCreatedAt?.getTime() ?? null) &&
    stored.lifecycle === 'ACTIVE' &&
    !stored.placeholder &&
    stableJson(stored.attrs) === stableJson(row.attrs)
  );
}

/**
 * The one write path of synced resources: compares a batch with what is stored, writes only
 * new and changed rows in one set-based INSERT ... ON CONFLICT, attributes them, and stores
 * their events in the same transaction. A batch with no change costs one SELECT and no write.
 */
export async function upsertBatch(deps: CommitDeps, ctx: UpsertContext, batch: NormalizedResource[]): Promise<ChangeCounts> {
  const rows = [...new Map(batch.map((r) => [r.providerId, r])).values()];
  if (rows.length === 0) return NO_CHANGE;
  const stored = await deps.db.sql.query<Stored>(
    `SELECT id, "providerId", name, status, region, attrs, "parentUrn", "providerCreatedAt", lifecycle::text AS lifecycle, placeholder
     FROM "Resource" WHERE "accountId" = $1::uuid AND kind = $2::"ResourceKind" AND "providerId" = ANY($3::text[])`,
    [ctx.accountId, ctx.kind, rows.map((r) => r.providerId)],
  );
  const byId = new Map(stored.map((s) => [s.providerId, s]));
  const writes = rows.filter((r) => {
    const s = byId.get(r.providerId);
    return !s || !sameRow(s, r);
  });
  const unchanged = rows.length - writes.length;
  if (writes.length === 0) return { ...NO_CHANGE, unchanged };

  const { counts } = await commitChange(deps, { syncRunId: ctx.syncRunId }, async (tx) => {
    // New rows are written once, with their attribution; existing rows keep theirs.
    const rule = attributionSql({
      account: '$1::uuid',
      kind: '$2::"ResourceKind"',
      providerId: 'u.pid',
      parentUrn: 'u.parent',
      source: 'NULL',
      tenant: 'NULL::uuid',
      fallback: '$11::uuid',
    });
    const written = await tx.query<{ id: string; providerId: string; status: string | null; parentUrn: string | null }>(
      `INSERT INTO "Resource" (id, "accountId", kind, "providerId", urn, name, status, region, attrs, placeholder, "parentUrn",
         "providerCreatedAt", "projectId", "tenantId", "tenantSource", lifecycle, "missedSyncs", "firstSeenAt", "lastSeenAt", "updatedAt")
       SELECT gen_random_uuid(), $1::uuid, $2::"ResourceKind", u.pid, u.urn, u.name, u.status, u.region, u.attrs::jsonb, false, u.parent,
         u.created::timestamp, ${rule.project}, ${rule.tenant}, ${rule.source}, 'ACTIVE', 0, now(), now(), now()
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS u(pid, urn, name, status, region, attrs, parent, created)
       ${rule.joins}
       ON CONFLICT ("accountId", kind, "providerId") DO UPDATE SET
         urn = EXCLUDED.urn, name = EXCLUDED.name, status = EXCLUDED.status, region = EXCLUDED.region, attrs = EXCLUDED.attrs,
         placeholder = false, "parentUrn" = EXCLUDED."parentUrn", "providerCreatedAt" = EXCLUDED."providerCreatedAt",
         lifecycle = 'ACTIVE', "missedSyncs" = 0, "staleSince" = NULL, "lastSeenAt" = now(), "updatedAt" = now()
       RETURNING id, "providerId", status, "parentUrn"`,
      [
        ctx.accountId,
        ctx.kind,
        writes.map((r) => r.providerId),
        writes.map((r) => canonicalUrn(ctx.kind, r.providerId, r.attrs)),
        writes.map((r) => r.name),
        writes.map((r) => r.status),
        writes.map((r) => r.region),
        writes.map((r) => stableJson(r.attrs)),
        writes.map((r) => r.parentUrn ?? null),
        writes.map((r) => r.providerCreatedAt?.toISOString() ?? null),
        ctx.fallbackTenantId,
      ],
    );
    const created = new Set<string>();
    // Existing rows whose parent changed (or placeholders becoming real) need the rule again.
    const toAttribute: string[] = [];
    const drafts: EventDraft[] = [];
    for (const w of written) {
      const before = byId.get(w.providerId);
      if (before && ((before.parentUrn ?? null) !== (w.parentUrn ?? null) || before.placeholder)) toAttribute.push(w.id);
      if (!before) {
        created.add(w.id);
        drafts.push({ resourceId: w.id, type: 'CREATED', from: null, to: w.status });
        continue;
      }
      if (before.placeholder) drafts.push({ resourceId: w.id, type: 'CREATED', from: 'placeholder', to: w.status });
      if (before.lifecycle !== 'ACTIVE') drafts.push({ resourceId: w.id, type: 'REVIVED', from: before.lifecycle, to: 'ACTIVE' });
      if (before.status !== w.status) drafts.push({ resourceId: w.id, type: 'STATUS_CHANGED', from: before.status, to: w.status });
    }
    const attribution = await attribute(tx, {
      accountId: ctx.accountId,
      fallbackTenantId: ctx.fallbackTenantId,
      resourceIds: toAttribute,
      quiet: created,
    });
    return { events: [...drafts, ...attribution], updated: writes.length - created.size, unchanged };
  });
  return counts;
}
