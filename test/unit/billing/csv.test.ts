import { describe, expect, it } from 'vitest';
import { MAX_INVOICE_CSV_BYTES, parseInvoiceCsv, parseInvoiceCsvSliced, validatePeriod } from '../../../src/billing/csv.js';
import type { InvoiceInputError, ParsedInvoiceLine } from '../../../src/billing/types.js';
import { fixtureBuffer, fixtureText, INVOICE_CSV_FIXTURES } from './fixtures.js';

const HEADER = 'product,group_description,description,hours,start,end,USD,project_name,category';
const OLD_HEADER = 'product,group_description,description,hours,start,end,USD,project_name';
const ROW = 'Droplets,,web-1 (s-1vcpu-1gb),744,2020-07-01 00:00:00 +0000,2020-08-01 00:00:00 +0000,$6.00,prod,iaas';

function ok(input: string | Buffer): { lines: ParsedInvoiceLine[]; total: string } {
  const r = parseInvoiceCsv(input);
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r;
}

function err(input: string | Buffer): InvoiceInputError {
  const r = parseInvoiceCsv(input);
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('parseInvoiceCsv: fixtures', () => {
  it.each(INVOICE_CSV_FIXTURES)('parses %s completely, total equal to the sum of its rows', (name) => {
    const { lines, total } = ok(fixtureBuffer(name));
    const rows = fixtureText(name).trim().split('\n').length - 1;
    expect(lines).toHaveLength(rows);
    expect(lines.map((l) => l.position)).toEqual([...Array(rows).keys()]);
    expect(typeof total).toBe('string');
  });

  it('reads the OpenAPI example: $-amounts, dates with +0000, empty hours on the tax row', () => {
    const { lines, total } = ok(fixtureText('invoice.csv'));
    expect(lines[0]).toMatchObject({
      product: 'Floating IPs',
      groupDescription: null,
      description: 'Unused Floating IP - 1.1.1.1',
      amount: '3.11',
      hours: '100',
      projectName: null,
      category: 'iaas',
      resourceUuid: null,
      resourceProviderId: null,
    });
    expect(lines[0]!.startTime?.toISOString()).toBe('2020-07-01T00:00:00.000Z');
    expect(lines[0]!.endTime?.toISOString()).toBe('2020-07-22T18:14:39.000Z');
    expect(lines[1]).toMatchObject({ product: 'Taxes', hours: null, amount: '0.16' });
    expect(total).toBe('3.27');
  });

  it('reads the 2019 valuemachine export: volumes and partial-month droplets, empty category is null', () => {
    const { lines, total } = ok(fixtureText('invoice_2019_valuemachine.csv'));
    expect(lines[0]).toMatchObject({ product: 'Volumes', description: 'volume-sfo2-01 (sfo2) 100GB', amount: '10.00', category: null });
    expect(lines.find((l) => l.description.startsWith('indra'))).toMatchObject({ hours: '446', amount: '13.27' });
    expect(total).toBe('122.11');
  });
});

describe('parseInvoiceCsv: tolerated shapes', () => {
  it('accepts the older 8-column export without category (category null)', () => {
    const { lines } = ok(`${OLD_HEADER}\nDroplets,,a (s-1vcpu-1gb),1,2019-01-01 00:00:00 +0000,,$1.00,\n`);
    expect(lines[0]).toMatchObject({ description: 'a (s-1vcpu-1gb)', category: null, endTime: null, amount: '1.00' });
  });

  it('tolerates a BOM, CRLF line ends and blank lines', () => {
    const { lines } = ok(`\uFEFF${HEADER}\r\n\r\n${ROW}\r\n\r\n`);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.product).toBe('Droplets');
  });

  it('parses quoted fields containing commas, quotes and a negative $ amount with thousands separator', () => {
    const { lines, total } = ok(
      `${HEADER}\nCredits,,"Credit, ""promo"" applied",,2020-07-01 00:00:00 +0000,2020-07-31 23:59:59 +0000,"-$1,021.04",,\n${ROW}\n`,
    );
    expect(lines[0]).toMatchObject({ description: 'Credit, "promo" applied', amount: '-1021.04' });
    expect(total).toBe('-1015.04');
  });

  it('finds columns by name, in any order and any case, ignoring extra columns', () => {
    const { lines } = ok('USD,Product,description,hours,start,end,group_description,project_name,sku\n$2.50,Volumes,v (nyc3) 10GB,1,,,,,X-1\n');
    expect(lines[0]).toMatchObject({ product: 'Volumes', amount: '2.50', description: 'v (nyc3) 10GB' });
  });
});

