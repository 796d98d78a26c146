// npm run bench:fanout — 2,000 graphql-ws subscribers of resourceStatusChanged (real clients, in
// two processes of their own), one sync changing 100 droplets of the simulator: commit→client
// latency p50/p99, deliveries, and the server's memory per idle subscriber. Sides, in one run:
//   bare    a graphql-ws server with a one-subscription schema and no database, pushing the same
//           100 events (the baseline),
//   memory  this server on a fresh PostgreSQL database, in-process pub/sub,
//   redis   the same through Redis (REDIS_URL, default redis://127.0.0.1:6379).
// "Commit" is when the transaction that stored the event committed (for bare: when it emits); a
// sync commits its 100 events in one transaction and the bare side emits them at once, so both
// sides start every event's clock at the same moment. "Hand-over" (shown beside it) is when the
// event was handed to the pub/sub: through Redis each publish waits for the previous one's reply,
// so later events are handed over later and a latency counted from there leaves out their wait.
// The clients' CPU and event-loop utilisation over the delivery window are shown: when they are
// near saturation the clients set the pace, on every side alike.
// Options: --subscribers=2000 --sides=bare,memory,redis --multiplex=off (each subscriber executed
// on its own, as before subscriptions were shared) --profile=DIR (a CPU profile of this process,
// the servers, over each side's delivery window). BENCH_DATABASE_URL as for the other benchmarks.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter, on } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import pg from 'pg';
import { WebSocketServer } from 'ws';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/index.js';
import { SYNC_WORKERS } from '../src/domain/workers.js';
import { createLogger } from '../src/log.js';
import type { ResourceEventMessage } from '../src/pubsub.js';
import { createSimulator } from '../src/simulator/index.js';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const SUBSCRIBERS = Number(arg('subscribers', '2000'));
const SIDES = arg('sides', 'bare,memory,redis').split(',');
const MULTIPLEX = arg('multiplex', 'on');
const PROFILE = arg('profile', '');
const EVENTS = 100;
const CLIENT_PROCESSES = 2;
const DELIVERY_TIMEOUT_MS = 300_000;
const ADMIN = 'bench-fanout-admin-key-0123456789';
const QUERY = `subscription { resourceStatusChanged { sequence type kind from to at resource { id name } } }`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const now = () => performance.timeOrigin + performance.now();
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const heapMB = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
};
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

type Side = {
  url: string;
  /** Publishes a probe event that every attached subscriber receives; its sequence. */
  probe(): Promise<number>;
  /** Commits and publishes the 100 changes; by sequence, when it committed and when it was handed to the pub/sub. */
  fire(): Promise<Map<number, Moments>>;
  stop(): Promise<void>;
};

type Moments = { committed: number; handedOver: number };

type ClientWindow = { cpuMs: number; wallMs: number; elu: number };

type Result = {
  side: string;
  p50: number;
  p99: number;
  max: number;
  /** p99 counted from the hand-over to the pub/sub instead of the commit. */
  p99HandedOver: number;
  /** The server's (this process's) event-loop utilisation and CPU from the commit to the last delivery. */
  serverElu: number;
  serverCpuMs: number;
  clients: ClientWindow[];
  delivered: number;
  expected: number;
  idleKBPerSubscriber: number;
  idleRssKBPerSubscriber: number;
  errors: string[];
};

