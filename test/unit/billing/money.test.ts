import { describe, expect, it } from 'vitest';
import { compareMoney, formatMoney, MoneyParseError, normalizeMoney, parseMoney, sumMoney, tryParseMoney } from '../../../src/domain/money.js';

describe('money', () => {
  it.each([
    ['$3.11', 311n],
    ['-$21.04', -2104n],
    ['$-21.04', -2104n],
    ['-21.04', -2104n],
    ['0.00', 0n],
    ['12.3', 1230n],
    ['12', 1200n],
    ['.5', 50n],
    ['1,234.56', 123456n],
    ['$1,234,567.00', 123456700n],
    ['  +7.10 ', 710n],
    ['12.300', 1230n],
  ])('parses %j into exact cents %s', (input, cents) => {
    expect(parseMoney(input)).toBe(cents);
  });

  it.each(['', ' ', '$', '-', 'abc', '1.234', '12,34', '1,2345.00', '1e3', '(21.04)', '€5', '--1', '-$-1', '1.2.3', '1234567890123'])(
    'rejects %j with a typed INVALID_AMOUNT error',
    (input) => {
      expect(() => parseMoney(input)).toThrow(MoneyParseError);
      try {
        parseMoney(input);
      } catch (err) {
        expect((err as MoneyParseError).code).toBe('INVALID_AMOUNT');
      }
      expect(tryParseMoney(input)).toBeNull();
    },
  );

  it('formats cents with two decimals and no negative zero', () => {
    expect(formatMoney(-2104n)).toBe('-21.04');
    expect(formatMoney(5n)).toBe('0.05');
    expect(formatMoney(-5n)).toBe('-0.05');
    expect(normalizeMoney('-0')).toBe('0.00');
    expect(normalizeMoney('$3.1')).toBe('3.10');
  });

  it('sums decimal strings exactly where floats would drift (0.1 + 0.2)', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(formatMoney(sumMoney(['0.10', '0.20']))).toBe('0.30');
    const tenThousandDimes = Array.from({ length: 10_000 }, () => '0.10');
    expect(formatMoney(sumMoney(tenThousandDimes))).toBe('1000.00');
    expect(formatMoney(sumMoney(['$3.11', '-$21.04', 17n]))).toBe('-17.76');
  });

  it('compares amounts given as strings or cents', () => {
    expect(compareMoney('1.00', '$1')).toBe(0);
    expect(compareMoney('-0.01', 0n)).toBe(-1);
    expect(compareMoney('999999999999.99', '1,000.00')).toBe(1);
  });
});