describe('parseInvoiceCsv: whatever a real export contains is read, never refused', () => {
  it('keeps rows identical in every column as separate charges with distinct, stable keys by occurrence', () => {
    const input = `${HEADER}\n${ROW}\nTaxes,,GST (9.00%),,,,$0.54,,\n${ROW}\n`;
    const { lines, total } = ok(input);
    expect(lines.map((l) => l.description)).toEqual(['web-1 (s-1vcpu-1gb)', 'GST (9.00%)', 'web-1 (s-1vcpu-1gb)']);
    expect(lines[0]!.lineKey).not.toBe(lines[2]!.lineKey);
    expect(new Set(lines.map((l) => l.lineKey)).size).toBe(3);
    expect(total).toBe('12.54');
    expect(ok(input).lines.map((l) => l.lineKey)).toEqual(lines.map((l) => l.lineKey));
  });

  it('skips totals rows, labelled or not, and rows of empty fields a spreadsheet leaves at the end', () => {
    const input = [
      HEADER,
      ROW,
      'Taxes,,STATE SALES TAX (6.25%),,2020-07-01 00:00:00 +0000,2020-07-31 23:59:59 +0000,$0.38,,iaas',
      'Total,,,,,,$6.38,,',
      ',,,,,,"$6.38",,',
      ',,Grand total,,,,$6.38,,',
      ',,,,,,,,',
      '  ',
      '',
    ].join('\r\n');
    const { lines, total } = ok(input);
    expect(lines.map((l) => l.product)).toEqual(['Droplets', 'Taxes']);
    expect(total).toBe('6.38');
  });

  it('keeps an unlabelled amount-only row that is not the running total, rather than dropping money', () => {
    const { lines, total } = ok(`${HEADER}\n${ROW}\n,,,,,,$1.00,,\n`);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ product: '', description: '', amount: '1.00' });
    expect(total).toBe('7.00');
  });

  it('accepts rows with extra empty trailing fields (a trailing comma) and a header with a trailing comma', () => {
    expect(ok(`${HEADER}\n${ROW},\n${ROW},,\n`).lines).toHaveLength(2);
    expect(ok(`${HEADER},\n${ROW},\n`).lines).toHaveLength(1);
  });

  it('reads a messy older export: BOM, CRLF, 8 columns, quoted commas, $1,234.56 and -$3.00, blank lines at the end', () => {
    const input = `\uFEFF${OLD_HEADER}\r\nDroplets,,"big, box (s-8vcpu-16gb)",744,2019-01-01 00:00:00 +0000,2019-02-01 00:00:00 +0000,"$1,234.56",Prod\r\nCredits,,Promo,,,,-$3.00,\r\n\r\n\r\n`;
    const { lines, total } = ok(input);
    expect(lines.map((l) => [l.description, l.amount, l.category])).toEqual([
      ['big, box (s-8vcpu-16gb)', '1234.56', null],
      ['Promo', '-3.00', null],
    ]);
    expect(total).toBe('1231.56');
  });

  it('accepts a row with no product as a line of its own (not a refusal)', () => {
    expect(ok(`${HEADER}\n,,mystery charge,1,,,$2.00,,\n`).lines[0]).toMatchObject({ product: '', description: 'mystery charge' });
  });
});

describe('parseInvoiceCsvSliced: the same reading, yielding to the event loop', () => {
  it.each([
    ['fixture', fixtureText('invoice_2019_valuemachine.csv')],
    ['messy', `\uFEFF${HEADER}\r\n${ROW}\r\nDroplets,,"a\nb",1,,,"$1,000.00",,\r\nTotal,,,,,,"$1,006.00",,\r\n${ROW}\r\n\r\n`],
    ['bad amount', `${HEADER}\n\n${ROW}\nDroplets,,"two\nlines",1,,,$1.00,,\nDroplets,,bad,1,,,$1.x,,\n`],
    ['unclosed quote', `${HEADER}\n${ROW}\nDroplets,,"x,1,,,$1,,\n`],
    ['empty', ''],
  ])('gives exactly what parseInvoiceCsv gives: %s', async (_name, input) => {
    expect(await parseInvoiceCsvSliced(input)).toEqual(parseInvoiceCsv(input));
  });

  it('gives the event loop a turn while reading a large file', async () => {
    const body = Array.from({ length: 40_000 }, (_, i) => ROW.replace('web-1', `web-${i}`)).join('\n');
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    const r = await parseInvoiceCsvSliced(`${HEADER}\n${body}\n`);
    clearInterval(timer);
    expect(r.ok && r.lines.length).toBe(40_000);
    expect(turns).toBeGreaterThan(2);
  });
});

