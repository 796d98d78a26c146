import type { ResourceKind } from '../domain/kinds.js';
import type { MatchMethod, UnmatchedReason } from '../domain/billing.js';
import type { ErrorCode } from '../domain/error-codes.js';

export type { MatchMethod, ResourceKind, UnmatchedReason };

/** Reasons decided by kind derivation alone, before any inventory lookup. */
export type DerivedReason = Extract<UnmatchedReason, 'TAX' | 'CREDIT' | 'ACCOUNT_LEVEL' | 'KIND_NOT_INVENTORIED'>;

/**
 * Reasons that say the line belongs to the account, not to any resource: excluded from
 * `attributableCount` in match stats.
 */
export const NON_ATTRIBUTABLE_REASONS: ReadonlySet<UnmatchedReason> = new Set(['TAX', 'CREDIT', 'ACCOUNT_LEVEL']);

/** The methods `matchLine` can produce. */
export type AutoMatchMethod = Exclude<MatchMethod, 'MANUAL'>;

/**
 * One invoice line, from either source (API items or CSV), normalised.
 *
 * - `position`: 0-based order in the source (API item order across pages, CSV data-row order).
 * - `lineKey`: stable identity inside the invoice (see `line-key.ts`); re-ingesting the same
 *   invoice yields the same keys.
 * - `amount`: normalised decimal string with two decimals, e.g. `"-21.04"`, `"0.00"`.
 * - `hours`: normalised decimal string (`"744"`, `"0.5"`), null when the source has none
 *   (tax rows in the CSV).
 * - Optional text fields are null when absent or empty in the source.
 * - `resourceUuid` / `resourceProviderId`: the API's `resource_uuid` / `resource_id`; the CSV
 *   has neither, so they are always null for CSV lines.
 */
export type ParsedInvoiceLine = {
  position: number;
  lineKey: string;
  product: string;
  groupDescription: string | null;
  description: string;
  amount: string;
  hours: string | null;
  startTime: Date | null;
  endTime: Date | null;
  projectName: string | null;
  category: string | null;
  resourceUuid: string | null;
  resourceProviderId: string | null;
};

/**
 * Codes of invoice input that cannot be ingested (each described in `ERROR_CODES`). Bad input
 * is reported as data (`InvoiceInputError`), never thrown as an untyped error.
 */
export const INVOICE_INPUT_ERROR_CODES = [
  'INVALID_CSV',
  'EMPTY_FILE',
  'INVALID_AMOUNT',
  'INVALID_DATE',
  'FILE_TOO_LARGE',
  'INVALID_PERIOD',
  'INVALID_ITEM',
] as const satisfies readonly ErrorCode[];

export type InvoiceInputErrorCode = (typeof INVOICE_INPUT_ERROR_CODES)[number];

/**
 * A problem with invoice input. `line` is the 1-based file line (header = line 1) for CSV
 * input, or the 0-based item position for API items.
 */
export type InvoiceInputError = {
  code: InvoiceInputErrorCode;
  message: string;
  line?: number;
};

/** Result of a parse that reports bad input as data. */
export type InvoiceResult<T> = ({ ok: true } & T) | { ok: false; error: InvoiceInputError };

/** Thrown only by helpers documented as throwing; carries an `InvoiceInputError`. */
export class InvoiceInputException extends Error {
  readonly code: InvoiceInputErrorCode;
  readonly line: number | undefined;

  constructor(readonly error: InvoiceInputError) {
    super(error.message);
    this.name = 'InvoiceInputException';
    this.code = error.code;
    this.line = error.line;
  }
}
