import type { GraphQLError } from 'graphql';
import type { Context } from '../context.js';
import type { Prisma } from '../generated/prisma/client.js';
import { assertAccountOperator } from '../auth.js';
import { ingestCsv, ingestFromApi, type IngestResult } from '../billing/ingest.js';
import { parseMoney } from '../domain/money.js';
import { rematchInvoice } from '../billing/rematch.js';
import { statsFromGroups, type MatchStats } from '../billing/match-stats.js';
import { apiError } from '../domain/error-codes.js';
import { builder, decodeIdOf } from './builder.js';
import { InvoiceSourceEnum, UnmatchedReasonEnum } from './enums.js';
import { InvoiceLineConnection, InvoiceLineFilterInput, LINE_ORDER, lineWhere } from './invoice-line.js';
import { invoiceLineScope, invoiceScope, isScoped } from '../scope.js';
import { assertPageArgs, connectionSizes, namedConnection, type PageArgs } from './pagination.js';
import { payloadType, userError, type UserErrorShape } from './payload.js';
import { accountsArg, inputAccount } from './account-args.js';
import { inputLimits } from './request-limits.js';

const UnmatchedReasonCountRef = builder.objectRef<MatchStats['unmatched'][number]>('UnmatchedReasonCount').implement({
  fields: (t) => ({
    reason: t.field({ type: UnmatchedReasonEnum, resolve: (c) => c.reason }),
    count: t.exposeInt('count'),
    amount: t.field({ type: 'Decimal', resolve: (c) => c.amount }),
  }),
});

const MatchStatsRef = builder.objectRef<MatchStats>('MatchStats').implement({
  fields: (t) => ({
    lineCount: t.exposeInt('lineCount'),
    matchedCount: t.exposeInt('matchedCount'),
    matchRate: t.exposeFloat('matchRate', { description: 'matchedCount / lineCount, 0..1.' }),
    amount: t.field({ type: 'Decimal', resolve: (s) => s.amount }),
    matchedAmount: t.field({ type: 'Decimal', resolve: (s) => s.matchedAmount }),
    attributableCount: t.exposeInt('attributableCount', {
      description: 'Lines that could belong to a resource: all but TAX, CREDIT and ACCOUNT_LEVEL.',
    }),
    currentResourceMatchRate: t.exposeFloat('currentResourceMatchRate', {
      description:
        'matchedCount / (attributableCount - lines unmatched as RESOURCE_DESTROYED), 0..1: how much of what the inventory could know about is matched.',
    }),
    unmatched: t.field({ type: [UnmatchedReasonCountRef], resolve: (s) => s.unmatched }),
  }),
});

/**
 * Match stats of an invoice from one GROUP BY over its lines (a matched line is exactly a
 * line without an unmatched reason), with the same formulas as `computeMatchStats`.
 */
async function matchStatsOf(ctx: Context, invoiceId: string): Promise<MatchStats> {
  const groups = await ctx.db.prisma.invoiceLine.groupBy({
    by: ['unmatchedReason'],
    where: { AND: [invoiceLineScope(ctx), { invoiceId }] },
    _count: { _all: true },
    _sum: { amount: true },
  });
  return statsFromGroups(
    groups.map((g) => ({
      reason: g.unmatchedReason,
      count: g._count._all,
      cents: g._sum.amount ? parseMoney(g._sum.amount.toFixed(2)) : 0n,
    })),
  );
}

export const InvoiceRef = builder.prismaNode('Invoice', {
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, AND: [invoiceScope(ctx)] }),
  nullable: true,
  fields: (t) => ({
    providerUuid: t.exposeString('providerUuid', {
      nullable: true,
      description: 'DigitalOcean invoice uuid; null for a CSV ingested without one.',
    }),
    period: t.exposeString('period', { description: 'Billing month, YYYY-MM.' }),
    amount: t.field({
      type: 'Decimal',
      select: { id: true, amount: true },
      description: "DigitalOcean's invoice total (the lines' sum where DigitalOcean gives none); for a tenant-scoped key, the sum of its lines.",
      resolve: async (invoice, _args, ctx) => {
        if (!isScoped(ctx)) return invoice.amount;
        const sum = await ctx.db.prisma.invoiceLine.aggregate({ where: { AND: [invoiceLineScope(ctx), { invoiceId: invoice.id }] }, _sum: { amount: true } });
        return sum._sum.amount ?? '0.00';
      },
    }),
    source: t.expose('source', { type: InvoiceSourceEnum }),
    ingestedAt: t.expose('ingestedAt', { type: 'DateTime' }),
    lines: t.relatedConnection(
      'lines',
      {
        cursor: 'id',
        ...connectionSizes,
        totalCount: true,
        args: { filter: t.arg({ type: InvoiceLineFilterInput }) },
        query: (args, ctx) => {
          assertPageArgs(args as PageArgs);
          return { where: lineWhere(ctx, args.filter), orderBy: LINE_ORDER };
        },
      },
      InvoiceLineConnection,
    ),
    matchStats: t.field({
      type: MatchStatsRef,
      select: { id: true },
      resolve: (invoice, _args, ctx) => matchStatsOf(ctx, invoice.id),
    }),
  }),
});

export const InvoiceConnection = namedConnection(InvoiceRef, 'Invoice');

