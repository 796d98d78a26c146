// npm run bench:soak — a long run of this server under steady live use, to see memory, errors and
// latency hold still: the server (node --import tsx src/main.ts, a child process) on a fresh
// PostgreSQL database, with the two simulated accounts and the droplet sync every minute;
// 200 graphql-ws subscribers of resourceStatusChanged (in two processes of their own), each
// closing its socket and reconnecting every 10 s, staggered; the resources page over HTTP every
// 100 ms. Every minute one line: server RSS, lowest V8 heap in use (about the live data after a
// collection: a leak shows as a floor that rises), active handles and subscriptions
// streaming (its /metrics; equal subscriptions share one, so with multiplexing this stays 1),
// page p50/p99, pages, skipped page ticks (20 already open), subscriber connects, events received
// of those published × subscribers, errors, load. At the end a verdict:
//   memory  RSS of the last minute at most 10% above the second minute's (a minute's RSS is the
//           median of samples every 5 s; the first minute is warm-up, a fall is no leak),
//   errors  none: page queries, subscribers, server log lines at error/fatal, failed syncs,
//           a subscriber process or the server exiting other than asked,
//   latency page p99 of the last minute at most 1.5× the first's (or at most 10 ms above it:
//           a few ms of noise on a shared machine is no trend).
// Exit code 1 when any fails. The share of events delivered (received ÷ published × subscribers)
// is shown, not judged: an event published while a subscriber is between sockets is lost to it,
// and a minute with none delivered and no error means subscriptions never started streaming.
//
// Status churn: the simulated accounts change by themselves. With no DigitalOcean account
// configured the server serves two simulators and toggles one droplet in each every 20 s
// (src/simulator/demo.ts, started by src/components/simulated-account.ts); the minute droplet
// sync (SYNC_SCHEDULE_DROPLETS="* * * * *", the simulated default, set here explicitly) turns
// them into STATUS_CHANGED events, about three per account per minute. That is the shipped
// mechanism, so the soak drives nothing itself; the simulators' /_sim/ scripting endpoints are
// there if a heavier churn is ever wanted. Other workers keep their default schedules: each runs
// once at start (the run waits for those to end before measuring), the 15-minute ones may tick
// once in a run; with the simulators' small accounts (~130 resources each) they take about a
// second and do not dominate.
//
// Options: --minutes=10 --subscribers=200 --reconnect-s=10 --page-ms=100.
// BENCH_DATABASE_URL: the admin URL the run's database is created through (default
// postgresql://root@127.0.0.1:5432/postgres); the database is dropped at the end, and on Ctrl-C.
import { type ChildProcess, fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRunDatabase, type RunDatabase } from './soak/database.js';
import { scrapeFigures } from './soak/metrics.js';
import { type PageLoop, startPageLoop } from './soak/pages.js';
import { type SoakServer, startServer } from './soak/server.js';

const arg = (name: string, fallback: number) => {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};
const MINUTES = Math.floor(arg('minutes', 10));
const SUBSCRIBERS = Math.floor(arg('subscribers', 200));
const RECONNECT_MS = arg('reconnect-s', 10) * 1000;
const PAGE_MS = arg('page-ms', 100);
const MINUTE_MS = 60_000;
const SAMPLE_MS = 5_000;
const PER_PROCESS = 100;
const ADMIN_KEY = 'bench-soak-admin-key-0123456789';
const AUTHORIZATION = `Bearer ${ADMIN_KEY}`;
const SUBSCRIPTION = 'subscription { resourceStatusChanged { sequence type from to at resource { id name status } } }';
const RSS_LIMIT = 1.1;
const P99_RATIO = 1.5;
const P99_SLACK_MS = 10;

type SubscriberTotals = { connects: number; events: number; errors: number; firstErrors: string[] };
type Minute = {
  minute: number;
  rssMB: number | null;
  heapMB: number | null;
  handles: number | null;
  subscriptionsOpen: number | null;
  cpuPercent: number | null;
  loopP99: number | null;
  loopMax: number | null;
  p50: number;
  p99: number;
  pages: number;
  skipped: number;
  connects: number;
  events: number;
  expected: number;
  errors: number;
  load: number;
};

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const median = (values: number[]) =>
  pct(
    [...values].sort((a, b) => a - b),
    50,
  );
const mb = (bytes: number | null) => (bytes === null ? null : bytes / 1024 / 1024);
const fmt = (n: number | null, digits = 1) => (n === null || Number.isNaN(n) ? '-' : n.toFixed(digits));

