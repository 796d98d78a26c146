// The options of `npm run bench:read -- --vs-postgraphile`.
export const SIDE_NAMES = ['ours', 'postgraphile', 'sql'] as const;
export type SideName = (typeof SIDE_NAMES)[number];

export type Options = {
  /** --rounds=3: measured rounds per side and concurrency. */
  rounds: number;
  /** --seconds=20: length of one round. */
  seconds: number;
  /** --warmup=5: seconds of load on each side at each concurrency before its rounds. */
  warmup: number;
  /** --concurrency=1,8,32: connections the load generator keeps busy. */
  concurrency: number[];
  /** --sides=ours,postgraphile,sql. */
  sides: SideName[];
  /** --profile=DIR: this server runs with --cpu-prof and writes its CPU profile there when stopped. */
  profile: string | null;
  /** --ours-node=PATH (or 22, the Node 22 fetched for PostGraphile): the Node binary this server runs on (default: the one running the benchmark). */
  oursNode: string | null;
};

export function parseOptions(argv: string[]): Options {
  const arg = (name: string, fallback: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const positive = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a whole number >= 1, got "${value}"`);
    return n;
  };
  const sides = arg('sides', SIDE_NAMES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of sides) if (!(SIDE_NAMES as readonly string[]).includes(s)) throw new Error(`--sides: unknown side "${s}" (known: ${SIDE_NAMES.join(', ')})`);
  return {
    rounds: positive('rounds', arg('rounds', '3')),
    seconds: positive('seconds', arg('seconds', '20')),
    warmup: Number(arg('warmup', '5')),
    concurrency: arg('concurrency', '1,8,32')
      .split(',')
      .map((c) => positive('concurrency', c.trim())),
    sides: SIDE_NAMES.filter((s) => sides.includes(s)),
    profile: arg('profile', '') || null,
    oursNode: arg('ours-node', '') || null,
  };
}
