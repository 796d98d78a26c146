import { createHash, webcrypto } from 'node:crypto';
import { z } from 'zod';
import type { Invoice, PrismaClient } from '../generated/prisma/client.js';
import { DoError, isDoStatus } from '../digitalocean/errors.js';
import type { DoSession } from '../digitalocean/client.js';
import { MAX_INVOICE_CSV_BYTES, parseInvoiceCsvSliced, validatePeriod } from './csv.js';
import { linesFromApiItems } from './do-invoice.js';
import { ZDoInvoiceList, ZDoInvoiceListItem, type TDoInvoiceListItem } from '../digitalocean/schemas/invoices.js';
import { normalizeMoney } from '../domain/money.js';
import { utf8Sliced } from './slice.js';
import { loadMatchIndex, matchLines, replaceInvoice, type InvoiceHeader } from './store.js';
import type { InvoiceInputError, ParsedInvoiceLine } from './types.js';

/**
 * Invoice ingestion from DigitalOcean's API and from its CSV export. Each ingest parses and
 * validates everything first, matches against the inventory, then writes in one transaction
 * (`replaceInvoice`): a failed ingest changes nothing, and ingesting the same invoice again
 * replaces its lines, keeping manual decisions of lines whose identity did not change.
 *
 * Identities (one invoice row per identity and account):
 * - API invoice: `uuid:<invoice uuid>`;
 * - month-to-date preview: `preview:<YYYY-MM>` (refreshed in place every day);
 * - CSV: `csv:<YYYY-MM>` (a later export of the same month replaces the earlier one).
 */

/**
 * Stable codes of an ingest that did not happen (nothing was written):
 * - `INVALID_CSV`, `EMPTY_FILE`, `INVALID_AMOUNT`, `INVALID_DATE`, `FILE_TOO_LARGE`,
 *   `INVALID_PERIOD`: a malformed file or period (see `parseInvoiceCsv`; rows identical in
 *   every column are separate charges, never an error);
 * - `INVALID_INPUT`: a malformed invoice uuid, or neither/both of uuid and CSV;
 * - `NOT_FOUND`: DigitalOcean does not know the invoice uuid (or has no preview);
 * - `UPSTREAM_ERROR`: DigitalOcean failed (5xx after retries, network, malformed items), or
 *   no DigitalOcean client is configured.
 */
export const INGEST_ERROR_CODES = [
  'INVALID_CSV',
  'EMPTY_FILE',
  'INVALID_AMOUNT',
  'INVALID_DATE',
  'FILE_TOO_LARGE',
  'INVALID_PERIOD',
  'INVALID_INPUT',
  'NOT_FOUND',
  'UPSTREAM_ERROR',
] as const;
export type IngestErrorCode = (typeof INGEST_ERROR_CODES)[number];

/** Why an ingest did not happen. `path` is the GraphQL input path (`["input","csv","line 7"]`). */
export type IngestError = { code: IngestErrorCode; message: string; path: string[] };

export type IngestSuccess = {
  ok: true;
  invoice: Invoice;
  lineCount: number;
  matchedCount: number;
  /** Manual decisions carried over from the previous version of the same invoice. */
  carried: number;
  /** True when an invoice with the same identity existed and was replaced. */
  replaced: boolean;
};
export type IngestResult = IngestSuccess | { ok: false; error: IngestError };

const fail = (code: IngestErrorCode, message: string, path: string[]): { ok: false; error: IngestError } => ({
  ok: false,
  error: { code, message, path },
});

/** The literal that asks for the month-to-date preview instead of a closed invoice. */
export const PREVIEW = 'preview';

const INVOICE_UUID = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;
const INVOICES_PATH = '/v2/customers/my/invoices';

function hashLines(lines: readonly ParsedInvoiceLine[]): string {
  const h = createHash('sha256');
  for (const l of lines) h.update(l.lineKey).update('\u0000').update(l.amount).update('\n');
  return h.digest('hex');
}