function invoiceWhere(ctx: Context, accountIds: readonly (string | number)[] | null | undefined): Prisma.InvoiceWhereInput {
  return { AND: [invoiceScope(ctx), accountIds ? { accountId: { in: [...accountsArg(ctx, accountIds, 'accountIds')] } } : {}] };
}

builder.queryFields((t) => ({
  invoices: t.prismaConnection(
    {
      type: 'Invoice',
      cursor: 'id',
      ...connectionSizes,
      description: 'Invoices, newest billing month first.',
      args: { accountIds: t.arg.idList() },
      totalCount: (_parent, args, ctx) => ctx.db.prisma.invoice.count({ where: invoiceWhere(ctx, args.accountIds) }),
      resolve: (query, _parent, args, ctx) => {
        assertPageArgs(args);
        return ctx.db.prisma.invoice.findMany({
          ...query,
          where: invoiceWhere(ctx, args.accountIds),
          orderBy: [{ period: 'desc' }, { ingestedAt: 'desc' }, { id: 'asc' }],
        });
      },
    },
    InvoiceConnection,
  ),
  invoice: t.prismaField({
    type: 'Invoice',
    nullable: true,
    description: 'An invoice by its DigitalOcean uuid; "preview" finds the latest month-to-date preview.',
    args: { providerUuid: t.arg.string({ required: true }) },
    resolve: (query, _parent, args, ctx) =>
      ctx.db.prisma.invoice.findFirst({
        ...query,
        where: { AND: [invoiceScope(ctx), args.providerUuid === 'preview' ? { isPreview: true } : { providerUuid: args.providerUuid }] },
        orderBy: [{ period: 'desc' }, { ingestedAt: 'desc' }],
      }),
  }),
}));

const IngestInvoiceInput = builder.inputType('IngestInvoiceInput', {
  fields: (t) => ({
    accountId: t.id({ description: 'Required when the server syncs more than one account.' }),
    providerUuid: t.string({ description: 'Fetch this invoice from the DigitalOcean API ("preview" for the month to date).' }),
    // Its own limit (20 MiB, FILE_TOO_LARGE) is the ingest's; this one only lifts the default
    // string maximum up to the request body limit (graphql-yoga's 25 MB).
    csv: t.string({ description: 'Or: the text of a DigitalOcean invoice CSV.', ...inputLimits({ maxLength: 25_000_000 }) }),
    period: t.string({ description: 'Billing month (YYYY-MM); required with csv.' }),
  }),
});

const IngestInvoicePayload = payloadType('IngestInvoicePayload', { invoice: { type: InvoiceRef } });
const RematchInvoicePayload = payloadType('RematchInvoicePayload', { invoice: { type: InvoiceRef } });

const toPayload = (r: IngestResult): typeof IngestInvoicePayload.$inferType =>
  r.ok ? { invoice: r.invoice, userErrors: [] } : { invoice: null, userErrors: [r.error] };

builder.mutationField('ingestInvoice', (t) =>
  t.field({
    type: IngestInvoicePayload,
    args: { input: t.arg({ type: IngestInvoiceInput, required: true }) },
    resolve: async (_parent, { input }, ctx) => {
      assertAccountOperator(ctx.viewer);
      const errors: UserErrorShape[] = [];
      const account = inputAccount(ctx, input.accountId, errors);
      if (!account) return { invoice: null, userErrors: errors };
      const hasUuid = input.providerUuid != null && input.providerUuid !== '';
      const hasCsv = input.csv != null;
      if (hasUuid === hasCsv) {
        return {
          invoice: null,
          userErrors: [userError('INVALID_INPUT', 'give either providerUuid or csv (with period), not both', ['input'])],
        };
      }
      if (hasCsv) {
        if (input.period == null) {
          return { invoice: null, userErrors: [userError('INVALID_PERIOD', 'period (YYYY-MM) is required with csv', ['input', 'period'])] };
        }
        return toPayload(await ingestCsv(ctx.db.prisma, account.id, input.csv!, input.period));
      }
      if (!account.client) {
        return {
          invoice: null,
          userErrors: [userError('UPSTREAM_ERROR', 'no DigitalOcean API client is configured', ['input', 'providerUuid'])],
        };
      }
      return toPayload(await ingestFromApi(ctx.db.prisma, account.id, account.client.session(), input.providerUuid!));
    },
  }),
);

const RematchInvoiceInput = builder.inputType('RematchInvoiceInput', {
  fields: (t) => ({ invoiceId: t.id({ required: true }) }),
});

builder.mutationField('rematchInvoice', (t) =>
  t.field({
    type: RematchInvoicePayload,
    args: { input: t.arg({ type: RematchInvoiceInput, required: true }) },
    resolve: async (_parent, { input }, ctx) => {
      assertAccountOperator(ctx.viewer);
      const invoiceId = decodeIdOf('Invoice', String(input.invoiceId), 'invoiceId');
      const r = await rematchInvoice(ctx.db.prisma, ctx.accountIds, invoiceId);
      if (!r.ok) return { invoice: null, userErrors: [{ code: r.code, message: r.message, path: ['input', 'invoiceId'] }] };
      const invoice = await ctx.db.prisma.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
      return { invoice, userErrors: [] };
    },
  }),
);

/** For resolvers of other files: a GraphQLError for a malformed billing period argument. */
export function invalidPeriod(period: string): GraphQLError {
  return apiError('BAD_USER_INPUT', `period must be YYYY-MM, got ${JSON.stringify(period.slice(0, 20))}`, { extensions: { argument: 'period' } });
}
