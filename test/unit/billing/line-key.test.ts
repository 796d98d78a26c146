import { describe, expect, it } from 'vitest';
import { parseInvoiceCsv } from '../../../src/billing/csv.js';
import { linesFromApiItems } from '../../../src/billing/do-invoice.js';
import { assignLineKeys } from '../../../src/billing/line-key.js';
import type { ParsedInvoiceLine } from '../../../src/billing/types.js';
import { fixtureJson, fixtureText } from './fixtures.js';

function keysOf(input: string): string[] {
  const r = parseInvoiceCsv(input);
  if (!r.ok) throw new Error(r.error.message);
  return r.lines.map((l) => l.lineKey);
}

const base: Omit<ParsedInvoiceLine, 'lineKey'> = {
  position: 0,
  product: 'Droplets',
  groupDescription: null,
  description: 'web (s-1vcpu-1gb)',
  amount: '6.00',
  hours: '744',
  startTime: new Date('2020-07-01T00:00:00Z'),
  endTime: new Date('2020-08-01T00:00:00Z'),
  projectName: null,
  category: null,
  resourceUuid: null,
  resourceProviderId: '1',
};

describe('line keys', () => {
  it('are identical across two parses of the same CSV', () => {
    const csv = fixtureText('invoice_2019_valuemachine.csv');
    expect(keysOf(csv)).toEqual(keysOf(csv));
  });

  it('are identical across two parses of the same API items', () => {
    const items = (fixtureJson('invoice_items_droplet_kit.json') as { invoice_items: unknown[] }).invoice_items;
    const a = linesFromApiItems(items);
    const b = linesFromApiItems(structuredClone(items));
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(a.lines.map((l) => l.lineKey)).toEqual(b.lines.map((l) => l.lineKey));
  });

  it('are all distinct within an invoice, including lines with repeated content', () => {
    const lines = assignLineKeys([base, { ...base, position: 1 }, { ...base, position: 2, amount: '3.00' }]);
    expect(new Set(lines.map((l) => l.lineKey)).size).toBe(3);
  });

  it('do not change when a line is added elsewhere or lines are reordered', () => {
    const other = { ...base, description: 'db (s-2vcpu-4gb)', resourceProviderId: '2' };
    const first = assignLineKeys([base, other]);
    const second = assignLineKeys([
      { ...other, position: 0 },
      { ...base, description: 'new', position: 1 },
      { ...base, position: 2 },
    ]);
    expect(second[2]!.lineKey).toBe(first[0]!.lineKey);
    expect(second[0]!.lineKey).toBe(first[1]!.lineKey);
  });

  it('stay the same when the month-to-date preview grows (amount, hours, end time change)', () => {
    const today = assignLineKeys([base])[0]!.lineKey;
    const tomorrow = assignLineKeys([{ ...base, amount: '6.20', hours: '768', endTime: new Date('2020-08-02T00:00:00Z') }])[0]!.lineKey;
    expect(tomorrow).toBe(today);
  });

  it('differ when an identifying field differs', () => {
    const a = assignLineKeys([base])[0]!.lineKey;
    for (const change of [
      { description: 'web2 (s-1vcpu-1gb)' },
      { resourceProviderId: '2' },
      { product: 'Droplet Backups' },
      { startTime: new Date('2020-07-02T00:00:00Z') },
    ]) {
      expect(assignLineKeys([{ ...base, ...change }])[0]!.lineKey).not.toBe(a);
    }
  });
});
