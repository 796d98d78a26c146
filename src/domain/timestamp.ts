/**
 * Timestamps as DigitalOcean writes them on invoices: the API's ISO-8601
 * (`2020-01-01T00:00:00Z`, optionally with fractional seconds or an offset) and the CSV's
 * `2020-07-01 00:00:00 +0000`. Impossible calendar values (`2020-02-30`) are rejected
 * rather than rolled over, as `Date` would.
 */

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$/i;

/** Parses an invoice timestamp; `null` when it is not one. A missing offset means UTC. */
export function parseInvoiceTimestamp(input: string): Date | null {
  const m = TIMESTAMP_RE.exec(input.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(local);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return null;
  }
  let offsetMinutes = 0;
  const z = zone.toUpperCase();
  if (z !== 'Z' && z !== 'UTC') {
    const digits = z.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (z.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(local - offsetMinutes * 60_000);
}
