import { createHash } from 'node:crypto';
import { runSteps } from './slice.js';
import type { ParsedInvoiceLine } from './types.js';

/**
 * Stable identity of an invoice line inside its invoice, so that re-ingesting an invoice
 * replaces lines in place and manual matches of unchanged lines survive.
 *
 * The key is `sha256(identity fields, occurrence)` in hex, where the identity fields are
 * what names the charge: product, group description, description, resource uuid, resource
 * id, project name, category and start time. Amount, hours and end time are left out on
 * purpose: on the month-to-date preview they grow every day while the charge stays the same
 * (so a daily preview re-ingest keeps its keys and manual matches).
 *
 * Lines with the same identity fields are told apart by their occurrence index: their rank
 * after sorting them by the remaining fields (amount, hours, end time), then by position.
 * Ranking by content rather than by position keeps keys stable if the source reorders
 * lines; exact duplicates fall back to position order.
 */

type KeyedFields = Omit<ParsedInvoiceLine, 'lineKey'>;

function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}

/** JSON of the identity fields; equal strings mean "the same charge". */
export function lineIdentity(line: KeyedFields): string {
  return JSON.stringify([
    line.product,
    line.groupDescription,
    line.description,
    line.resourceUuid,
    line.resourceProviderId,
    line.projectName,
    line.category,
    iso(line.startTime),
  ]);
}

function volatilePart(line: KeyedFields): string {
  return JSON.stringify([line.amount, line.hours, iso(line.endTime)]);
}

/** The key of a line with the given identity at the given occurrence (0-based). */
export function computeLineKey(identity: string, occurrence: number): string {
  return createHash('sha256').update(identity).update('\u0000').update(String(occurrence)).digest('hex');
}

/**
 * Returns the lines with `lineKey` set, computed over the whole invoice (keys depend on
 * the other lines with the same identity). Input order and positions are kept.
 */
export function assignLineKeys<T extends KeyedFields>(lines: readonly T[]): (T & { lineKey: string })[] {
  return runSteps(lineKeySteps(lines));
}

/**
 * `assignLineKeys` as steps (one per line hashed), for `runStepsSliced` on large invoices.
 */
export function* lineKeySteps<T extends KeyedFields>(lines: readonly T[]): Generator<void, (T & { lineKey: string })[]> {
  const groups = new Map<string, number[]>();
  const identities: string[] = [];
  for (const line of lines) {
    const identity = lineIdentity(line);
    const group = groups.get(identity);
    if (group) group.push(identities.length);
    else groups.set(identity, [identities.length]);
    identities.push(identity);
    yield;
  }
  const keys = new Array<string>(lines.length);
  for (const [identity, indexes] of groups) {
    if (indexes.length === 1) {
      keys[indexes[0]!] = computeLineKey(identity, 0);
      yield;
      continue;
    }
    const ranked = indexes.map((i) => ({ i, v: volatilePart(lines[i]!), p: lines[i]!.position })).sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : a.p - b.p));
    for (const [occurrence, { i }] of ranked.entries()) {
      keys[i] = computeLineKey(identity, occurrence);
      yield;
    }
  }
  const out: (T & { lineKey: string })[] = [];
  for (const [i, line] of lines.entries()) {
    out.push({ ...line, lineKey: keys[i]! });
    yield;
  }
  return out;
}
