import { parse } from 'csv-parse/sync';
import { normalizeHours } from './do-invoice.js';
import { assignLineKeys } from './line-key.js';
import { formatMoney, MoneyParseError, parseMoney } from './money.js';
import { parseInvoiceTimestamp } from './timestamp.js';
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
 *   line ends and blank lines are tolerated.
 * - Line numbers in errors are 1-based file lines, the header being line 1.
 *
 * Duplicate policy: two rows identical in every column are rejected as `DUPLICATE_LINE`
 * (with both line numbers). DO bills each charge once per row with its own hours and
 * period, so an exact repeat is taken for a copy-paste or concatenation mistake rather
 * than a charge; no DO source shows one. (The API path keeps repeated items instead, giving
 * them distinct keys by occurrence: there the content comes from DO itself.)
 */

/** Largest CSV accepted, in bytes (20 MiB: a large account's invoice is well under 1 MiB). */
export const MAX_INVOICE_CSV_BYTES = 20 * 1024 * 1024;

/** Columns every invoice CSV must have. */
export const REQUIRED_CSV_COLUMNS = [
  'product',
  'group_description',
  'description',
  'hours',
  'start',
  'end',
  'USD',
  'project_name',
] as const;

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

/**
 * Parses DigitalOcean's invoice CSV. Never throws on bad input: every problem comes back as
 * `{ ok: false, error: { code, message, line? } }` (codes in `INVOICE_INPUT_ERROR_CODES`).
 */
export function parseInvoiceCsv(input: string | Buffer): ParsedInvoiceCsv {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > MAX_INVOICE_CSV_BYTES) {
    return fail({
      code: 'FILE_TOO_LARGE',
      message: `invoice CSV is ${size} bytes; the limit is ${MAX_INVOICE_CSV_BYTES} bytes (20 MiB)`,
    });
  }
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const text = buf.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return fail({ code: 'EMPTY_FILE', message: 'invoice CSV is empty' });

  let records: CsvRecord[];
  try {
    records = parse(buf, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as CsvRecord[];
  } catch (err) {
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

  const newlines = newlineOffsets(buf);
  let previousEnd = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const located = records.map((r) => {
    const line = lineAt(newlines, skipBlank(buf, previousEnd));
    previousEnd = r.info.bytes;
    return { fields: r.record, line };
  });
  const [header, ...rows] = located;
  if (!header) return fail({ code: 'EMPTY_FILE', message: 'invoice CSV is empty' });

  const headerResult = readHeader(header.fields);
  if (!headerResult.ok) return headerResult;
  const { index, width } = headerResult;

  if (rows.length === 0) {
    return fail({ code: 'EMPTY_FILE', message: 'invoice CSV has a header but no lines', line: 1 });
  }

  const seen = new Map<string, number>();
  const lines: Omit<ParsedInvoiceLine, 'lineKey'>[] = [];
  let total = 0n;
  for (const { fields, line } of rows) {
    if (fields.length !== width) {
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

    const rowKey = JSON.stringify(fields.map((f) => f.trim()));
    const firstLine = seen.get(rowKey);
    if (firstLine !== undefined) {
      return fail({
        code: 'DUPLICATE_LINE',
        message: `line ${line} repeats line ${firstLine} exactly`,
        line,
        lines: [firstLine, line],
      });
    }
    seen.set(rowKey, line);

    const product = raw('product');
    if (product === '') return fail({ code: 'INVALID_CSV', message: `line ${line}: empty product`, line });

    let cents: bigint;
    try {
      cents = parseMoney(raw('USD'));
    } catch (err) {
      if (!(err instanceof MoneyParseError)) throw err;
      return fail({ code: 'INVALID_AMOUNT', message: `line ${line}: ${err.message}`, line });
    }

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

    total += cents;
    lines.push({
      position: lines.length,
      product,
      groupDescription: opt('group_description'),
      description: raw('description'),
      amount: formatMoney(cents),
      hours,
      startTime: times[0] ?? null,
      endTime: times[1] ?? null,
      projectName: opt('project_name'),
      category: opt('category'),
      resourceUuid: null,
      resourceProviderId: null,
    });
  }

  return { ok: true, lines: assignLineKeys(lines), total: formatMoney(total) };
}

function readHeader(
  fields: readonly string[],
): { ok: true; index: Map<Column, number>; width: number } | { ok: false; error: InvoiceInputError } {
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
