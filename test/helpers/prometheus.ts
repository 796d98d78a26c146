/** One sample of a Prometheus text exposition: `name{labels} value`. */
export type Sample = { name: string; labels: Record<string, string>; value: number };

export type Exposition = {
  samples: Sample[];
  /** TYPE of each family (`counter`, `gauge`, `histogram`, `summary`, `untyped`). */
  types: Map<string, string>;
  /** The samples of `name` whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The sum of those samples' values (0 when none). */
  sum(name: string, labels?: Record<string, string>): number;
};

// Values as Go's ParseFloat reads them (Prometheus's parser): NaN and Inf in any case (prom-client writes `Nan`).
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([+-]?(?:[0-9.]+(?:[eE][+-]?\d+)?|[Nn][Aa][Nn]|[Ii][Nn][Ff]))(?: -?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;
const FAMILY_SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

/**
 * Parses the text exposition format (version 0.0.4) strictly: every line is a comment, HELP,
 * TYPE or a well-formed sample whose family has a TYPE; anything else throws, naming the line.
 */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      if (!name || !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type ?? '')) throw new Error(`line ${i + 1}: bad TYPE: ${line}`);
      types.set(name, type!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not a sample: ${line}`);
    const [, name, rawLabels = '', rawValue] = m;
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < rawLabels.length) {
      const l = LABEL.exec(rawLabels);
      if (!l) throw new Error(`line ${i + 1}: bad labels: ${line}`);
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const family = [name!, ...FAMILY_SUFFIXES.filter((s) => name!.endsWith(s)).map((s) => name!.slice(0, -s.length))].find((f) => types.has(f));
    if (!family) throw new Error(`line ${i + 1}: sample of a family without TYPE: ${line}`);
    const lower = rawValue!.toLowerCase();
    const value = lower.endsWith('nan') ? Number.NaN : lower.endsWith('inf') ? (lower.startsWith('-') ? -1 : 1) * Number.POSITIVE_INFINITY : Number(rawValue);
    samples.push({ name: name!, labels, value });
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return { samples, types, find, sum: (name, labels) => find(name, labels).reduce((total, s) => total + s.value, 0) };
}
