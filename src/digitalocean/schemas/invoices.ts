/**
 * DigitalOcean's invoice API (`/v2/customers/my/invoices…`), see REFERENCE §6.3–6.6.
 * Snake_case stays inside these schemas; billing's `lineFromApiItem` turns an item into its model.
 * Objects are loose: unknown fields pass through, and optional keys may be absent, null
 * or empty.
 */
import { z } from 'zod';
import { tryParseMoney } from '../../domain/money.js';
import { parseInvoiceTimestamp } from '../../domain/timestamp.js';
import { ZDoId, ZDoLinks, ZDoMeta } from './common.js';

/** A money string as DO sends it (`"12.34"`, `"-21.04"`); checked exactly, kept as text. */
export const ZDoMoney = z.string().refine((s) => tryParseMoney(s) !== null, { message: 'not a decimal money amount' });

/** An invoice's id or a line's resource id: DO may send it blank (`""`), which stays `""`. */
const ZDoIdOrBlank = z.union([ZDoId, z.literal('')]);

const ZDoTimestamp = z.string().refine((s) => s.trim() === '' || parseInvoiceTimestamp(s) !== null, { message: 'not a timestamp' });

/** A billing period, `YYYY-MM`. */
export const ZDoInvoicePeriod = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');

/** One entry of `invoices[]`. godo and droplet_kit omit `invoice_id`. */
export const ZDoInvoiceListItem = z.looseObject({
  invoice_uuid: z.string().min(1),
  invoice_id: ZDoIdOrBlank.optional().nullable(),
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
  links: ZDoLinks,
  meta: ZDoMeta,
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
  resource_id: ZDoIdOrBlank.optional().nullable(),
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
  links: ZDoLinks,
  meta: ZDoMeta,
});
export type TDoInvoiceItemsPage = z.infer<typeof ZDoInvoiceItemsPage>;

const ZDoSummaryGroup = z.looseObject({
  name: z.string().optional(),
  amount: ZDoMoney,
});

/** `GET /v2/customers/my/invoices/{uuid}/summary` (REFERENCE §6.6). godo omits `invoice_id`. */
export const ZDoInvoiceSummary = z.looseObject({
  invoice_uuid: z.string().min(1),
  invoice_id: ZDoIdOrBlank.optional().nullable(),
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