describe('parseInvoiceCsv: error codes with line numbers (header = line 1)', () => {
  it('EMPTY_FILE for an empty, whitespace-only or BOM-only input', () => {
    expect(err('').code).toBe('EMPTY_FILE');
    expect(err(' \r\n\n').code).toBe('EMPTY_FILE');
    expect(err('\uFEFF').code).toBe('EMPTY_FILE');
  });

  it('EMPTY_FILE for a header with no lines', () => {
    expect(err(`${HEADER}\n`)).toMatchObject({ code: 'EMPTY_FILE', line: 1 });
  });

  it('INVALID_CSV naming the missing and unknown columns of a wrong header', () => {
    const e = err('product,group_description,description,hours,start,end,amount,project_name\nX,,y,,,,$1,\n');
    expect(e).toMatchObject({ code: 'INVALID_CSV', line: 1 });
    expect(e.message).toContain('missing column(s): USD');
    expect(e.message).toContain('unknown column(s): "amount"');
  });

  it('INVALID_CSV for something that is not an invoice at all', () => {
    const e = err('name,value\na,1\n');
    expect(e.code).toBe('INVALID_CSV');
    expect(e.message).toContain('product');
  });

  it('INVALID_CSV for a repeated column', () => {
    expect(err(`${HEADER},USD\n${ROW},$1\n`)).toMatchObject({ code: 'INVALID_CSV', line: 1 });
  });

  it('INVALID_CSV with the line of a row with the wrong number of fields', () => {
    expect(err(`${HEADER}\n${ROW}\nDroplets,,x,1\n`)).toMatchObject({ code: 'INVALID_CSV', line: 3 });
  });

  it('INVALID_CSV for an unclosed quote', () => {
    expect(err(`${HEADER}\n${ROW}\nDroplets,,"x,1,,,$1,,\n`).code).toBe('INVALID_CSV');
  });

  it('INVALID_AMOUNT with its line number, counting blank and multi-line rows as file lines', () => {
    const input = `${HEADER}\n\n${ROW}\nDroplets,,"two\nlines",1,,,$1.00,,\nDroplets,,bad,1,,,$1.x,,\n`;
    expect(err(input)).toMatchObject({ code: 'INVALID_AMOUNT', line: 6 });
  });

  it('INVALID_AMOUNT for an empty amount', () => {
    expect(err(`${HEADER}\nDroplets,,x,1,,,,,\n`)).toMatchObject({ code: 'INVALID_AMOUNT', line: 2 });
  });

  it('INVALID_DATE with its line number, for garbage and for impossible calendar dates', () => {
    expect(err(`${HEADER}\n${ROW}\nDroplets,,x,1,yesterday,,$1,,\n`)).toMatchObject({ code: 'INVALID_DATE', line: 3 });
    expect(err(`${HEADER}\nDroplets,,x,1,,2020-02-30 00:00:00 +0000,$1,,\n`)).toMatchObject({ code: 'INVALID_DATE', line: 2 });
  });

  it('INVALID_CSV for non-numeric hours', () => {
    expect(err(`${HEADER}\nDroplets,,x,many,,,$1,,\n`)).toMatchObject({ code: 'INVALID_CSV', line: 2 });
  });

  it('keeps rows that differ in any column (same droplet, two periods)', () => {
    const other = ROW.replace('$6.00', '$3.00');
    expect(ok(`${HEADER}\n${ROW}\n${other}\n`).lines).toHaveLength(2);
  });

  it('FILE_TOO_LARGE above the documented limit, before parsing', () => {
    const big = Buffer.alloc(MAX_INVOICE_CSV_BYTES + 1, 0x61);
    expect(err(big)).toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect(MAX_INVOICE_CSV_BYTES).toBe(20 * 1024 * 1024);
  });

  it('never throws on arbitrary bytes', () => {
    for (const input of ['"', ',,,', '\u0000\u0001', 'product\n"', Buffer.from([0xff, 0xfe, 0x00])]) {
      const r = parseInvoiceCsv(input);
      expect(r.ok).toBe(false);
    }
  });
});

describe('validatePeriod', () => {
  it.each(['2020-01', '2026-12'])('accepts %s', (p) => {
    expect(validatePeriod(p)).toEqual({ ok: true, period: p });
  });

  it.each(['2020-13', '2020-00', '2020-1', '20-01', '2020/01', '', '2020-01-01'])('rejects %j with INVALID_PERIOD', (p) => {
    const r = validatePeriod(p);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('INVALID_PERIOD');
  });
});