async function store(prisma: PrismaClient, accountId: string, header: InvoiceHeader, lines: ParsedInvoiceLine[]): Promise<IngestSuccess> {
  const index = await loadMatchIndex(prisma, accountId);
  const result = await replaceInvoice(prisma, accountId, header, await matchLines(lines, index));
  return { ok: true, ...result };
}

/**
 * UTF-8 size of `text` without encoding it: at most 3 bytes per UTF-16 unit, at least one,
 * so most sizes are decided from `length` alone.
 */
function exceedsBytes(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return Buffer.byteLength(text, 'utf8') > limit;
}

function inputErrorPath(base: string[], e: InvoiceInputError): string[] {
  return e.line !== undefined ? [...base, `line ${e.line}`] : base;
}

/**
 * Ingests DigitalOcean's invoice CSV for `period` (`YYYY-MM`). The CSV has no resource ids,
 * so lines match by description. Input over `MAX_INVOICE_CSV_BYTES` is refused before parsing.
 * Parsing, matching and writing give the event loop a turn every few milliseconds
 * (`slice.ts`), so a 20 MiB file never freezes the server.
 */
export async function ingestCsv(prisma: PrismaClient, accountId: string, csv: string, period: string): Promise<IngestResult> {
  if (exceedsBytes(csv, MAX_INVOICE_CSV_BYTES)) {
    return fail('FILE_TOO_LARGE', `invoice CSV is over the limit of ${MAX_INVOICE_CSV_BYTES} bytes (20 MiB)`, ['input', 'csv']);
  }
  const p = validatePeriod(period);
  if (!p.ok) return fail('INVALID_PERIOD', p.error.message, ['input', 'period']);
  // Encoded and hashed without blocking: the digest runs on libuv's thread pool.
  const buf = await utf8Sliced(csv);
  const contentHash = Buffer.from(await webcrypto.subtle.digest('SHA-256', buf)).toString('hex');
  const parsed = await parseInvoiceCsvSliced(buf);
  if (!parsed.ok) {
    const e = parsed.error;
    const code: IngestErrorCode = e.code === 'INVALID_ITEM' ? 'INVALID_CSV' : e.code;
    return fail(code, e.message, inputErrorPath(['input', 'csv'], e));
  }
  return store(
    prisma,
    accountId,
    {
      identity: `csv:${period}`,
      providerUuid: null,
      invoiceNumber: null,
      period,
      amount: parsed.total,
      source: 'CSV',
      isPreview: false,
      contentHash,
    },
    parsed.lines,
  );
}

function upstream(err: unknown, what: string): { ok: false; error: IngestError } {
  if (isDoStatus(err, 404)) return fail('NOT_FOUND', `DigitalOcean has no ${what}`, ['input', 'providerUuid']);
  if (err instanceof DoError) return fail('UPSTREAM_ERROR', `could not fetch ${what} from DigitalOcean: ${err.message}`, ['input', 'providerUuid']);
  throw err;
}

/** The month-to-date preview's list entry (period, amount), from the first page of the invoice list. */
async function previewMeta(session: DoSession): Promise<TDoInvoiceListItem | null> {
  const list = await session.get(INVOICES_PATH, ZDoInvoiceList, { per_page: '1' });
  return list.invoice_preview ?? null;
}

/** Every closed invoice DigitalOcean lists for the account. */
export async function listInvoices(session: DoSession): Promise<TDoInvoiceListItem[]> {
  const out: TDoInvoiceListItem[] = [];
  for await (const page of session.pages({ path: INVOICES_PATH, envelope: 'invoices', item: ZDoInvoiceListItem })) out.push(...page);
  return out;
}

/**
 * Ingests one invoice from the API: `uuidOrPreview` is an invoice uuid or `"preview"` (the
 * month to date). Period, amount and invoice number come from the invoice list (pass
 * `known` when the caller already listed); items are read from every page of
 * `…/invoices/{uuid}` before anything is written.
 */
