import type * as Db from '../generated/prisma/enums.js';
import { dbEnum, keysOf, type Described } from './list.js';

/**
 * Why an invoice line is not tied to a resource, with what the GraphQL `UnmatchedReason` says
 * of each. Every unmatched line has exactly one.
 */
export const UNMATCHED_REASON_DESCRIPTIONS = {
  TAX: { description: 'Tax lines (GST, VAT, sales tax): billed to the account, attributable to no resource.' },
  CREDIT: { description: 'Credits, payments and adjustments.' },
  ACCOUNT_LEVEL: { description: 'Account-level subscriptions such as the Spaces subscription.' },
  RESOURCE_DESTROYED: {
    description:
      'The line identifies a resource (by uuid, id or name) that the inventory has never held: it was destroyed before any sync saw it. A line whose resource is in the inventory as STALE is matched, not this.',
  },
  AMBIGUOUS: { description: 'More than one resource fits and nothing decides between them.' },
  NO_CANDIDATE: { description: "The line's kind is inventoried but no resource fits it." },
  KIND_NOT_INVENTORIED: { description: "The line's product is a kind this system does not inventory." },
} as const satisfies Record<Db.UnmatchedReason, Described>;

export type UnmatchedReason = keyof typeof UNMATCHED_REASON_DESCRIPTIONS;

/** The unmatched reasons in their order (match stats list them so). */
export const UNMATCHED_REASONS: readonly UnmatchedReason[] = keysOf(UNMATCHED_REASON_DESCRIPTIONS);

/** How a line was matched to its resource (`MANUAL` is set by operators, never by `matchLine`). */
export const MATCH_METHODS = dbEnum<Db.MatchMethod>()(['RESOURCE_UUID', 'RESOURCE_ID', 'NAME', 'PARENT_DROPLET_NAME', 'MANUAL']);

export type MatchMethod = (typeof MATCH_METHODS)[number];

/** What the GraphQL `MatchMethod` says of each method. */
export const MATCH_METHOD_DESCRIPTIONS = {
  RESOURCE_UUID: { description: "The line's resource uuid is a resource's provider id." },
  RESOURCE_ID: { description: "The line's resource id is a resource's provider id." },
  NAME: { description: "The resource's name read from the line's description (per kind), narrowed by the line's facts to exactly one resource." },
  PARENT_DROPLET_NAME: { description: "A backup or snapshot line matched through its parent Droplet's name." },
  MANUAL: { description: 'Set by an operator with matchInvoiceLine; rematching keeps it.' },
} as const satisfies Record<MatchMethod, Described>;

/** Where an invoice came from: the DigitalOcean API or an uploaded CSV. */
export const INVOICE_SOURCES = dbEnum<Db.InvoiceSource>()(['API', 'CSV']);

export type InvoiceSource = (typeof INVOICE_SOURCES)[number];

/** What the GraphQL `InvoiceSource` says of each value. */
export const INVOICE_SOURCE_DESCRIPTIONS = {
  API: { description: 'Fetched from the DigitalOcean API (the INVOICES worker, or ingestInvoice with providerUuid).' },
  CSV: { description: 'An invoice CSV uploaded with ingestInvoice.' },
} as const satisfies Record<InvoiceSource, Described>;
