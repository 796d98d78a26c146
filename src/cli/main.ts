#!/usr/bin/env node
// The inventory CLI: sync, ingest, keys and status over a running server's GraphQL API, so it
// works while the server holds the database (embedded or not). `inventory --help` for usage.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SYNC_WORKERS } from '../domain/workers.js';
import { CliError, CONNECTION_HELP, connect, endpoint, EXIT, EXIT_CODES_HELP, failOn, UsageError, type Api, type UserError } from './api.js';
import { checkKeysArgs, KEYS_COMMANDS, KEYS_OPTIONS, keysUsage, runKeys } from './keys.js';
import { createReporter, type RunView } from './progress.js';
import { table, when } from './format.js';

const PROG = 'inventory';

const HELP: Record<string, string> = {
  '': `usage: ${PROG} <command> [options]       (from a checkout: npm run cli -- <command> [options])

Commands:
  sync <worker>        runs a sync worker now, with its progress (--wait to see it to the end)
  ingest <file.csv>    ingests a DigitalOcean invoice CSV for a billing month
  keys create|list|revoke
                       manages API keys (unscoped operator key needed)
  status               whether the server is ready, and every worker's schedule and last run

${PROG} <command> --help prints the command's options.

${CONNECTION_HELP}

Progress: a bar on a terminal; plain lines otherwise (pipes, files, CI).

${EXIT_CODES_HELP}`,
  sync: `usage: ${PROG} sync <worker> [--account <slug|id>] [--wait]

Runs a sync worker now on the server. Without --wait, prints the run's id once it has
started and returns (the run goes on on the server); with --wait, shows its progress (pages
and items read so far) until it ends and prints what it did: exit 1 if the run FAILED.

  <worker>               one of ${SYNC_WORKERS.join(', ')} (case-insensitive)
  --account <slug|id>    the account, when the server syncs several (its slug, or its id)
  --wait                 wait for the run's end

${CONNECTION_HELP}

${EXIT_CODES_HELP}`,
  ingest: `usage: ${PROG} ingest <file.csv> --period YYYY-MM [--account <slug|id>]

Ingests a DigitalOcean invoice CSV export for the billing month and prints the invoice with
how many of its lines matched a resource. userErrors (e.g. INVALID_CSV) exit 1.

  <file.csv>             the CSV as DigitalOcean exports it
  --period YYYY-MM       its billing month
  --account <slug|id>    the account, when the server syncs several (its slug, or its id)

${CONNECTION_HELP}

${EXIT_CODES_HELP}`,
  status: `usage: ${PROG} status

Prints whether the server is ready (/readyz) and each sync worker's schedule, state and last
run. Exit 1 when the server answers but is not ready.

${CONNECTION_HELP}

${EXIT_CODES_HELP}`,
};
HELP.keys = keysUsage(`${PROG} keys`);

const OPTIONS = {
  ...KEYS_OPTIONS,
  account: { type: 'string' },
  wait: { type: 'boolean' },
  period: { type: 'string' },
  url: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const COMMANDS: Record<string, { options: readonly string[]; positionals: number; what: string }> = {
  sync: { options: ['account', 'wait'], positionals: 1, what: 'one worker' },
  ingest: { options: ['account', 'period'], positionals: 1, what: 'one file' },
  status: { options: [], positionals: 0, what: 'no arguments' },
};

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

type Parsed = { command: string; sub?: string; args: string[]; values: Values };

function parse(argv: string[], keysOnly: boolean): Parsed {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('. ')[0]!);
  }
  const { values, positionals } = parsed;
  const words = keysOnly ? ['keys', ...positionals] : positionals;
  const [command, ...rest] = words;
  if (!command) throw new UsageError('a command is required');
  if (command === 'keys') {
    const [sub, ...args] = rest;
    if (!sub) throw new UsageError('keys needs create, list or revoke');
    const spec = KEYS_COMMANDS[sub];
    if (!spec) throw new UsageError(`unknown command "${keysOnly ? sub : `keys ${sub}`}"`);
    allowOnly(values, spec.options, sub);
    if (args.length !== spec.positionals) {
      throw new UsageError(sub === 'revoke' ? 'revoke takes one key id' : `${sub} takes no arguments, got "${args.join(' ')}"`);
    }
    return { command, sub, args, values };
  }
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}"`);
  allowOnly(values, spec.options, command);
  if (rest.length !== spec.positionals) throw new UsageError(`${command} takes ${spec.what}, got ${rest.length ? `"${rest.join(' ')}"` : 'none'}`);
  return { command, args: rest, values };
}

function allowOnly(values: Values, allowed: readonly string[], command: string): void {
  for (const name of Object.keys(values)) {
    if (!['url', 'key', 'help', ...allowed].includes(name)) throw new UsageError(`${command} does not take --${name}`);
  }
}