async function bareSide(): Promise<Side> {
  const emitter = new EventEmitter();
  let probes = 0;
  emitter.setMaxListeners(0);
  const Resource = new GraphQLObjectType({ name: 'Resource', fields: { id: { type: GraphQLString }, name: { type: GraphQLString } } });
  const Event = new GraphQLObjectType({
    name: 'ResourceEvent',
    fields: {
      sequence: { type: GraphQLInt },
      type: { type: GraphQLString },
      kind: { type: GraphQLString },
      from: { type: GraphQLString },
      to: { type: GraphQLString },
      at: { type: GraphQLString },
      resource: { type: Resource },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt, resolve: () => 1 } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        resourceStatusChanged: {
          type: Event,
          subscribe: async function* () {
            for await (const [message] of on(emitter, 'event')) yield message;
          },
          resolve: (message: unknown) => message,
        },
      },
    }),
  });
  const server = createServer();
  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer({ schema }, wss);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const event = (sequence: number) => ({
    sequence,
    type: 'STATUS_CHANGED',
    kind: 'droplet',
    from: 'active',
    to: 'off',
    at: new Date().toISOString(),
    resource: { id: `r-${sequence}`, name: `droplet-${sequence}` },
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    probe: async () => {
      emitter.emit('event', event(--probes));
      return 0;
    },
    async fire() {
      const published = new Map<number, Moments>();
      for (let i = 1; i <= EVENTS; i++) {
        const at = now();
        published.set(i, { committed: at, handedOver: at });
        emitter.emit('event', event(i));
      }
      return published;
    },
    async stop() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serverSide(redis: boolean): Promise<Side> {
  const sim = createSimulator({ size: { droplets: EVENTS } });
  await sim.start();
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
  const dbName = `inv_bench_fanout_${process.pid}_${redis ? 'redis' : 'memory'}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const db = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    ADMIN_API_KEY: ADMIN,
    WS_MAX_SOCKETS_PER_KEY: String(SUBSCRIBERS * 2),
    WS_MULTIPLEX: MULTIPLEX === 'off' ? 'off' : 'on',
    ...(redis ? { REDIS_URL } : {}),
    ...Object.fromEntries(SYNC_WORKERS.map((w) => [`SYNC_SCHEDULE_${w}`, '0 0 1 1 *'])),
  });
  if (!config.ok) throw new Error(config.problems.join('; '));
  const app = buildApp(config.config, {
    database: db,
    listen: true,
    logger: createLogger(process.env.FANOUT_DEBUG ? 'error' : 'silent'),
    sync: { runOnStart: false },
    doClient: { baseUrl: sim.url, token: 'bench' },
  });
  const { url: httpUrl } = await app.start();
  const services = app.services();
  const [account] = services.accounts.list;
  const sync = account?.sync;
  if (!account || !sync) throw new Error('the bench app has no sync service');
  const first = await sync.run('DROPLETS', 'MANUAL');
  if ('skipped' in first) throw new Error(`first sync skipped: ${first.skipped}`);
  const resource = await db.prisma.resource.findFirstOrThrow({ where: { accountId: account.id, kind: 'droplet' } });

  // When each event committed and when it was handed to the pub/sub: the sync hands a commit's
  // events over one after another once its transaction has committed, before it starts another.
  let published = new Map<number, Moments>();
  let lastCommit = 0;
  const transaction = db.sql.transaction.bind(db.sql);
  db.sql.transaction = async (fn) => {
    const result = await transaction(fn);
    lastCommit = now();
    return result;
  };
  const publish = services.pubsub.publish.bind(services.pubsub);
  services.pubsub.publish = (topic, message) => {
    if (topic === 'resourceEvent') {
      const { sequence } = message as ResourceEventMessage;
      if ((message as ResourceEventMessage).reason !== 'bench probe') published.set(sequence, { committed: lastCommit, handedOver: now() });
    }
    return publish(topic, message);
  };
  return {
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    async probe() {
      // A stored event: the subscription reads the event's resource through it.
      const row = await db.prisma.resourceEvent.create({
        data: {
          accountId: account.id,
          resourceId: resource.id,
          type: 'STATUS_CHANGED',
          kind: 'droplet',
          from: 'active',
          to: 'off',
          reason: 'bench probe',
        },
      });
      await services.pubsub.publish('resourceEvent', { ...row, at: row.at.toISOString() });
      return row.sequence;
    },
    async fire() {
      published = new Map();
      for (const d of sim.state.droplets) sim.script.setDropletStatus(d.id, d.status === 'off' ? 'active' : 'off');
      const outcome = await sync.run('DROPLETS', 'MANUAL');
      if ('skipped' in outcome) throw new Error(`sync skipped: ${outcome.skipped}`);
      if (published.size !== EVENTS) throw new Error(`expected ${EVENTS} events, the sync published ${published.size}`);
      return published;
    },
    async stop() {
      await app.stop();
      await sim.stop();
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

function waitFor(children: ChildProcess[], type: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let left = children.length;
    const timer = setTimeout(() => {
      for (const c of children) c.off('message', onMessage);
      resolve(false);
    }, timeoutMs);
    const onMessage = function (this: ChildProcess, message: { type: string }) {
      if (message.type !== type) return;
      this.off('message', onMessage);
      if (--left === 0) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    for (const c of children) c.on('message', onMessage);
  });
}

async function measure(name: string, side: Side): Promise<Result> {
  const before = heapMB();
  const perProcess = Math.ceil(SUBSCRIBERS / CLIENT_PROCESSES);
  const children = Array.from({ length: CLIENT_PROCESSES }, (_, i) =>
    fork('bench/fanout-clients.ts', [side.url, String(Math.min(perProcess, SUBSCRIBERS - i * perProcess)), QUERY, `Bearer ${ADMIN}`, String(EVENTS)], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  // No acknowledgement says when a subscribe has attached: probes until every client has seen one.
  const attached = waitFor(children, 'attached', 300_000);
  let lastProbe = 0;
  let done = false;
  void attached.then(() => (done = true));
  while (!done) {
    lastProbe = await side.probe();
    await Promise.race([attached, new Promise((r) => setTimeout(r, 2000))]);
  }
  if (!(await attached)) throw new Error(`${name}: subscribers did not attach`);
  await new Promise((r) => setTimeout(r, 1000));
  const idle = heapMB();

  const delivered = waitFor(children, 'done', DELIVERY_TIMEOUT_MS);
  const armed = waitFor(children, 'armed', 60_000);
  for (const c of children) c.send({ type: 'fire', after: lastProbe });
  await armed;
  const profiler = PROFILE ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
    await profiler.post('Profiler.start');
  }
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const published = await side.fire();
  const allDelivered = await delivered;
  const serverElu = performance.eventLoopUtilization(elu).utilization;
  const serverCpu = process.cpuUsage(cpu);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    mkdirSync(PROFILE, { recursive: true });
    writeFileSync(`${PROFILE}/fanout-${name}.cpuprofile`, JSON.stringify(profile));
    profiler.disconnect();
  }
  type Report = { type: string; received: number[]; errors: string[] } & ClientWindow;
  const reports = await Promise.all(
    children.map(
      (c) =>
        new Promise<Report>((resolve) => {
          c.on('message', (m: Report) => m.type === 'report' && resolve(m));
          c.send({ type: 'report' });
        }),
    ),
  );
  for (const c of children) c.send({ type: 'close' });
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));

  const latencies: number[] = [];
  const fromHandOver: number[] = [];
  for (const { received } of reports) {
    for (let i = 0; i < received.length; i += 2) {
      const at = published.get(received[i]!);
      if (at === undefined) continue;
      latencies.push(received[i + 1]! - at.committed);
      fromHandOver.push(received[i + 1]! - at.handedOver);
    }
  }
  latencies.sort((a, b) => a - b);
  fromHandOver.sort((a, b) => a - b);
  if (!allDelivered) console.log(`${name}: not every delivery arrived within ${DELIVERY_TIMEOUT_MS / 1000} s`);
  return {
    side: name,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    p99HandedOver: pct(fromHandOver, 99),
    serverElu,
    serverCpuMs: (serverCpu.user + serverCpu.system) / 1000,
    clients: reports.map(({ cpuMs, wallMs, elu }) => ({ cpuMs, wallMs, elu })),
    delivered: latencies.length,
    expected: SUBSCRIBERS * EVENTS,
    idleKBPerSubscriber: (idle.heap - before.heap) / 1024 / SUBSCRIBERS,
    idleRssKBPerSubscriber: (idle.rss - before.rss) / 1024 / SUBSCRIBERS,
    errors: reports.flatMap((r) => r.errors).slice(0, 5),
  };
}

if (!(globalThis as { gc?: unknown }).gc) console.log('note: run with --expose-gc (npm run bench:fanout does) for steadier memory figures');
const loadBefore = loadavg();
const results: Result[] = [];
for (const name of SIDES) {
  const side = name === 'bare' ? await bareSide() : await serverSide(name === 'redis');
  try {
    results.push(await measure(name, side));
  } finally {
    await side.stop();
  }
}
const loadAfter = loadavg();
const bare = results.find((r) => r.side === 'bare');
console.log(`bench:fanout — ${SUBSCRIBERS} subscribers × ${EVENTS} events, multiplexing ${MULTIPLEX}, Node ${process.version}`);
for (const r of results) {
  console.log(
    `${r.side.padEnd(7)} delivered ${r.delivered}/${r.expected} (${((100 * r.delivered) / r.expected).toFixed(1)}%) | ` +
      `commit→client p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms, max ${r.max.toFixed(0)} ms` +
      (bare && r !== bare ? ` | p99 ${(r.p99 / bare.p99).toFixed(2)}x bare` : '') +
      (r.side === 'bare' ? '' : ` | from hand-over p99 ${r.p99HandedOver.toFixed(0)} ms`) +
      ` | idle: ${r.idleKBPerSubscriber.toFixed(1)} KB heap, ${r.idleRssKBPerSubscriber.toFixed(1)} KB RSS per subscriber` +
      (r.errors.length ? ` | errors: ${r.errors.join('; ')}` : ''),
  );
  console.log(
    `${''.padEnd(7)} delivery window: server ELU ${r.serverElu.toFixed(2)}, CPU ${(r.serverCpuMs / 1000).toFixed(1)} s | clients ` +
      r.clients.map((c) => `CPU ${(c.cpuMs / 1000).toFixed(1)} s of ${(c.wallMs / 1000).toFixed(1)} s wall, ELU ${c.elu.toFixed(2)}`).join('; '),
  );
}
console.log(`load average (1/5/15 min): before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
