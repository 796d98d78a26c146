import type { Context } from '../context.js';
import { RESOURCE_KINDS, type ResourceKind } from '../domain/kinds.js';
import type { Prisma } from '../generated/prisma/client.js';
import { builder } from './builder.js';
import { ResourceKindEnum } from './enums.js';
import { ResourceFilterInput, resourceWhere } from './resource-filter.js';

type KindCount = { kind: ResourceKind; active: number; missing: number; stale: number };
type Summary = { total: number; byKind: KindCount[]; unattributed: number };

const KindCountRef = builder.objectRef<KindCount>('KindCount').implement({
  fields: (t) => ({
    kind: t.expose('kind', { type: ResourceKindEnum }),
    active: t.exposeInt('active'),
    missing: t.exposeInt('missing'),
    stale: t.exposeInt('stale'),
  }),
});

export const InventorySummaryRef = builder.objectRef<Summary>('InventorySummary').implement({
  fields: (t) => ({
    total: t.exposeInt('total'),
    byKind: t.field({ type: [KindCountRef], resolve: (s) => s.byKind }),
    unattributed: t.exposeInt('unattributed'),
  }),
});

builder.queryField('inventorySummary', (t) =>
  t.field({
    type: InventorySummaryRef,
    description: 'Counts per kind and lifecycle. Unlike `resources`, stale rows count unless the filter says otherwise.',
    args: { filter: t.arg({ type: ResourceFilterInput }) },
    resolve: (_parent, args, ctx) => summarize(ctx, resourceWhere(ctx, args.filter, { defaultLifecycle: false })),
  }),
);

/** Counts per kind and lifecycle of the resources of `where` (which carries the viewer's scope). */
export async function summarize(ctx: Context, where: Prisma.ResourceWhereInput): Promise<Summary> {
  const [groups, unattributed] = await Promise.all([
    ctx.db.prisma.resource.groupBy({ by: ['kind', 'lifecycle'], where, _count: { _all: true } }),
    ctx.db.prisma.resource.count({
      where: { AND: [where, { OR: [{ tenantId: null }, { tenant: { isFallback: true } }] }] },
    }),
  ]);
  const byKind = new Map<ResourceKind, KindCount>();
  let total = 0;
  for (const g of groups) {
    const entry = byKind.get(g.kind) ?? { kind: g.kind, active: 0, missing: 0, stale: 0 };
    const n = g._count._all;
    if (g.lifecycle === 'ACTIVE') entry.active += n;
    else if (g.lifecycle === 'MISSING') entry.missing += n;
    else entry.stale += n;
    total += n;
    byKind.set(g.kind, entry);
  }
  return {
    total,
    byKind: RESOURCE_KINDS.filter((k) => byKind.has(k)).map((k) => byKind.get(k)!),
    unattributed,
  };
}
