import { describe, expect, it } from 'vitest';
import { computeMatchStats, type StatsLine } from '../../../src/billing/match-stats.js';

const m = (amount: string): StatsLine => ({ amount, matched: true, reason: null });
const u = (amount: string, reason: StatsLine['reason']): StatsLine => ({ amount, matched: false, reason });

describe('computeMatchStats', () => {
  it('counts lines and amounts, excluding TAX/CREDIT/ACCOUNT_LEVEL from attributable and destroyed from the current rate', () => {
    const stats = computeMatchStats([
      m('10.10'),
      m('0.20'),
      m('5.00'),
      u('0.54', 'TAX'),
      u('-21.04', 'CREDIT'),
      u('5.00', 'ACCOUNT_LEVEL'),
      u('3.00', 'RESOURCE_DESTROYED'),
      u('4.00', 'RESOURCE_DESTROYED'),
      u('1.00', 'AMBIGUOUS'),
      u('2.00', 'KIND_NOT_INVENTORIED'),
    ]);
    expect(stats).toEqual({
      lineCount: 10,
      matchedCount: 3,
      matchRate: 0.3,
      amount: '9.80',
      matchedAmount: '15.30',
      attributableCount: 7,
      currentResourceMatchRate: 3 / 5,
      unmatched: [
        { reason: 'TAX', count: 1, amount: '0.54' },
        { reason: 'CREDIT', count: 1, amount: '-21.04' },
        { reason: 'ACCOUNT_LEVEL', count: 1, amount: '5.00' },
        { reason: 'RESOURCE_DESTROYED', count: 2, amount: '7.00' },
        { reason: 'AMBIGUOUS', count: 1, amount: '1.00' },
        { reason: 'KIND_NOT_INVENTORIED', count: 1, amount: '2.00' },
      ],
    });
  });

  it('sums amounts exactly (0.1 + 0.2 is 0.30, ten thousand cents are 100.00)', () => {
    expect(computeMatchStats([m('0.1'), m('0.2')]).matchedAmount).toBe('0.30');
    expect(computeMatchStats(Array.from({ length: 10_000 }, () => m('0.01'))).amount).toBe('100.00');
  });

  it('gives rates of 0, not NaN, for an empty invoice and when nothing is attributable', () => {
    const empty = computeMatchStats([]);
    expect(empty).toMatchObject({ lineCount: 0, matchRate: 0, currentResourceMatchRate: 0, amount: '0.00', unmatched: [] });
    const onlyTax = computeMatchStats([u('1.00', 'TAX'), u('2.00', 'RESOURCE_DESTROYED')]);
    expect(onlyTax).toMatchObject({ attributableCount: 1, currentResourceMatchRate: 0 });
  });

  it('reaches 1 when every currently-existing billable resource matches', () => {
    const stats = computeMatchStats([m('1.00'), u('1.00', 'RESOURCE_DESTROYED'), u('0.10', 'TAX')]);
    expect(stats.currentResourceMatchRate).toBe(1);
  });

  it('accepts amounts as Prisma Decimal prints them ("3.1", "-0")', () => {
    expect(computeMatchStats([m('3.1'), u('-0', 'CREDIT')]).amount).toBe('3.10');
  });
});
