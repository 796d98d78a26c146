// The figures: the median over rounds per side and concurrency, and the Markdown table.
import { failures, type LoadResult } from './load.js';
import type { SideName } from './options.js';

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export type Summary = { reqPerSec: number; p99: number; failures: number; requests: number };

export function summarize(rounds: LoadResult[]): Summary {
  return {
    reqPerSec: median(rounds.map((r) => r.reqPerSec)),
    p99: median(rounds.map((r) => r.p99)),
    failures: rounds.reduce((n, r) => n + failures(r), 0),
    requests: rounds.reduce((n, r) => n + r.ok, 0),
  };
}

const cell = (s: Summary | undefined) => (s ? `${s.reqPerSec.toFixed(0)} req/s, p99 ${s.p99} ms${s.failures ? ` ⚠ ${s.failures} errors` : ''}` : '—');

/** | concurrency | PostGraphile v5 (Node 22) | this server (Node 20) | one SQL statement | ratio | */
export function markdownTable(results: Map<number, Map<SideName, Summary>>, columns: { postgraphile: string; ours: string; sql: string }): string {
  const lines = [
    `| concurrency | ${columns.postgraphile} | ${columns.ours} | ${columns.sql} | ratio this server / PostGraphile (req/s) |`,
    '|---:|---:|---:|---:|---:|',
  ];
  for (const [concurrency, bySide] of results) {
    const ours = bySide.get('ours');
    const pg = bySide.get('postgraphile');
    const ratio = ours && pg && pg.reqPerSec > 0 ? `${(ours.reqPerSec / pg.reqPerSec).toFixed(2)}` : '—';
    lines.push(`| ${concurrency} | ${cell(pg)} | ${cell(ours)} | ${cell(bySide.get('sql'))} | ${ratio} |`);
  }
  return lines.join('\n');
}