/** The account's id: given as an id, or a slug looked up with the `accounts` query. */
async function accountId(api: Api, given: string | undefined): Promise<string | undefined> {
  if (given === undefined) return undefined;
  let accounts: { id: string; slug: string }[];
  try {
    ({ accounts } = await api.request<{ accounts: { id: string; slug: string }[] }>('{ accounts { id slug } }'));
  } catch (error) {
    // A server of one account has no `accounts` query: the value is taken as an id.
    if (error instanceof CliError && /Cannot query field "accounts"/.test(error.message)) return given;
    throw error;
  }
  const found = accounts.find((a) => a.slug === given || a.id === given);
  if (!found) throw new CliError(`no account "${given}" (accounts: ${accounts.map((a) => a.slug).join(', ') || 'none'})`);
  return found.id;
}

const RUN_FIELDS =
  'id worker status startedAt finishedAt fetched created updated unchanged markedMissing markedStale revived apiRequests complete error skippedItems { path } progress { pages items }';
type FinishedRun = RunView & {
  startedAt: string;
  finishedAt: string | null;
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  markedMissing: number;
  markedStale: number;
  revived: number;
  apiRequests: number;
  complete: boolean;
  error: string | null;
  skippedItems: unknown[];
};

async function sync(api: Api, workerArg: string, values: Values, out: (line: string) => void): Promise<number> {
  const worker = workerArg.toUpperCase();
  if (!(SYNC_WORKERS as readonly string[]).includes(worker)) throw new UsageError(`unknown worker "${workerArg}" (one of ${SYNC_WORKERS.join(', ')})`);
  const account = await accountId(api, values.account);
  // The last successful run's item count: the bar's length on a terminal.
  const { syncStatus } = await api.request<{ syncStatus: { worker: string; lastSuccess: { fetched: number; progress: { items: number } } | null }[] }>(
    '{ syncStatus { worker lastSuccess { fetched progress { items } } } }',
  );
  const last = syncStatus.find((s) => s.worker === worker)?.lastSuccess;
  const reporter = createReporter(worker, last ? last.progress.items || last.fetched : 0, out);

  const stop = new AbortController();
  let connected!: () => void;
  const isConnected = new Promise<void>((resolve) => (connected = resolve));
  let started!: (run: RunView) => void;
  const isStarted = new Promise<RunView>((resolve) => (started = resolve));
  const live = (async () => {
    const updates = api.subscribe<{ syncRunUpdated: RunView }>(
      `subscription($worker: SyncWorker${account ? ', $accountId: ID' : ''}) { syncRunUpdated(worker: $worker${account ? ', accountId: $accountId' : ''}) { id worker status progress { pages items } } }`,
      { worker, ...(account ? { accountId: account } : {}) },
      stop.signal,
      connected,
    );
    for await (const { syncRunUpdated: run } of updates) {
      if (run.status === 'RUNNING') started(run);
      reporter.update(run);
    }
  })();
  live.catch(() => {});
  // Progress is shown from the subscription: start the run once it is connected.
  await Promise.race([isConnected, live]);

  const mutation = api.request<{ runSync: { syncRun: FinishedRun | null; userErrors: UserError[] } }>(
    `mutation($input: RunSyncInput!) { runSync(input: $input) { syncRun { ${RUN_FIELDS} } userErrors { code message } } }`,
    { input: { worker, ...(account ? { accountId: account } : {}) } },
  );
  try {
    if (!values.wait) {
      const first = await Promise.race([isStarted, mutation]);
      if ('id' in first) {
        reporter.stop();
        out(`${worker} run ${first.id} started; it goes on on the server (--wait shows it to the end)`);
        return EXIT.OK;
      }
    }
    const { runSync } = await mutation;
    reporter.stop();
    failOn(runSync.userErrors);
    const run = runSync.syncRun!;
    out(summary(run));
    return run.status === 'SUCCEEDED' ? EXIT.OK : EXIT.FAILED;
  } finally {
    reporter.stop();
    stop.abort();
    await live.catch(() => {});
  }
}

