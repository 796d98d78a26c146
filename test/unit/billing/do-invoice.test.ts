import { describe, expect, it } from 'vitest';
import { lineFromApiItem, linesFromApiItems } from '../../../src/billing/do-invoice.js';
import { ZDoInvoiceItem, ZDoInvoiceItemsPage, ZDoInvoiceList, ZDoInvoiceSummary } from '../../../src/digitalocean/schemas/invoices.js';
import { InvoiceInputException } from '../../../src/billing/types.js';
import { fixtureJson, INVOICE_ITEM_FIXTURES, INVOICE_LIST_FIXTURES, INVOICE_SUMMARY_FIXTURES } from './fixtures.js';

describe('DO invoice schemas', () => {
  it.each(INVOICE_LIST_FIXTURES)('ZDoInvoiceList accepts %s (with or without invoice_id, preview, links, meta)', (name) => {
    const parsed = ZDoInvoiceList.parse(fixtureJson(name));
    expect(parsed.invoices.length).toBeGreaterThan(0);
    for (const inv of parsed.invoices) expect(inv.invoice_period).toMatch(/^\d{4}-\d{2}$/);
  });

  it('ZDoInvoiceList reads the preview with updated_at', () => {
    const parsed = ZDoInvoiceList.parse(fixtureJson('invoices_list.json'));
    expect(parsed.invoice_preview?.updated_at).toBe('2020-02-23T06:31:50Z');
    expect(parsed.invoices[0]?.invoice_id).toBe('12345678');
  });

  it('ZDoInvoiceList rejects an amount that is not money and a bad period', () => {
    expect(ZDoInvoiceList.safeParse({ invoices: [{ invoice_uuid: 'u', amount: '1.2.3', invoice_period: '2020-01' }] }).success).toBe(false);
    expect(ZDoInvoiceList.safeParse({ invoices: [{ invoice_uuid: 'u', amount: '1.00', invoice_period: '2020-13' }] }).success).toBe(false);
  });

  it.each(INVOICE_SUMMARY_FIXTURES)('ZDoInvoiceSummary accepts %s', (name) => {
    const parsed = ZDoInvoiceSummary.parse(fixtureJson(name));
    expect(parsed.amount).toBe('27.13');
    expect(parsed.product_charges?.items?.map((i) => i.name)).toContain('Database Clusters');
  });

  it.each(INVOICE_ITEM_FIXTURES)('ZDoInvoiceItemsPage accepts %s', (name) => {
    expect(ZDoInvoiceItemsPage.parse(fixtureJson(name)).invoice_items.length).toBeGreaterThan(0);
  });

  it('ZDoInvoiceItem lets unknown fields through and accepts absent optional keys and a numeric id', () => {
    const parsed = ZDoInvoiceItem.parse({ product: 'Droplets', description: 'a', amount: '1.00', resource_id: 42, sku: 'X' });
    expect(parsed.resource_id).toBe('42');
    expect((parsed as Record<string, unknown>).sku).toBe('X');
  });
});

describe('lineFromApiItem', () => {
  it.each(INVOICE_ITEM_FIXTURES)('turns every item of %s into a line', (name) => {
    const page = ZDoInvoiceItemsPage.parse(fixtureJson(name));
    const lines = page.invoice_items.map((item, i) => lineFromApiItem(item, i));
    expect(lines).toHaveLength(page.invoice_items.length);
    for (const line of lines) {
      expect(line.lineKey).toMatch(/^[0-9a-f]{64}$/);
      expect(line.amount).toMatch(/^-?\d+\.\d{2}$/);
    }
  });

  it('maps droplet_kit items: absent keys are null, credit negative, resource_id kept as text', () => {
    const page = ZDoInvoiceItemsPage.parse(fixtureJson('invoice_items_droplet_kit.json'));
    const [k8s, tax, credit, droplet] = page.invoice_items.map((item, i) => lineFromApiItem(item, i));
    expect(k8s).toMatchObject({
      product: 'Kubernetes Clusters',
      groupDescription: 'k8s-1-18-6-do-0-fra1-1598194313548',
      resourceUuid: 'e0f95-0898-4695-90d8-95989a195623',
      resourceProviderId: null,
      hours: '0',
      projectName: 'lorem',
      category: 'iaas',
    });
    expect(k8s!.startTime?.toISOString()).toBe('2020-05-23T14:59:45.000Z');
    expect(tax).toMatchObject({ description: 'VAT Turkey (18.00%)', amount: '0.00', groupDescription: null, projectName: null, resourceUuid: null });
    expect(credit).toMatchObject({ amount: '-21.04' });
    expect(droplet).toMatchObject({ resourceProviderId: '206179956', resourceUuid: null, description: 'example.com (s-1vcpu-1gb)' });
  });

  it('treats an empty group_description as null (godo)', () => {
    const page = ZDoInvoiceItemsPage.parse(fixtureJson('invoice_items_godo.json'));
    const line = lineFromApiItem(page.invoice_items[0]!, 0);
    expect(line).toMatchObject({ groupDescription: null, resourceProviderId: '1234', resourceUuid: 'droplet-1234-uuid', hours: '672' });
  });

  it('throws a typed InvoiceInputException (not an untyped error) for an item that skipped validation', () => {
    const bad = { product: 'Droplets', description: 'x', amount: 'lots' };
    expect(() => lineFromApiItem(bad, 3)).toThrow(InvoiceInputException);
    try {
      lineFromApiItem(bad, 3);
    } catch (err) {
      expect((err as InvoiceInputException).error).toMatchObject({ code: 'INVALID_AMOUNT', line: 3 });
    }
  });
});

describe('linesFromApiItems', () => {
  it('parses a whole invoice with an exact total', () => {
    const items = (fixtureJson('invoice_items_droplet_kit.json') as { invoice_items: unknown[] }).invoice_items;
    const r = linesFromApiItems(items);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.total).toBe('-20.99'); // 0.04 + 0.00 - 21.04 + 0.01
  });

  it('reports a bad item as data with its position and code', () => {
    const r = linesFromApiItems([
      { product: 'Droplets', description: 'a', amount: '1.00' },
      { product: 'Droplets', description: 'b', amount: '1.00', start_time: 'soon' },
    ]);
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_DATE', line: 1 } });
    expect(linesFromApiItems([{ description: 'no product', amount: '1.00' }])).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ITEM', line: 0 },
    });
    expect(linesFromApiItems([{ product: 'X', description: 'y', amount: '$$' }])).toMatchObject({
      ok: false,
      error: { code: 'INVALID_AMOUNT', line: 0 },
    });
  });

  it('keeps two identical items and gives them distinct keys', () => {
    const item = { product: 'Droplets', description: 'a (s-1vcpu-1gb)', amount: '1.00', resource_id: '7' };
    const r = linesFromApiItems([item, item]);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.lines).toHaveLength(2);
      expect(r.lines[0]!.lineKey).not.toBe(r.lines[1]!.lineKey);
    }
  });
});