export async function ingestFromApi(
  prisma: PrismaClient,
  accountId: string,
  session: DoSession,
  uuidOrPreview: string,
  known?: TDoInvoiceListItem,
): Promise<IngestResult> {
  const isPreview = uuidOrPreview === PREVIEW;
  if (!isPreview && !INVOICE_UUID.test(uuidOrPreview)) {
    return fail('INVALID_INPUT', `"${uuidOrPreview.slice(0, 80)}" is not a DigitalOcean invoice uuid`, ['input', 'providerUuid']);
  }
  const what = isPreview ? 'invoice preview' : `invoice ${uuidOrPreview}`;
  let meta: TDoInvoiceListItem | null | undefined = known;
  const items: unknown[] = [];
  try {
    if (!meta) meta = isPreview ? await previewMeta(session) : (await listInvoices(session)).find((i) => i.invoice_uuid === uuidOrPreview);
    if (!meta) return fail('NOT_FOUND', `DigitalOcean lists no ${what}`, ['input', 'providerUuid']);
    const path = `${INVOICES_PATH}/${isPreview ? PREVIEW : encodeURIComponent(uuidOrPreview)}`;
    for await (const page of session.pages({ path, envelope: 'invoice_items', item: z.unknown() })) items.push(...page);
  } catch (err) {
    return upstream(err, what);
  }
  const parsed = linesFromApiItems(items);
  if (!parsed.ok) {
    const e = parsed.error;
    return fail(e.code === 'INVALID_AMOUNT' || e.code === 'INVALID_DATE' ? e.code : 'UPSTREAM_ERROR', `DigitalOcean sent an invalid ${what}: ${e.message}`, [
      'input',
      'providerUuid',
    ]);
  }
  const period = meta.invoice_period;
  return store(
    prisma,
    accountId,
    {
      identity: isPreview ? `preview:${period}` : `uuid:${meta.invoice_uuid}`,
      providerUuid: meta.invoice_uuid,
      invoiceNumber: meta.invoice_id ?? null,
      period,
      // DO's own total when it gives one; the lines' sum otherwise.
      amount: meta.amount ? normalizeMoney(meta.amount) : parsed.total,
      source: 'API',
      isPreview,
      contentHash: hashLines(parsed.lines),
    },
    parsed.lines,
  );
}

/** What one run of the INVOICES worker did. */
export type IngestClosedResult = {
  /** Closed invoices DigitalOcean lists. */
  listed: number;
  /** Closed invoices ingested in this run (not held before). */
  ingested: number;
  /** Closed invoices already held, left alone. */
  skipped: number;
  /** Lines of the refreshed preview, or null when DigitalOcean has none. */
  previewLines: number | null;
  /** Invoices that could not be ingested (each left unchanged); the others went ahead. */
  failed: { uuid: string; error: IngestError }[];
};

/**
 * The INVOICES worker: lists invoices, ingests each closed one the account does not hold
 * yet, and refreshes the month-to-date preview.
 * @throws DoError when the invoice list itself cannot be read (nothing is written then).
 */
export async function ingestClosedInvoices(prisma: PrismaClient, accountId: string, session: DoSession): Promise<IngestClosedResult> {
  const listed = await listInvoices(session);
  const held = new Set(
    (
      await prisma.invoice.findMany({
        where: { accountId, identity: { in: listed.map((i) => `uuid:${i.invoice_uuid}`) } },
        select: { identity: true },
      })
    ).map((i) => i.identity),
  );
  const result: IngestClosedResult = { listed: listed.length, ingested: 0, skipped: 0, previewLines: null, failed: [] };
  for (const item of listed) {
    if (held.has(`uuid:${item.invoice_uuid}`)) {
      result.skipped++;
      continue;
    }
    const r = await ingestFromApi(prisma, accountId, session, item.invoice_uuid, item);
    if (r.ok) result.ingested++;
    else result.failed.push({ uuid: item.invoice_uuid, error: r.error });
  }
  const preview = await ingestFromApi(prisma, accountId, session, PREVIEW);
  if (preview.ok) result.previewLines = preview.lineCount;
  else if (preview.error.code !== 'NOT_FOUND') result.failed.push({ uuid: PREVIEW, error: preview.error });
  return result;
}
