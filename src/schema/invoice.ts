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
  description: "An invoice's unmatched lines of one reason.",
  fields: (t) => ({
    reason: t.field({ type: UnmatchedReasonEnum, description: 'Why these lines are unmatched.', resolve: (c) => c.reason }),
    count: t.exposeInt('count', { description: 'Lines with this reason.' }),
    amount: t.field({ type: 'Decimal', description: 'Their total amount.', resolve: (c) => c.amount }),
  }),
});

const MatchStatsRef = builder.objectRef<MatchStats>('MatchStats').implement({
  description: "How much of an invoice is matched to resources (for a tenant-scoped key, of the tenant's lines).",
  fields: (t) => ({
    lineCount: t.exposeInt('lineCount', { description: 'Lines of the invoice.' }),
    matchedCount: t.exposeInt('matchedCount', { description: 'Lines matched to a resource.' }),
    matchRate: t.exposeFloat('matchRate', { description: 'matchedCount / lineCount, 0..1.' }),
    amount: t.field({ type: 'Decimal', description: 'Sum of all lines.', resolve: (s) => s.amount }),
    matchedAmount: t.field({ type: 'Decimal', description: 'Sum of the matched lines.', resolve: (s) => s.matchedAmount }),
    attributableCount: t.exposeInt('attributableCount', {
      description: 'Lines that could belong to a resource: all but TAX, CREDIT and ACCOUNT_LEVEL.',
    }),
    currentResourceMatchRate: t.exposeFloat('currentResourceMatchRate', {
      description:
        'matchedCount / (attributableCount - lines unmatched as RESOURCE_DESTROYED), 0..1: how much of what the inventory could know about is matched.',
    }),
    unmatched: t.field({
      type: [UnmatchedReasonCountRef],
      description: 'Unmatched lines by reason (reasons without lines left out).',
      resolve: (s) => s.unmatched,
    }),
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
  description: 'A DigitalOcean invoice (or the month-to-date preview), from the API or a CSV, with its lines matched to resources.',
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
    source: t.expose('source', { type: InvoiceSourceEnum, description: 'Where the invoice came from.' }),
    ingestedAt: t.expose('ingestedAt', { type: 'DateTime', description: 'When it was (last) ingested.' }),
    lines: t.relatedConnection(
      'lines',
      {
        description: 'The lines in invoice order (for a tenant-scoped key, only the lines matched to its resources).',
        cursor: 'id',
        ...connectionSizes,
        totalCount: true,
        args: { filter: t.arg({ type: InvoiceLineFilterInput, description: 'Narrows the lines.' }) },
        query: (args, ctx) => {
          assertPageArgs(args as PageArgs);
          return { where: lineWhere(ctx, args.filter), orderBy: LINE_ORDER };
        },
      },
      InvoiceLineConnection,
    ),
    matchStats: t.field({
      type: MatchStatsRef,
      description: 'How much of the invoice is matched to resources.',
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
      args: { accountIds: t.arg.idList({ description: 'Only these accounts (default: every account the viewer may see).' }) },
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
    args: { providerUuid: t.arg.string({ required: true, description: 'DigitalOcean invoice uuid, or "preview".' }) },
    resolve: (query, _parent, args, ctx) =>
      ctx.db.prisma.invoice.findFirst({
        ...query,
        where: { AND: [invoiceScope(ctx), args.providerUuid === 'preview' ? { isPreview: true } : { providerUuid: args.providerUuid }] },
        orderBy: [{ period: 'desc' }, { ingestedAt: 'desc' }],
      }),
  }),
}));

const IngestInvoiceInput = builder.inputType('IngestInvoiceInput', {
  description: 'An invoice to ingest: providerUuid (from the API) or csv with period, not both.',
  fields: (t) => ({
    accountId: t.id({ description: 'Required when the server syncs more than one account.' }),
    providerUuid: t.string({ description: 'Fetch this invoice from the DigitalOcean API ("preview" for the month to date).' }),
    // Its own limit (20 MiB, FILE_TOO_LARGE) is the ingest's; this one only lifts the default
    // string maximum up to the request body limit (MAX_REQUEST_BODY_BYTES, 25 MB).
    csv: t.string({
      description:
        'Or: the text of a DigitalOcean invoice CSV (as the control panel exports it), at most 20 MiB (MAX_INVOICE_CSV_BYTES; FILE_TOO_LARGE beyond).',
      ...inputLimits({ maxLength: 25_000_000 }),
    }),
    period: t.string({ description: 'Billing month (YYYY-MM); required with csv.' }),
  }),
});

const IngestInvoicePayload = payloadType('IngestInvoicePayload', {
  invoice: { type: InvoiceRef, description: 'The stored invoice with its lines matched; null when userErrors say why not.' },
});
const RematchInvoicePayload = payloadType('RematchInvoicePayload', {
  invoice: { type: InvoiceRef, description: 'The invoice after rematching; null when userErrors say why not.' },
});

const toPayload = (r: IngestResult): typeof IngestInvoicePayload.$inferType =>
  r.ok ? { invoice: r.invoice, userErrors: [] } : { invoice: null, userErrors: [r.error] };

builder.mutationField('ingestInvoice', (t) =>
  t.field({
    type: IngestInvoicePayload,
    description:
      'Operators only. Stores an invoice and matches its lines to resources; ingesting the same invoice again replaces it (manual matches kept). ' +
      'userErrors: INVALID_INPUT (neither or both of providerUuid and csv), INVALID_PERIOD, INVALID_CSV, EMPTY_FILE, INVALID_AMOUNT, INVALID_DATE, FILE_TOO_LARGE, NOT_FOUND, UPSTREAM_ERROR.',
    args: { input: t.arg({ type: IngestInvoiceInput, required: true, description: 'The invoice to ingest.' }) },
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
  description: 'The invoice to match again.',
  fields: (t) => ({ invoiceId: t.id({ required: true, description: 'Global id of the invoice.' }) }),
});

builder.mutationField('rematchInvoice', (t) =>
  t.field({
    type: RematchInvoicePayload,
    description: 'Operators only. Matches the lines of an invoice again against the inventory as it is now, keeping manual matches. userErrors: NOT_FOUND.',
    args: { input: t.arg({ type: RematchInvoiceInput, required: true, description: 'The invoice to rematch.' }) },
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
