// This server as a child process for bench/soak.ts: `node --import tsx src/main.ts` (with
// --trace-deprecation, so a deprecation warning shows where it comes from) with the
// simulated accounts (no DigitalOcean account configured), an admin key, JSON logs (on stderr).
// Reads its log as it runs: the listening URL, the simulators' URLs, every sync run, and every
// line at level error or fatal (each one counts as a server error).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

export type ServerOptions = {
  databaseUrl: string;
  adminKey: string;
  /** Extra environment (schedules, limits); wins over what the server is given by default. */
  env: Record<string, string>;
};

/** What the server's log said so far (totals since start). */
export type ServerLog = {
  /** Droplet sync runs finished (any account), and the events they wrote. */
  dropletSyncs: number;
  dropletEvents: number;
  /** Sync runs of any worker that ended FAILED. */
  failedSyncs: number;
  /** Lines at level error or fatal, and failed syncs; the first few as text. */
  errors: number;
  firstErrors: string[];
  warnings: number;
};

export type SoakServer = {
  pid: number;
  /** `http://host:port` (no path). */
  url: string;
  /** The simulated accounts' simulator URLs by account slug. */
  simulators: Record<string, string>;
  log: ServerLog;
  /** Resident set size from /proc/<pid>/status; null where there is no /proc. */
  rssBytes(): Promise<number | null>;
  /** Whether the process has exited (and with what). */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** SIGTERM, then waits (SIGKILL after `graceMs`); the exit code. */
  stop(graceMs?: number): Promise<number | null>;
};

const INHERITED_OUT = [
  /^DIGITALOCEAN_/,
  /^SYNC_SCHEDULE_/,
  /^REDIS_URL$/,
  /^DATA_DIR$/,
  /^METRICS_/,
  /^PERSISTED_OPERATIONS_FILE$/,
  /^NODE_ENV$/,
  /^WS_/,
  /^QUERY_MAX_/,
];

/** What a log line says of its error: the error's message and the first frame of its stack. */
function detail(entry: Record<string, unknown>): string {
  const error = entry.error ?? entry.err;
  const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value));
  const message = typeof error === 'object' && error ? text((error as { message?: unknown }).message ?? error) : text(error);
  const stack = String((error as { stack?: unknown } | undefined)?.stack ?? entry.stack ?? '');
  const frame = stack
    .split('\n')
    .find((l) => l.trim().startsWith('at '))
    ?.trim();
  return `${message ? `: ${message.slice(0, 300)}` : ''}${frame ? ` (${frame})` : ''}`;
}

export async function startServer(options: ServerOptions, startTimeoutMs = 120_000): Promise<SoakServer> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !INHERITED_OUT.some((re) => re.test(k))) env[k] = v;
  Object.assign(env, {
    DATABASE_URL: options.databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    ADMIN_API_KEY: options.adminKey,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    ...options.env,
  });
  const child: ChildProcess = spawn(process.execPath, ['--trace-deprecation', '--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: ServerLog = { dropletSyncs: 0, dropletEvents: 0, failedSyncs: 0, errors: 0, firstErrors: [], warnings: 0 };
  const serverError = (text: string) => {
    log.errors++;
    if (log.firstErrors.length < 5) {
      log.firstErrors.push(text);
      console.error(`server error: ${text}`);
    }
  };

  let url = '';
  let simulators: Record<string, string> = {};
  let listening: () => void = () => {};
  const listened = new Promise<void>((resolve) => (listening = resolve));
  const server: SoakServer = {
    pid: child.pid!,
    get url() {
      return url;
    },
    get simulators() {
      return simulators;
    },
    log,
    exit: null,
    async rssBytes() {
      try {
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
        const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
        return kb ? Number(kb) * 1024 : null;
      } catch {
        return null;
      }
    },
    async stop(graceMs = 30_000) {
      if (!server.exit) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(killer);
      }
      return server.exit?.code ?? null;
    },
  };
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      server.exit = { code, signal };
      resolve();
    }),
  );

  const onLine = (line: string) => {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line);
    } catch {
      // Not a log line (a Node warning, a crash): shown as it is.
      console.error(`server: ${line}`);
      return;
    }
    const msg = String(entry.msg ?? '');
    if (entry.level === 'error' || entry.level === 'fatal') serverError(`${msg}${detail(entry)}`);
    if (entry.level === 'warn') log.warnings++;
    if (typeof entry.simulators === 'object' && entry.simulators) simulators = entry.simulators as Record<string, string>;
    if (msg.startsWith('inventory graph listening on') && typeof entry.url === 'string') {
      url = entry.url.replace(/\/graphql$/, '');
      listening();
    }
    if (msg === 'sync run finished') {
      if (entry.status === 'FAILED') {
        log.failedSyncs++;
        serverError(`sync ${String(entry.account)} ${String(entry.worker)} FAILED: ${String(entry.error ?? '')}`);
      }
      if (entry.worker === 'DROPLETS') {
        log.dropletSyncs++;
        log.dropletEvents += Number(entry.events ?? 0);
      }
    }
  };
  // The log is JSON lines on stderr; stdout is read the same way in case that changes.
  createInterface({ input: child.stderr! }).on('line', onLine);
  createInterface({ input: child.stdout! }).on('line', onLine);

  const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, startTimeoutMs, 'timeout').unref());
  const outcome = await Promise.race([listened, exited.then(() => 'exited' as const), timeout]);
  if (outcome !== undefined) {
    await server.stop(5_000);
    throw new Error(outcome === 'exited' ? `the server exited at start (code ${server.exit?.code})` : 'the server did not start listening in time');
  }
  return server;
}
