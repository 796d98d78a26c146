import { parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { normalizeHours } from './do-invoice.js';
import { assignLineKeys, lineKeySteps } from './line-key.js';
import { formatMoney, MoneyParseError, parseMoney } from '../domain/money.js';
import { createSlicer, runStepsSliced, type Slicer } from './slice.js';
import { parseInvoiceTimestamp } from '../domain/timestamp.js';
import type { InvoiceInputError, InvoiceResult, ParsedInvoiceLine } from './types.js';

/**
 * DigitalOcean's invoice CSV (REFERENCE §6.5):
 * `product,group_description,description,hours,start,end,USD,project_name,category`.
 *
 * - Older exports have no `category` column (8 columns); it is then null on every line.
 * - Columns are found by name (case-insensitive, trimmed), so order does not matter;
 *   extra columns DO may add later are ignored rather than rejected. A missing required
 *   column is `INVALID_CSV`, naming the missing columns and any unknown ones (a renamed
 *   column usually shows as one of each).
 * - Amounts like `$3.11`, `-$21.04`, `1,234.56` (see `money.ts`); dates
 *   `2020-07-01 00:00:00 +0000` or ISO-8601; empty `hours` (tax rows), dates and optional
 *   text become null.
 * - Real CSV: quoted fields may contain commas, quotes and newlines; a UTF-8 BOM, CRLF
 *   line ends, blank and whitespace-only lines, rows of empty fields, trailing commas, and
 *   totals rows (`Total`, `Subtotal`, `Grand total`, or an amount-only row equal to the sum
 *   so far) are tolerated and skipped. A row without a product is a line of its own.
 * - Line numbers in errors are 1-based file lines, the header being line 1.
 * - Only a malformed file fails: a wrong header, unbalanced quotes, a row with missing
 *   fields, an amount, hours or date that is not one.
 *
 * Rows identical in every column are separate charges: the CSV has no resource id, so two
 * same-named droplets in one project running the whole month bill two identical rows. Each
 * is its own line, with a distinct key by occurrence (`line-key.ts`, as for API items).
 */

/** Largest CSV accepted, in bytes (20 MiB: a large account's invoice is well under 1 MiB). */
export const MAX_INVOICE_CSV_BYTES = 20 * 1024 * 1024;

/** Columns every invoice CSV must have. */
export const REQUIRED_CSV_COLUMNS = ['product', 'group_description', 'description', 'hours', 'start', 'end', 'USD', 'project_name'] as const;

/** Columns read when present. */
export const OPTIONAL_CSV_COLUMNS = ['category'] as const;

type Column = (typeof REQUIRED_CSV_COLUMNS)[number] | (typeof OPTIONAL_CSV_COLUMNS)[number];

const KNOWN_COLUMNS: readonly Column[] = [...REQUIRED_CSV_COLUMNS, ...OPTIONAL_CSV_COLUMNS];

/** Result of `parseInvoiceCsv`: the lines and their exact total, or a typed error. */
export type ParsedInvoiceCsv = InvoiceResult<{ lines: ParsedInvoiceLine[]; total: string }>;

function fail(error: InvoiceInputError): { ok: false; error: InvoiceInputError } {
  return { ok: false, error };
}

/** Checks a billing period `YYYY-MM` (month 01–12). */
export function validatePeriod(period: string): InvoiceResult<{ period: string }> {
  if (typeof period === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return { ok: true, period };
  return fail({
    code: 'INVALID_PERIOD',
    message: `invalid billing period ${JSON.stringify(period)}: expected YYYY-MM with a month from 01 to 12`,
  });
}

/** Byte offsets of every `\n` in the buffer, to turn record offsets into line numbers. */
function newlineOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  let i = buf.indexOf(10);
  while (i !== -1) {
    out.push(i);
    i = buf.indexOf(10, i + 1);
  }
  return out;
}

/** 1-based line of byte offset `at`: one more than the newlines before it. */
function lineAt(newlines: readonly number[], at: number): number {
  let lo = 0;
  let hi = newlines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (newlines[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

/** First byte at or after `from` that is not part of a blank line (CR/LF). */
function skipBlank(buf: Buffer, from: number): number {
  let i = from;
  while (i < buf.length && (buf[i] === 10 || buf[i] === 13)) i++;
  return i;
}

type CsvRecord = { record: string[]; info: { bytes: number } };

/** csv-parse options shared by the one-shot and the streaming reader. */
const CSV_OPTIONS = { bom: true, info: true, skip_empty_lines: true, relax_column_count: true } as const;

/** Bytes handed to the streaming parser between two turns of the event loop. */
const STREAM_CHUNK = 64 * 1024;

/** `Total`, `Subtotal`, `Grand total`, `Invoice total (USD)`: a row that sums others, not a charge. */
const TOTAL_LABEL_RE = /^\s*(?:sub-?\s*|grand\s+|invoice\s+)?totals?\b/i;

/** The checks before any parsing: size, emptiness. `{ buf }` when the input may be parsed. */
function precheck(input: string | Buffer): { buf: Buffer } | { ok: false; error: InvoiceInputError } {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > MAX_INVOICE_CSV_BYTES) {
    return fail({
      code: 'FILE_TOO_LARGE',
      message: `invoice CSV is ${size} bytes; the limit is ${MAX_INVOICE_CSV_BYTES} bytes (20 MiB)`,
    });
  }
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (isBlank(buf)) return fail({ code: 'EMPTY_FILE', message: 'invoice CSV is empty' });
  return { buf };
}

/** Nothing but a BOM and whitespace (checked on bytes, without decoding a large file). */
function isBlank(buf: Buffer): boolean {
  let i = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  for (; i < buf.length; i++) {
    const b = buf[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0b && b !== 0x0c) return false;
  }
  return true;
}

/** A csv-parse error as `INVALID_CSV`; anything else is rethrown. */
function csvError(err: unknown): { ok: false; error: InvoiceInputError } {
  const e = err as { code?: unknown; message?: unknown; lines?: unknown };
  if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
    return fail({
      code: 'INVALID_CSV',
      message: `invoice CSV is not valid CSV: ${String(e.message)}`,
      ...(typeof e.lines === 'number' ? { line: e.lines } : {}),
    });
  }
  throw err;
}

/**
 * Turns parsed records into invoice lines, one record at a time, so the same reading serves
 * the one-shot parse and the streaming one. `accept` returns an error to stop at, or null.
 */
class InvoiceRowReader {
  private readonly newlines: number[];
  private previousEnd: number;
  private header: { index: Map<Column, number>; width: number; needed: number } | null = null;
  readonly lines: Omit<ParsedInvoiceLine, 'lineKey'>[] = [];
  total = 0n;

  constructor(private readonly buf: Buffer) {
    this.newlines = newlineOffsets(buf);
    this.previousEnd = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  }

  accept(r: CsvRecord): { ok: false; error: InvoiceInputError } | null {
    const line = lineAt(this.newlines, skipBlank(this.buf, this.previousEnd));
    this.previousEnd = r.info.bytes;
    const fields = r.record;
    if (this.header === null) {
      const h = readHeader(fields);
      if (!h.ok) return h;
      this.header = { index: h.index, width: h.width, needed: Math.max(...h.index.values()) + 1 };
      return null;
    }
    // Whitespace-only lines and rows of empty fields (what a spreadsheet leaves at the end).
    if (fields.every((f) => f.trim() === '')) return null;
    const { index, width, needed } = this.header;
    // A trailing comma or an unnamed last column: extra or missing fields at the end are
    // tolerated when empty and beyond every named column; anything else is malformed.
    if (fields.length < needed || (fields.length > width && fields.slice(width).some((f) => f.trim() !== ''))) {
      return fail({
        code: 'INVALID_CSV',
        message: `line ${line}: expected ${width} fields as in the header, got ${fields.length}`,
        line,
      });
    }
    const raw = (c: Column): string => {
      const i = index.get(c);
      return i === undefined ? '' : (fields[i] ?? '').trim();
    };
    const opt = (c: Column): string | null => {
      const v = raw(c);
      return v === '' ? null : v;
    };

    const product = raw('product');
    const description = raw('description');
    const totalsShape = raw('hours') === '' && (product === '' || TOTAL_LABEL_RE.test(product)) && (description === '' || TOTAL_LABEL_RE.test(description));
    const labelled = TOTAL_LABEL_RE.test(product) || TOTAL_LABEL_RE.test(description) || TOTAL_LABEL_RE.test(raw('group_description'));
    if (totalsShape && labelled) return null;

    let cents: bigint;
    try {
      cents = parseMoney(raw('USD'));
    } catch (err) {
      if (!(err instanceof MoneyParseError)) throw err;
      return fail({ code: 'INVALID_AMOUNT', message: `line ${line}: ${err.message}`, line });
    }
    // An unlabelled amount-only row is a total only when it is the running total; otherwise
    // it is kept as a line rather than dropping money.
    if (totalsShape && this.lines.length > 0 && cents === this.total) return null;

    const hours = normalizeHours(raw('hours'));
    if (hours === undefined) {
      return fail({
        code: 'INVALID_CSV',
        message: `line ${line}: hours ${JSON.stringify(raw('hours'))} is not a number`,
        line,
      });
    }

    const times: (Date | null)[] = [];
    for (const c of ['start', 'end'] as const) {
      const v = raw(c);
      if (v === '') {
        times.push(null);
        continue;
      }
      const d = parseInvoiceTimestamp(v);
      if (d === null) {
        return fail({
          code: 'INVALID_DATE',
          message: `line ${line}: ${c} ${JSON.stringify(v)} is not a date like 2020-07-01 00:00:00 +0000`,
          line,
        });
      }
      times.push(d);
    }

    this.total += cents;
    this.lines.push({
      position: this.lines.length,
      product,
      groupDescription: opt('group_description'),
      description,
      amount: formatMoney(cents),
      hours,
      startTime: times[0] ?? null,
      endTime: times[1] ?? null,
      projectName: opt('project_name'),
      category: opt('category'),
      resourceUuid: null,
      resourceProviderId: null,
    });
    return null;
  }

  /** The error of a file without lines, or null. */
  emptiness(): { ok: false; error: InvoiceInputError } | null {
    if (this.header === null) return fail({ code: 'EMPTY_FILE', message: 'invoice CSV is empty' });
    if (this.lines.length === 0) return fail({ code: 'EMPTY_FILE', message: 'invoice CSV has a header but no lines', line: 1 });
    return null;
  }
}

/**
 * Parses DigitalOcean's invoice CSV in one go. Never throws on bad input: every problem comes
 * back as `{ ok: false, error: { code, message, line? } }` (codes in
 * `INVOICE_INPUT_ERROR_CODES`). For large input use `parseInvoiceCsvSliced` (same result).
 */
export function parseInvoiceCsv(input: string | Buffer): ParsedInvoiceCsv {
  const pre = precheck(input);
  if (!('buf' in pre)) return pre;
  let records: CsvRecord[];
  try {
    records = parse(pre.buf, CSV_OPTIONS) as unknown as CsvRecord[];
  } catch (err) {
    return csvError(err);
  }
  const reader = new InvoiceRowReader(pre.buf);
  for (const r of records) {
    const stop = reader.accept(r);
    if (stop) return stop;
  }
  const empty = reader.emptiness();
  if (empty) return empty;
  return { ok: true, lines: assignLineKeys(reader.lines), total: formatMoney(reader.total) };
}

/**
 * `parseInvoiceCsv` without blocking the event loop: csv-parse's streaming parser is fed
 * `STREAM_CHUNK` bytes per turn of the event loop, and reading rows and hashing line keys
 * yield whenever a slice of `SLICE_MS` is used up. Same lines and keys as `parseInvoiceCsv`;
 * a file with several problems is refused at the first one met in reading order (the one-shot
 * parse reports a CSV syntax error before any row's).
 */
export async function parseInvoiceCsvSliced(input: string | Buffer, slicer: Slicer = createSlicer()): Promise<ParsedInvoiceCsv> {
  const pre = precheck(input);
  if (!('buf' in pre)) return pre;
  const { buf } = pre;
  const reader = new InvoiceRowReader(buf);
  const parser = parseStream(CSV_OPTIONS);
  const pending: CsvRecord[] = [];
  let parseError: unknown = null;
  parser.on('data', (r: CsvRecord) => pending.push(r));
  parser.on('error', (err) => {
    parseError ??= err;
  });
  const ended = new Promise<void>((resolve) => {
    parser.on('end', resolve);
    parser.on('close', resolve);
  });
  const drain = async (): Promise<{ ok: false; error: InvoiceInputError } | null> => {
    for (let i = 0; i < pending.length; i++) {
      const stop = reader.accept(pending[i]!);
      if (stop) return stop;
      if (slicer.due()) await slicer.pause();
    }
    pending.length = 0;
    return null;
  };
  try {
    for (let at = 0; at < buf.length; at += STREAM_CHUNK) {
      parser.write(buf.subarray(at, at + STREAM_CHUNK));
      await slicer.pause();
      if (parseError) return csvError(parseError);
      const stop = await drain();
      if (stop) return stop;
    }
    parser.end();
    await ended;
    const stop = await drain();
    if (stop) return stop;
    if (parseError) return csvError(parseError);
  } finally {
    parser.destroy();
  }
  const empty = reader.emptiness();
  if (empty) return empty;
  return { ok: true, lines: await runStepsSliced(lineKeySteps(reader.lines), slicer), total: formatMoney(reader.total) };
}

function readHeader(fields: readonly string[]): { ok: true; index: Map<Column, number>; width: number } | { ok: false; error: InvoiceInputError } {
  const index = new Map<Column, number>();
  const unknown: string[] = [];
  const duplicated: string[] = [];
  fields.forEach((f, i) => {
    const name = f.trim();
    const known = KNOWN_COLUMNS.find((c) => c.toLowerCase() === name.toLowerCase());
    if (!known) {
      unknown.push(name);
      return;
    }
    if (index.has(known)) duplicated.push(known);
    else index.set(known, i);
  });
  const missing = REQUIRED_CSV_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0 || duplicated.length > 0) {
    const parts = [
      missing.length > 0 ? `missing column(s): ${missing.join(', ')}` : null,
      duplicated.length > 0 ? `repeated column(s): ${duplicated.join(', ')}` : null,
      unknown.length > 0 ? `unknown column(s): ${unknown.map((u) => JSON.stringify(u)).join(', ')}` : null,
    ].filter((p): p is string => p !== null);
    return {
      ok: false,
      error: {
        code: 'INVALID_CSV',
        message: `line 1: not a DigitalOcean invoice CSV header (expected ${[...REQUIRED_CSV_COLUMNS, ...OPTIONAL_CSV_COLUMNS].join(',')}); ${parts.join('; ')}`,
        line: 1,
      },
    };
  }
  return { ok: true, index, width: fields.length };
}
