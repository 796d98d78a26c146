import { z } from 'zod';
import { assignLineKeys, computeLineKey, lineIdentity } from './line-key.js';
import { formatMoney, MoneyParseError, normalizeMoney, parseMoney, tryParseMoney } from './money.js';
import { parseInvoiceTimestamp } from './timestamp.js';
import {
  InvoiceInputException,
  type InvoiceInputError,
  type InvoiceResult,
  type ParsedInvoiceLine,
} from './types.js';

/**
 * DigitalOcean's invoice API (`/v2/customers/my/invoices…`), see REFERENCE §6.3–6.6.
 * Snake_case stays inside these schemas; `lineFromApiItem` turns an item into our model.
 * Objects are loose: unknown fields pass through, and optional keys may be absent, null
 * or empty.
 */

/** A money string as DO sends it (`"12.34"`, `"-21.04"`); checked exactly, kept as text. */
export const ZDoMoney = z
  .string()
  .refine((s) => tryParseMoney(s) !== null, { message: 'not a decimal money amount' });

/** An id DO sends as a string in one endpoint and an integer in another; always a string here. */
const ZDoId = z.union([z.string(), z.number().int()]).transform((v) => String(v));

const ZDoTimestamp = z
  .string()
  .refine((s) => s.trim() === '' || parseInvoiceTimestamp(s) !== null, { message: 'not a timestamp' });

const ZDoPages = z.looseObject({
  first: z.string().optional(),
  prev: z.string().optional(),
  next: z.string().optional(),
  last: z.string().optional(),
});

/** `links` may be absent, `{}`, `{ pages: {} }` or carry pages. */
export const ZDoLinks = z.looseObject({ pages: ZDoPages.optional() });

/** `meta` with an optional `total` (godo also knows `page`/`pages`). */
export const ZDoMeta = z.looseObject({
  total: z.number().int().nonnegative().optional(),
  page: z.number().int().optional(),
  pages: z.number().int().optional(),
});

/** A billing period, `YYYY-MM`. */
export const ZDoInvoicePeriod = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');

/** One entry of `invoices[]`. godo and droplet_kit omit `invoice_id`. */
export const ZDoInvoiceListItem = z.looseObject({
  invoice_uuid: z.string().min(1),
  invoice_id: ZDoId.optional().nullable(),
  amount: ZDoMoney,
  invoice_period: ZDoInvoicePeriod,
});
export type TDoInvoiceListItem = z.infer<typeof ZDoInvoiceListItem>;

/** The month-to-date preview: a list item plus `updated_at`. */
export const ZDoInvoicePreview = ZDoInvoiceListItem.extend({
  updated_at: z.string().optional().nullable(),
});
export type TDoInvoicePreview = z.infer<typeof ZDoInvoicePreview>;

/** `GET /v2/customers/my/invoices`: `invoice_preview`, `links` and `meta` may each be absent. */
export const ZDoInvoiceList = z.looseObject({
  invoices: z.array(ZDoInvoiceListItem),
  invoice_preview: ZDoInvoicePreview.optional().nullable(),
  links: ZDoLinks.optional().nullable(),
  meta: ZDoMeta.optional().nullable(),
});
export type TDoInvoiceList = z.infer<typeof ZDoInvoiceList>;

/**
 * One item of `invoice_items` (REFERENCE §6.4). Only `product`, `description` and `amount`
 * are required; every other key may be absent (taxes and credits carry no resource ids,
 * project or group; older items no `category`).
 */
export const ZDoInvoiceItem = z.looseObject({
  product: z.string().min(1),
  description: z.string(),
  amount: ZDoMoney,
  resource_id: ZDoId.optional().nullable(),
  resource_uuid: z.string().optional().nullable(),
  group_description: z.string().optional().nullable(),
  duration: z.union([z.string(), z.number()]).optional().nullable(),
  duration_unit: z.string().optional().nullable(),
  start_time: ZDoTimestamp.optional().nullable(),
  end_time: ZDoTimestamp.optional().nullable(),
  project_name: z.string().optional().nullable(),
  category: z.string().optional().nullable(),
});
export type TDoInvoiceItem = z.infer<typeof ZDoInvoiceItem>;

/** A page of `GET /v2/customers/my/invoices/{uuid}` (also `…/preview`). */
export const ZDoInvoiceItemsPage = z.looseObject({
  invoice_items: z.array(ZDoInvoiceItem),
  links: ZDoLinks.optional().nullable(),
  meta: ZDoMeta.optional().nullable(),
});
export type TDoInvoiceItemsPage = z.infer<typeof ZDoInvoiceItemsPage>;

const ZDoSummaryGroup = z.looseObject({
  name: z.string().optional(),
  amount: ZDoMoney,
});

/** `GET /v2/customers/my/invoices/{uuid}/summary` (REFERENCE §6.6). godo omits `invoice_id`. */
export const ZDoInvoiceSummary = z.looseObject({
  invoice_uuid: z.string().min(1),
  invoice_id: ZDoId.optional().nullable(),
  billing_period: ZDoInvoicePeriod,
  amount: ZDoMoney,
  user_name: z.string().optional().nullable(),
  user_billing_address: z.looseObject({}).optional().nullable(),
  user_company: z.string().optional().nullable(),
  user_email: z.string().optional().nullable(),
  product_charges: ZDoSummaryGroup.extend({
    items: z
      .array(
        z.looseObject({
          name: z.string(),
          amount: ZDoMoney,
          count: z.union([z.string(), z.number()]).optional().nullable(),
        }),
      )
      .optional()
      .nullable(),
  })
    .optional()
    .nullable(),
  overages: ZDoSummaryGroup.optional().nullable(),
  taxes: ZDoSummaryGroup.optional().nullable(),
  credits_and_adjustments: ZDoSummaryGroup.optional().nullable(),
});
export type TDoInvoiceSummary = z.infer<typeof ZDoInvoiceSummary>;

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