const stopping = new AbortController();
let interrupted = false;
let db: RunDatabase | null = null;
let server: SoakServer | null = null;
let pages: PageLoop | null = null;
const subscribers: ChildProcess[] = [];
const harnessErrors: string[] = [];

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) {
      // A second Ctrl-C: no more waiting.
      for (const c of subscribers) c.kill('SIGKILL');
      if (server && !server.exit) process.kill(server.pid, 'SIGKILL');
      void db?.drop().finally(() => process.exit(130));
      return;
    }
    interrupted = true;
    console.log(`\n${signal}: stopping the run and cleaning up (again to force)`);
    stopping.abort();
  });
}

/** Sleeps until `ms` from now, or until the run is stopped; false when stopped. */
async function wait(ms: number): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal: stopping.signal });
    return true;
  } catch {
    return false;
  }
}

async function graphql<T>(url: string, query: string): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
    body: JSON.stringify({ query }),
  });
  const json = (await response.json()) as { data?: T; errors?: unknown };
  if (!json.data) throw new Error(`HTTP ${response.status}: ${JSON.stringify(json.errors)}`);
  return json.data;
}

/** Waits for every scheduled worker's start-up run to end, so the first minute measures the steady state. */
async function startupSyncsDone(url: string, timeoutMs = 180_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  type Status = { schedule: string; running: boolean; lastRun: { status: string } | null };
  while (Date.now() < until) {
    const { syncStatus } = await graphql<{ syncStatus: Status[] }>(url, '{ syncStatus { schedule running lastRun { status } } }');
    const scheduled = syncStatus.filter((s) => s.schedule !== 'off' && s.schedule !== 'disabled');
    if (scheduled.length > 0 && scheduled.every((s) => !s.running && s.lastRun && s.lastRun.status !== 'RUNNING')) return;
    if (!(await wait(500))) return;
  }
  throw new Error('the start-up syncs did not finish in time');
}

function startSubscribers(url: string): Promise<void> {
  const wsUrl = `${url.replace(/^http/, 'ws')}/graphql`;
  const processes = Math.ceil(SUBSCRIBERS / PER_PROCESS);
  let waiting = processes;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the subscribers did not all connect within 120 s')), 120_000);
    for (let p = 0; p < processes; p++) {
      const count = Math.min(PER_PROCESS, SUBSCRIBERS - p * PER_PROCESS);
      const child = fork(
        'bench/soak/subscribers.ts',
        [wsUrl, String(count), String(RECONNECT_MS), SUBSCRIPTION, AUTHORIZATION, String(p * PER_PROCESS), String(SUBSCRIBERS)],
        { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      child.on('message', (m: { type: string }) => {
        if (m.type === 'connected' && --waiting === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        if (!closingSubscribers) harnessErrors.push(`a subscriber process exited (code ${code}, signal ${signal})`);
      });
      subscribers.push(child);
    }
  });
}

let closingSubscribers = false;
const lastReports = new Map<ChildProcess, SubscriberTotals>();

/** The subscribers' totals (a process that does not answer within 10 s counts with its last report). */
async function subscriberTotals(): Promise<SubscriberTotals> {
  const reports = await Promise.all(
    subscribers.map(
      (c) =>
        new Promise<SubscriberTotals>((resolve) => {
          const last = lastReports.get(c) ?? { connects: 0, events: 0, errors: 0, firstErrors: [] };
          if (!c.connected) return resolve(last);
          const timer = setTimeout(() => {
            c.off('message', onMessage);
            resolve(last);
          }, 10_000);
          const onMessage = (m: SubscriberTotals & { type: string }) => {
            if (m.type !== 'report') return;
            clearTimeout(timer);
            c.off('message', onMessage);
            lastReports.set(c, m);
            resolve(m);
          };
          c.on('message', onMessage);
          c.send({ type: 'report' });
        }),
    ),
  );
  return reports.reduce(
    (a, r) => ({
      connects: a.connects + r.connects,
      events: a.events + r.events,
      errors: a.errors + r.errors,
      firstErrors: [...a.firstErrors, ...r.firstErrors],
    }),
    { connects: 0, events: 0, errors: 0, firstErrors: [] },
  );
}

async function closeSubscribers(): Promise<void> {
  closingSubscribers = true;
  await Promise.all(
    subscribers.map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      if (c.connected) c.send({ type: 'close' });
      else c.kill('SIGTERM');
      const killer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }),
  );
}

const ms = (seconds: number | null) => (seconds === null ? null : seconds * 1000);

