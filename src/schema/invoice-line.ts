import type { Context } from '../context.js';
import type { InvoiceLine, Prisma, Resource } from '../generated/prisma/client.js';
import { assertAccountOperator } from '../auth.js';
import { setManualMatch } from '../billing/rematch.js';
import { invoiceLineScope, invoiceMatchScope, resourceScope } from '../scope.js';
import { builder, decodeIdOf } from './builder.js';
import { MatchMethodEnum, ResourceKindEnum, UnmatchedReasonEnum } from './enums.js';
import { assertPageArgs, connectionSizes, namedConnection, type PageArgs } from './pagination.js';
import { payloadType } from './payload.js';

export const InvoiceLineFilterInput = builder.inputType('InvoiceLineFilter', {
  fields: (t) => ({
    matched: t.boolean(),
    reasons: t.field({ type: [UnmatchedReasonEnum] }),
    kinds: t.field({ type: [ResourceKindEnum] }),
  }),
});

type LineFilter = {
  matched?: boolean | null;
  reasons?: readonly InvoiceLine['unmatchedReason'][] | null;
  kinds?: readonly InvoiceLine['derivedKind'][] | null;
};

/** The contract's InvoiceLineFilter as a Prisma filter (matched ⇔ the line has no unmatched reason). */
export function lineWhere(ctx: Context, filter: LineFilter | null | undefined): Prisma.InvoiceLineWhereInput {
  const and: Prisma.InvoiceLineWhereInput[] = [invoiceLineScope(ctx)];
  if (filter?.matched === true) and.push({ match: { isNot: null } });
  if (filter?.matched === false) and.push({ match: { is: null } });
  const reasons = filter?.reasons?.filter((r): r is NonNullable<typeof r> => r !== null);
  if (reasons) and.push({ unmatchedReason: { in: reasons } });
  const kinds = filter?.kinds?.filter((k): k is NonNullable<typeof k> => k !== null);
  if (kinds) and.push({ derivedKind: { in: kinds } });
  return { AND: and };
}

export const LINE_ORDER: Prisma.InvoiceLineOrderByWithRelationInput[] = [{ position: 'asc' }, { id: 'asc' }];

export const InvoiceMatchRef = builder.prismaNode('InvoiceMatch', {
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, AND: [invoiceMatchScope(ctx)] }),
  nullable: true,
  fields: (t) => ({
    line: t.relation('line'),
    resource: t.relation('resource'),
    method: t.expose('method', { type: MatchMethodEnum }),
    manual: t.exposeBoolean('manual'),
    matchedAt: t.expose('matchedAt', { type: 'DateTime' }),
  }),
});

export const InvoiceLineRef = builder.prismaNode('InvoiceLine', {
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, AND: [invoiceLineScope(ctx)] }),
  nullable: true,
  fields: (t) => ({
    invoice: t.relation('invoice'),
    product: t.exposeString('product'),
    groupDescription: t.exposeString('groupDescription', { nullable: true }),
    description: t.exposeString('description'),
    amount: t.expose('amount', { type: 'Decimal' }),
    hours: t.float({ nullable: true, select: { hours: true }, resolve: (l) => (l.hours === null ? null : Number(l.hours)) }),
    startTime: t.expose('startTime', { type: 'DateTime', nullable: true }),
    endTime: t.expose('endTime', { type: 'DateTime', nullable: true }),
    projectName: t.exposeString('projectName', { nullable: true }),
    category: t.exposeString('category', { nullable: true }),
    resourceUuid: t.exposeString('resourceUuid', { nullable: true }),
    resourceProviderId: t.exposeString('resourceProviderId', { nullable: true }),
    derivedKind: t.expose('derivedKind', {
      type: ResourceKindEnum,
      nullable: true,
      description: 'The kind this line bills for, derived from product and description; null for tax, credits and account-level lines.',
    }),
    match: t.relation('match', { nullable: true, query: (_args, ctx) => ({ where: invoiceMatchScope(ctx) }) }),
    unmatchedReason: t.expose('unmatchedReason', { type: UnmatchedReasonEnum, nullable: true }),
    candidates: t.prismaField({
      type: ['Resource'],
      description: 'Resources that fit an AMBIGUOUS line.',
      select: { candidateIds: true },
      resolve: async (query, line, _args, ctx) => (line.candidateIds.length === 0 ? [] : (await candidateLoader(ctx, query))(line.candidateIds)),
    }),
  }),
});

export const InvoiceLineConnection = namedConnection(InvoiceLineRef, 'InvoiceLine');

builder.prismaObjectField('Resource', 'invoiceLines', (t) =>
  t.prismaConnection(
    {
      type: 'InvoiceLine',
      cursor: 'id',
      ...connectionSizes,
      description: 'Invoice lines matched to this resource, newest billing month first.',
      totalCount: (parent, _args, ctx) => ctx.db.prisma.invoiceLine.count({ where: { AND: [invoiceLineScope(ctx), { match: { resourceId: parent.id } }] } }),
      resolve: (query, parent, args, ctx) => {
        assertPageArgs(args as PageArgs);
        return ctx.db.prisma.invoiceLine.findMany({
          ...query,
          where: { AND: [invoiceLineScope(ctx), { match: { resourceId: parent.id } }] },
          orderBy: [{ invoice: { period: 'desc' } }, ...LINE_ORDER],
        });
      },
    },
    InvoiceLineConnection,
  ),
);

const MatchInvoiceLineInput = builder.inputType('MatchInvoiceLineInput', {
  fields: (t) => ({
    lineId: t.id({ required: true }),
    resourceId: t.id({ description: 'Null removes the match and marks the line as manually unmatched.' }),
  }),
});

const MatchInvoiceLinePayload = payloadType('MatchInvoiceLinePayload', { line: { type: InvoiceLineRef } });

builder.mutationField('matchInvoiceLine', (t) =>
  t.field({
    type: MatchInvoiceLinePayload,
    args: { input: t.arg({ type: MatchInvoiceLineInput, required: true }) },
    resolve: async (_parent, { input }, ctx) => {
      assertAccountOperator(ctx.viewer);
      const lineId = decodeIdOf('InvoiceLine', String(input.lineId), 'lineId');
      const resourceId = input.resourceId == null ? null : decodeIdOf('Resource', String(input.resourceId), 'resourceId');
      const r = await setManualMatch(ctx.db.prisma, ctx.accountIds, lineId, resourceId);
      if (!r.ok) return { line: null, userErrors: [{ code: r.code, message: r.message, path: ['input', r.field] }] };
      return { line: r.line, userErrors: [] };
    },
  }),
);

/**
 * Candidates of every line on a page in one query: requests made while the page resolves
 * (the same tick) are collected and loaded together, in name order, within the viewer's scope.
 */
function candidateLoader(ctx: Context, query: object) {
  return ctx.once('invoiceLineCandidates', async () => {
    type Pending = { ids: string[]; resolve(rows: Resource[]): void; reject(error: unknown): void };
    let pending: Pending[] = [];
    const flush = async () => {
      const batch = pending;
      pending = [];
      try {
        const rows = await ctx.db.prisma.resource.findMany({
          ...query,
          where: { AND: [resourceScope(ctx), { id: { in: [...new Set(batch.flatMap((b) => b.ids))] } }] },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
        });
        for (const b of batch) {
          const wanted = new Set(b.ids);
          b.resolve(rows.filter((r) => wanted.has(r.id)));
        }
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    };
    return (ids: string[]) =>
      new Promise<Resource[]>((resolve, reject) => {
        if (pending.length === 0) setImmediate(() => void flush());
        pending.push({ ids, resolve, reject });
      });
  });
}
