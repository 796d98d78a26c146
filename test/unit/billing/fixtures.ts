import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Copies of `/work/shared/do-api/fixtures` invoice bodies (provenance in that folder's SOURCES.md). */
const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function fixtureText(name: string): string {
  return readFileSync(join(DIR, name), 'utf8');
}

export function fixtureBuffer(name: string): Buffer {
  return readFileSync(join(DIR, name));
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name)) as unknown;
}

export const INVOICE_ITEM_FIXTURES = ['invoice_items.json', 'invoice_items_droplet_kit.json', 'invoice_items_godo.json'];
export const INVOICE_LIST_FIXTURES = ['invoices_list.json', 'invoices_list_droplet_kit.json', 'invoices_list_godo.json'];
export const INVOICE_SUMMARY_FIXTURES = ['invoice_summary.json', 'invoice_summary_godo.json'];
export const INVOICE_CSV_FIXTURES = ['invoice.csv', 'invoice_2019_valuemachine.csv'];
