/**
 * Exact decimal money: amounts are integer cents in a `bigint`, and travel as decimal
 * strings with two decimals (`"-21.04"`, `"0.00"`). No JS number ever holds money.
 *
 * Accepted input (after trimming whitespace):
 * - optional sign `-` or `+`, before or after an optional `$` (`-$21.04`, `$-21.04`);
 * - digits, optionally grouped by commas in threes (`1,234.56`; `12,34` is rejected);
 * - an optional fraction of up to two digits (`12`, `12.3`, `12.30`); extra digits are
 *   accepted only when they are zeros (`12.300`), because rounding money silently is wrong.
 * Rejected: empty strings, exponents, parentheses, other currency symbols, more than
 * `MAX_MONEY_INTEGER_DIGITS` integer digits (the database column is DECIMAL(14,2)).
 */

/** Integer number of cents. */
export type Cents = bigint;

/** Integer digits allowed before the decimal point (DECIMAL(14,2) holds 12). */
export const MAX_MONEY_INTEGER_DIGITS = 12;

/** Thrown by `parseMoney` for input that is not a money amount. `code` is always `INVALID_AMOUNT`. */
export class MoneyParseError extends Error {
  readonly code = 'INVALID_AMOUNT' as const;

  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`invalid amount ${JSON.stringify(input)}: ${reason}`);
    this.name = 'MoneyParseError';
  }
}

const MONEY_RE = /^([+-]?)(\$?)([+-]?)(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/;

/**
 * Parses a decimal money string into cents.
 * @throws MoneyParseError when the input is not a money amount (see module doc).
 */
export function parseMoney(input: string): Cents {
  const text = input.trim();
  const m = MONEY_RE.exec(text);
  if (!m) throw new MoneyParseError(input, 'not a decimal amount');
  const [, sign1 = '', , sign2 = '', intPartRaw, fracRaw] = m;
  if (sign1 && sign2) throw new MoneyParseError(input, 'two signs');
  if (intPartRaw === undefined && (fracRaw === undefined || fracRaw === '')) {
    throw new MoneyParseError(input, 'no digits');
  }
  const intPart = (intPartRaw ?? '0').replaceAll(',', '');
  const frac = fracRaw ?? '';
  if (/[1-9]/.test(frac.slice(2))) {
    throw new MoneyParseError(input, 'more than two decimals');
  }
  const intDigits = intPart.replace(/^0+(?=\d)/, '');
  if (intDigits.length > MAX_MONEY_INTEGER_DIGITS) {
    throw new MoneyParseError(input, `more than ${MAX_MONEY_INTEGER_DIGITS} integer digits`);
  }
  const cents = BigInt(intDigits) * 100n + BigInt(frac.slice(0, 2).padEnd(2, '0'));
  const negative = sign1 === '-' || sign2 === '-';
  return negative ? -cents : cents;
}

/** Like `parseMoney`, but reports failure as `null` instead of throwing. */
export function tryParseMoney(input: string): Cents | null {
  try {
    return parseMoney(input);
  } catch (err) {
    if (err instanceof MoneyParseError) return null;
    throw err;
  }
}

/** Formats cents as a plain decimal string with two decimals: `-2104n` → `"-21.04"`, `0n` → `"0.00"`. */
export function formatMoney(cents: Cents): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole.toString()}.${frac}`;
}

/**
 * Normalises any accepted money string: `"$3.11"` → `"3.11"`, `"-$21.04"` → `"-21.04"`,
 * `"12.3"` → `"12.30"`, `"1,234.56"` → `"1234.56"`, `"-0"` → `"0.00"`.
 * @throws MoneyParseError
 */
export function normalizeMoney(input: string): string {
  return formatMoney(parseMoney(input));
}

/** Sums cents or money strings exactly. */
export function sumMoney(values: Iterable<Cents | string>): Cents {
  let total = 0n;
  for (const v of values) total += typeof v === 'bigint' ? v : parseMoney(v);
  return total;
}

/** -1, 0 or 1, comparing two amounts given as cents or money strings. */
export function compareMoney(a: Cents | string, b: Cents | string): -1 | 0 | 1 {
  const x = typeof a === 'bigint' ? a : parseMoney(a);
  const y = typeof b === 'bigint' ? b : parseMoney(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