function printRow(m: Minute) {
  const coverage = m.expected > 0 ? `${((100 * m.events) / m.expected).toFixed(1)}%` : '-';
  console.log(
    [
      String(m.minute).padStart(3),
      fmt(m.rssMB).padStart(7),
      fmt(m.heapMB).padStart(7),
      fmt(m.handles, 0).padStart(7),
      fmt(m.subscriptionsOpen, 0).padStart(4),
      fmt(m.cpuPercent, 0).padStart(4),
      `${fmt(m.loopP99, 0)}/${fmt(m.loopMax, 0)}`.padStart(9),
      fmt(m.p50).padStart(7),
      fmt(m.p99).padStart(7),
      String(m.pages).padStart(5),
      String(m.skipped).padStart(4),
      String(m.connects).padStart(8),
      `${m.events}/${m.expected}`.padStart(13),
      coverage.padStart(7),
      String(m.errors).padStart(6),
      m.load.toFixed(2).padStart(5),
    ].join(' '),
  );
}

async function run(): Promise<number> {
  const loadBefore = loadavg();
  db = await createRunDatabase('soak');
  server = await startServer({
    databaseUrl: db.url,
    adminKey: ADMIN_KEY,
    env: { SYNC_SCHEDULE_DROPLETS: '* * * * *', WS_MAX_SOCKETS_PER_KEY: String(Math.max(1000, SUBSCRIBERS * 2)) },
  });
  const s = server;
  console.log(
    `bench:soak — ${MINUTES} min, ${SUBSCRIBERS} subscribers reconnecting every ${RECONNECT_MS / 1000} s, a page every ${PAGE_MS} ms; ` +
      `server pid ${s.pid} at ${s.url} (Node ${process.version}), simulated accounts ${Object.keys(s.simulators).join(', ')}`,
  );
  await startupSyncsDone(s.url);
  if (stopping.signal.aborted) return 130;
  await Promise.race([startSubscribers(s.url), new Promise((r) => stopping.signal.addEventListener('abort', r))]);
  if (stopping.signal.aborted) return 130;
  console.log(`start-up syncs done, ${SUBSCRIBERS} subscribers connected; measuring (load ${loadavg()[0]!.toFixed(2)})`);
  console.log('min  RSS MB heap MB handles subs cpu% loop ms  p50 ms  p99 ms pages skip connects events/expect  cover errors load1');
  console.log(
    '     (server, sampled every 5 s: median RSS, lowest V8 heap in use, active handles and subscriptions streaming at the end, CPU, event loop delay worst 5-s p99/max; page query p50/p99)',
  );

  let before = await subscriberTotals();
  let logBefore = { ...s.log };
  let figuresBefore = await scrapeFigures(s.url, AUTHORIZATION);
  const startRss = await s.rssBytes();
  console.log(
    `  0 ${fmt(mb(startRss)).padStart(7)} ${fmt(mb(figuresBefore.heapUsedBytes)).padStart(7)} ${fmt(figuresBefore.activeHandles, 0).padStart(7)} ${fmt(figuresBefore.subscriptionsOpen, 0).padStart(4)}   (start: after the start-up syncs, subscribers connected)`,
  );
  pages = startPageLoop({ url: s.url, authorization: AUTHORIZATION, everyMs: PAGE_MS });
  const minutes: Minute[] = [];
  const firstErrors: string[] = [];
  const started = performance.now();
  for (let minute = 1; minute <= MINUTES; minute++) {
    const rss: number[] = [];
    const heaps: number[] = [];
    const loopP99s: number[] = [];
    const loopMaxes: number[] = [];
    const end = started + minute * MINUTE_MS;
    let figures = figuresBefore;
    while (performance.now() < end && !stopping.signal.aborted && !s.exit) {
      if (!(await wait(Math.min(SAMPLE_MS, Math.max(0, end - performance.now()))))) break;
      const bytes = await s.rssBytes();
      if (bytes !== null) rss.push(bytes);
      figures = await scrapeFigures(s.url, AUTHORIZATION);
      if (figures.heapUsedBytes !== null) heaps.push(figures.heapUsedBytes);
      if (figures.loopDelayP99Seconds !== null) loopP99s.push(figures.loopDelayP99Seconds);
      if (figures.loopDelayMaxSeconds !== null) loopMaxes.push(figures.loopDelayMaxSeconds);
    }
    if (stopping.signal.aborted) break;
    if (s.exit) {
      harnessErrors.push(`the server exited during the run (code ${s.exit.code}, signal ${s.exit.signal})`);
      break;
    }
    const window = pages.take();
    const totals = await subscriberTotals();
    const log = { ...s.log };
    const latencies = window.latencies.sort((a, b) => a - b);
    const m: Minute = {
      minute,
      rssMB: rss.length ? mb(median(rss)) : null,
      heapMB: heaps.length ? mb(Math.min(...heaps)) : null,
      handles: figures.activeHandles,
      subscriptionsOpen: figures.subscriptionsOpen,
      cpuPercent:
        figures.cpuSeconds !== null && figuresBefore.cpuSeconds !== null ? (100 * (figures.cpuSeconds - figuresBefore.cpuSeconds)) / (MINUTE_MS / 1000) : null,
      loopP99: loopP99s.length ? ms(Math.max(...loopP99s)) : null,
      loopMax: loopMaxes.length ? ms(Math.max(...loopMaxes)) : null,
      p50: pct(latencies, 50),
      p99: pct(latencies, 99),
      pages: latencies.length,
      skipped: window.skipped,
      connects: totals.connects - before.connects,
      events: totals.events - before.events,
      expected: (log.dropletEvents - logBefore.dropletEvents) * SUBSCRIBERS,
      errors: window.errors + (totals.errors - before.errors) + (log.errors - logBefore.errors),
      load: loadavg()[0]!,
    };
    for (const e of [...window.firstErrors, ...totals.firstErrors, ...log.firstErrors])
      if (firstErrors.length < 10 && !firstErrors.includes(e)) firstErrors.push(e);
    minutes.push(m);
    printRow(m);
    before = totals;
    logBefore = log;
    figuresBefore = figures;
  }

  await pages.stop();
  pages = null;
  await closeSubscribers();
  const exitCode = await s.stop();
  if (exitCode !== 0 && !harnessErrors.some((e) => e.startsWith('the server exited'))) harnessErrors.push(`the server exited ${exitCode} when stopped`);
  if (interrupted) {
    console.log(`interrupted after ${minutes.length} full minute(s); no verdict`);
    return 130;
  }

  const loadAfter = loadavg();
  const second = minutes[Math.min(1, minutes.length - 1)];
  const first = minutes[0];
  const last = minutes.at(-1);
  const errors = minutes.reduce((n, m) => n + m.errors, 0) + harnessErrors.length;
  const rssRatio = second?.rssMB && last?.rssMB ? last.rssMB / second.rssMB : Number.NaN;
  const memoryOk = rssRatio <= RSS_LIMIT;
  const errorsOk = errors === 0 && minutes.length === MINUTES;
  const latencyOk = !!first && !!last && (last.p99 <= first.p99 * P99_RATIO || last.p99 - first.p99 <= P99_SLACK_MS);
  const events = minutes.reduce((n, m) => n + m.events, 0);
  const expected = minutes.reduce((n, m) => n + m.expected, 0);
  console.log(
    `RSS: minute ${second?.minute ?? '-'} ${fmt(second?.rssMB ?? null)} MB → minute ${last?.minute ?? '-'} ${fmt(last?.rssMB ?? null)} MB ` +
      `(${Number.isNaN(rssRatio) ? '-' : `${rssRatio >= 1 ? '+' : ''}${((rssRatio - 1) * 100).toFixed(1)}%`}; limit +${Math.round((RSS_LIMIT - 1) * 100)}%)`,
  );
  console.log(
    `page p99: minute 1 ${fmt(first?.p99 ?? null)} ms → minute ${last?.minute ?? '-'} ${fmt(last?.p99 ?? null)} ms ` +
      `(×${first && last ? (last.p99 / first.p99).toFixed(2) : '-'}; limit ×${P99_RATIO} or +${P99_SLACK_MS} ms)`,
  );
  console.log(
    `events: ${events} received of ${expected} published × subscribers (${expected ? ((100 * events) / expected).toFixed(1) : '-'}%; ` +
      'not judged: events published while a subscriber reconnects are not replayed to it)',
  );
  console.log(`errors: ${errors}${[...firstErrors, ...harnessErrors].length ? ` (first: ${[...firstErrors, ...harnessErrors].slice(0, 5).join(' | ')})` : ''}`);
  console.log(`load average (1/5/15 min): before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`memory ${memoryOk ? 'PASS' : 'FAIL'}, errors ${errorsOk ? 'PASS' : 'FAIL'}, latency ${latencyOk ? 'PASS' : 'FAIL'}`);
  const pass = memoryOk && errorsOk && latencyOk;
  console.log(pass ? 'PASS' : 'FAIL');
  return pass ? 0 : 1;
}

let code = 1;
try {
  code = await run();
} catch (error) {
  console.error(`bench:soak: ${(error as Error).message}`);
  code = interrupted ? 130 : 1;
} finally {
  // Assigned inside run(); TypeScript's narrowing here does not see that.
  await (pages as PageLoop | null)?.stop();
  await closeSubscribers();
  await (server as SoakServer | null)?.stop();
  await (db as RunDatabase | null)?.drop().catch((e: Error) => console.error(`dropping the database: ${e.message}`));
}
process.exit(code);
