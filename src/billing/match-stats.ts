import { formatMoney, parseMoney } from '../domain/money.js';
import { UNMATCHED_REASONS } from '../domain/billing.js';
import { NON_ATTRIBUTABLE_REASONS, type UnmatchedReason } from './types.js';

/** A line as match stats see it. `amount` is a decimal money string (`Prisma.Decimal#toString()` fits). */
export type StatsLine = { amount: string; matched: boolean; reason: UnmatchedReason | null };

/** Count and amount of the unmatched lines with one reason. */
export type UnmatchedReasonCount = { reason: UnmatchedReason; count: number; amount: string };

/**
 * The contract's `MatchStats`. Amounts are decimal strings with two decimals; rates are
 * 0..1 (they are ratios, not money, so a float is fine).
 *
 * - `matchRate` = matchedCount / lineCount (0 for an empty invoice).
 * - `attributableCount` = lines other than unmatched TAX, CREDIT and ACCOUNT_LEVEL.
 * - `currentResourceMatchRate` = matchedCount / (attributableCount − RESOURCE_DESTROYED
 *   lines), 0 when that denominator is 0: how much of what the inventory could know is matched.
 * - `unmatched`: one entry per reason that occurs, in the enum's order (reasons with no
 *   line are left out).
 */
export type MatchStats = {
  lineCount: number;
  matchedCount: number;
  matchRate: number;
  amount: string;
  matchedAmount: string;
  attributableCount: number;
  currentResourceMatchRate: number;
  unmatched: UnmatchedReasonCount[];
};

/** Lines grouped by unmatched reason (null = matched), with their count and amount in cents. */
export type StatsGroup = { reason: UnmatchedReason | null; count: number; cents: bigint };

/**
 * Computes match stats over an invoice's lines. A matched line counts as matched whatever
 * `reason` says; an unmatched line without a reason counts as NO_CANDIDATE (it should not
 * exist: every unmatched line gets a reason).
 * @throws MoneyParseError if an amount is not a money string.
 */
export function computeMatchStats(lines: Iterable<StatsLine>): MatchStats {
  const groups = new Map<UnmatchedReason | null, StatsGroup>();
  for (const line of lines) {
    const reason = line.matched ? null : (line.reason ?? 'NO_CANDIDATE');
    const group = groups.get(reason) ?? { reason, count: 0, cents: 0n };
    group.count++;
    group.cents += parseMoney(line.amount);
    groups.set(reason, group);
  }
  return statsFromGroups(groups.values());
}

/** The formulas of `MatchStats`, over lines already grouped (by the database or by `computeMatchStats`). */
export function statsFromGroups(groups: Iterable<StatsGroup>): MatchStats {
  let lineCount = 0;
  let matchedCount = 0;
  let amount = 0n;
  let matchedAmount = 0n;
  const perReason = new Map<UnmatchedReason, { count: number; cents: bigint }>();
  for (const g of groups) {
    lineCount += g.count;
    amount += g.cents;
    if (g.reason === null) {
      matchedCount += g.count;
      matchedAmount += g.cents;
      continue;
    }
    const entry = perReason.get(g.reason) ?? { count: 0, cents: 0n };
    entry.count += g.count;
    entry.cents += g.cents;
    perReason.set(g.reason, entry);
  }
  let nonAttributable = 0;
  for (const reason of NON_ATTRIBUTABLE_REASONS) nonAttributable += perReason.get(reason)?.count ?? 0;
  const attributableCount = lineCount - nonAttributable;
  const currentDenominator = attributableCount - (perReason.get('RESOURCE_DESTROYED')?.count ?? 0);
  return {
    lineCount,
    matchedCount,
    matchRate: lineCount === 0 ? 0 : matchedCount / lineCount,
    amount: formatMoney(amount),
    matchedAmount: formatMoney(matchedAmount),
    attributableCount,
    currentResourceMatchRate: currentDenominator <= 0 ? 0 : Math.min(1, matchedCount / currentDenominator),
    unmatched: UNMATCHED_REASONS.flatMap((reason) => {
      const entry = perReason.get(reason);
      return entry ? [{ reason, count: entry.count, amount: formatMoney(entry.cents) }] : [];
    }),
  };
}