function summary(run: FinishedRun): string {
  const seconds = run.finishedAt ? ((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1) : '?';
  const counts = `${run.fetched} fetched, ${run.created} created, ${run.updated} updated, ${run.unchanged} unchanged, ${run.markedMissing} missing, ${run.markedStale} stale, ${run.revived} revived`;
  const reads = `${run.progress.pages} pages, ${run.apiRequests} DigitalOcean requests`;
  const incomplete = run.complete ? '' : ` (incomplete${run.skippedItems.length ? `: ${run.skippedItems.length} items skipped` : ''}: no strikes counted)`;
  const head = `${run.worker} ${run.status} in ${seconds} s`;
  if (run.status === 'FAILED') return `${head}: ${run.error ?? 'no reason given'}\n  ${counts}; ${reads}; run ${run.id}`;
  return `${head}: ${counts}; ${reads}${incomplete}; run ${run.id}`;
}

async function ingest(api: Api, file: string, values: Values, out: (line: string) => void): Promise<number> {
  const period = values.period;
  if (!period) throw new UsageError('ingest needs --period YYYY-MM');
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw new UsageError(`--period must be a month such as 2026-10, got "${period}"`);
  let csv: string;
  try {
    csv = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const account = await accountId(api, values.account);
  out(`ingesting ${file} (${csv.split('\n').filter((l) => l.trim()).length - 1} lines) for ${period}`);
  type Invoice = {
    id: string;
    period: string;
    amount: string;
    source: string;
    matchStats: {
      lineCount: number;
      matchedCount: number;
      matchRate: number;
      amount: string;
      matchedAmount: string;
      unmatched: { reason: string; count: number }[];
    };
  };
  const { ingestInvoice: r } = await api.request<{ ingestInvoice: { invoice: Invoice | null; userErrors: UserError[] } }>(
    `mutation($input: IngestInvoiceInput!) { ingestInvoice(input: $input) {
      invoice { id period amount source matchStats { lineCount matchedCount matchRate amount matchedAmount unmatched { reason count } } }
      userErrors { code message } } }`,
    { input: { csv, period, ...(account ? { accountId: account } : {}) } },
  );
  failOn(r.userErrors);
  const inv = r.invoice!;
  const s = inv.matchStats;
  out(`invoice ${inv.id}: ${inv.period}, ${inv.amount} from ${inv.source}, ${s.lineCount} lines`);
  out(`matched ${s.matchedCount} of ${s.lineCount} lines (${(s.matchRate * 100).toFixed(1)} %), ${s.matchedAmount} of ${s.amount}`);
  if (s.unmatched.length) out(`unmatched: ${s.unmatched.map((u) => `${u.count} ${u.reason}`).join(', ')}`);
  return EXIT.OK;
}

async function status(api: Api, out: (line: string) => void): Promise<number> {
  const readyz = new URL('/readyz', api.url);
  let ready: boolean;
  let detail = '';
  try {
    const res = await fetch(readyz);
    ready = res.ok;
    detail = (await res.text()).trim();
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    throw new CliError(`cannot reach the server at ${api.url.origin}: ${e.cause?.code ?? e.message}`, EXIT.UNREACHABLE);
  }
  out(`server ${api.url.origin}: ${ready ? 'ready' : 'NOT ready'}${detail && !ready ? ` (${detail})` : ''}`);
  type Worker = {
    worker: string;
    schedule: string;
    enabled: boolean;
    running: boolean;
    nextRunAt: string | null;
    lastRun: { status: string; startedAt: string; fetched: number; progress: { pages: number; items: number } } | null;
  };
  const { syncStatus } = await api.request<{ syncStatus: Worker[] }>(
    '{ syncStatus { worker schedule enabled running nextRunAt lastRun { status startedAt fetched progress { pages items } } } }',
  );
  out(
    table([
      ['WORKER', 'SCHEDULE', 'STATE', 'LAST RUN', 'STATUS', 'ITEMS', 'NEXT RUN'],
      ...syncStatus.map((w) => [
        w.worker,
        w.schedule,
        w.running ? 'running' : w.enabled ? 'idle' : 'disabled',
        when(w.lastRun?.startedAt),
        w.lastRun?.status ?? '-',
        w.lastRun ? String(w.lastRun.status === 'RUNNING' ? w.lastRun.progress.items : w.lastRun.fetched) : '-',
        when(w.nextRunAt),
      ]),
    ]),
  );
  return ready ? EXIT.OK : EXIT.FAILED;
}

/**
 * Runs the CLI; resolves with the exit code. `keysOnly` is the older `npm run api-key` entry:
 * the keys commands without the `keys` word, and exit 1 for an unreachable server or refused key.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv, keysOnly = false): Promise<number> {
  const out = (line: string) => console.log(line);
  const usage = (command: string) => (keysOnly ? keysUsage('npm run api-key --') : (HELP[command] ?? HELP['']!));
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  const commandWord = keysOnly ? 'keys' : (argv.find((a) => !a.startsWith('-')) ?? '');
  if (wantsHelp) {
    out(usage(commandWord));
    return EXIT.OK;
  }
  try {
    const { command, sub, args, values } = parse(argv, keysOnly);
    if (command === 'keys') checkKeysArgs(sub!, values);
    const key = values.key ?? (env.INVENTORY_API_KEY || env.ADMIN_API_KEY || undefined);
    const url = endpoint(values.url, env);
    const api = connect(url, key, {
      keyHint: command === 'keys' ? 'an unscoped operator key' : 'an operator key',
      forbidden: command === 'keys' ? 'this key may not manage API keys (only unscoped operator keys can)' : 'this key may not do that',
    });
    if (command === 'keys') {
      await runKeys(api, sub!, args[0], values, out);
      return EXIT.OK;
    }
    if (command === 'sync') return await sync(api, args[0]!, values, out);
    if (command === 'ingest') return await ingest(api, args[0]!, values, out);
    return await status(api, out);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${usage(commandWord)}`);
      return EXIT.USAGE;
    }
    if (error instanceof CliError) {
      console.error(error.message);
      return keysOnly ? EXIT.FAILED : error.exitCode;
    }
    console.error(`unexpected error: ${(error as Error).message}`);
    return EXIT.FAILED;
  }
}

// Run when started as a program (not when imported by the api-key alias or a test).
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli/main.ts') || process.argv[1]?.endsWith('/cli/main.js')) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
