/** DigitalOcean's invoice items (`ZDoInvoiceItem`) turned into invoice lines. */
import { ZDoInvoiceItem, type TDoInvoiceItem } from '../digitalocean/schemas/invoices.js';
import { assignLineKeys, computeLineKey, lineIdentity } from './line-key.js';
import { formatMoney, MoneyParseError, normalizeMoney, parseMoney } from '../domain/money.js';
import { parseInvoiceTimestamp } from '../domain/timestamp.js';
import { InvoiceInputException, type InvoiceInputError, type InvoiceResult, type ParsedInvoiceLine } from './types.js';

/** Trimmed text, or null when absent or blank. */
export function textOrNull(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const t = value.trim();
  return t === '' ? null : t;
}

const HOURS_RE = /^(\d+)(?:\.(\d+))?$/;

/** Normalises an hours value (`"744"`, `"0.50"` → `"0.5"`); null when blank, undefined when invalid. */
export function normalizeHours(value: string | number | null | undefined): string | null | undefined {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  if (text === '') return null;
  const m = HOURS_RE.exec(text);
  if (!m) return undefined;
  const whole = m[1]!.replace(/^0+(?=\d)/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return frac === '' ? whole : `${whole}.${frac}`;
}

function timestampOrNull(value: string | null | undefined, field: string, position: number): Date | null {
  const text = textOrNull(value);
  if (text === null) return null;
  const d = parseInvoiceTimestamp(text);
  if (d === null) {
    throw new InvoiceInputException({
      code: 'INVALID_DATE',
      message: `invoice item ${position}: ${field} ${JSON.stringify(text)} is not a timestamp`,
      line: position,
    });
  }
  return d;
}

/**
 * Turns one validated API invoice item into a `ParsedInvoiceLine`.
 *
 * Its `lineKey` assumes the item's identity is unique in the invoice (occurrence 0); when
 * ingesting a whole invoice use `linesFromApiItems` (or pass all lines through
 * `assignLineKeys`) so repeated items get distinct keys.
 *
 * @throws InvoiceInputException (`INVALID_AMOUNT`, `INVALID_DATE`, `INVALID_ITEM`) for an
 *   item that did not go through `ZDoInvoiceItem`.
 */
export function lineFromApiItem(item: TDoInvoiceItem, position: number): ParsedInvoiceLine {
  let amount: string;
  try {
    amount = normalizeMoney(item.amount);
  } catch (err) {
    if (!(err instanceof MoneyParseError)) throw err;
    throw new InvoiceInputException({
      code: 'INVALID_AMOUNT',
      message: `invoice item ${position}: ${err.message}`,
      line: position,
    });
  }
  const hours = normalizeHours(item.duration);
  if (hours === undefined) {
    throw new InvoiceInputException({
      code: 'INVALID_ITEM',
      message: `invoice item ${position}: duration ${JSON.stringify(item.duration)} is not a number of hours`,
      line: position,
    });
  }
  const product = item.product.trim();
  if (product === '') {
    throw new InvoiceInputException({
      code: 'INVALID_ITEM',
      message: `invoice item ${position}: empty product`,
      line: position,
    });
  }
  const fields = {
    position,
    product,
    groupDescription: textOrNull(item.group_description),
    description: item.description.trim(),
    amount,
    hours,
    startTime: timestampOrNull(item.start_time, 'start_time', position),
    endTime: timestampOrNull(item.end_time, 'end_time', position),
    projectName: textOrNull(item.project_name),
    category: textOrNull(item.category),
    resourceUuid: textOrNull(item.resource_uuid),
    resourceProviderId: textOrNull(item.resource_id),
  };
  return { ...fields, lineKey: computeLineKey(lineIdentity(fields), 0) };
}

/**
 * Parses all raw items of one invoice (every page, in order) into lines with invoice-wide
 * line keys. Bad input is returned as data: `INVALID_ITEM` (schema), `INVALID_AMOUNT`,
 * `INVALID_DATE`, with `line` = the 0-based item position.
 */
export function linesFromApiItems(items: readonly unknown[]): InvoiceResult<{ lines: ParsedInvoiceLine[]; total: string }> {
  const lines: ParsedInvoiceLine[] = [];
  let total = 0n;
  for (let position = 0; position < items.length; position++) {
    const parsed = ZDoInvoiceItem.safeParse(items[position]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path[0];
      let code: InvoiceInputError['code'] = 'INVALID_ITEM';
      if (field === 'amount') code = 'INVALID_AMOUNT';
      else if (field === 'start_time' || field === 'end_time') code = 'INVALID_DATE';
      return {
        ok: false,
        error: {
          code,
          message: `invoice item ${position}: ${issue ? `${issue.path.join('.') || '(item)'}: ${issue.message}` : 'invalid'}`,
          line: position,
        },
      };
    }
    try {
      const line = lineFromApiItem(parsed.data, position);
      total += parseMoney(line.amount);
      lines.push(line);
    } catch (err) {
      if (err instanceof InvoiceInputException) return { ok: false, error: err.error };
      throw err;
    }
  }
  return { ok: true, lines: assignLineKeys(lines), total: formatMoney(total) };
}
