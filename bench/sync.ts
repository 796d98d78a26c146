// npm run bench:sync — syncs a simulated account (10,000 droplets, 5,000 volumes, 20,000
// snapshots, 1,000 domains, 200 projects, 20 ms latency per request, DigitalOcean's real rate
// limits) into PostgreSQL and reports: wall time of a first full sync and of a second with
// nothing changed, rows written by the second, DigitalOcean requests against the minimum,
// the upsert chokepoint's throughput against one raw INSERT ... ON CONFLICT of the same rows
// in the same run, and the process's peak RSS. The simulator runs in a child process.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { openDatabase } from '../src/db/index.js';
import { createLogger } from '../src/log.js';
import { createMemoryPubSub } from '../src/pubsub.js';
import { createDoClient } from '../src/digitalocean/client.js';
import { createSyncService } from '../src/sync/service.js';
import { loadConfig } from '../src/config.js';
import { ensureFallbackTenant, upsertAccount } from '../src/accounts.js';
import { upsertBatch, stableJson } from '../src/sync/upsert.js';
import { canonicalUrn } from '../src/domain/urn.js';
import { KIND_SPECS } from '../src/sync/kinds/index.js';
import type { NormalizedResource } from '../src/sync/kinds/types.js';
import { SYNC_WORKERS } from '../src/domain/workers.js';
import { BATCH_SIZE } from '../src/sync/runner.js';

const size = { droplets: 10_000, volumes: 5_000, snapshots: 20_000, domains: 1_000, projects: 200 };
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const child = spawn(process.execPath, ['--import', 'tsx', 'bench/sim-process.ts', JSON.stringify(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
const info = await new Promise<{ url: string; minimum: number; resources: number; memberships: number }>((resolve) => {
  createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
});

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
const dbName = `inv_bench_sync_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
// Migrated by `npm run db:migrate` in a process of its own, as a deploy step would: the syncing
// process then never loads the schema engine (the server skips it when nothing is pending).
const migrate = spawn(process.execPath, ['--import', 'tsx', 'scripts/db-migrate.ts'], {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: url.toString() },
});
if ((await new Promise((r) => migrate.on('exit', r))) !== 0) throw new Error('migration failed');
const db = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
if ((await db.migrate()).length > 0) throw new Error('expected a migrated database');
const config = loadConfig({ DIGITALOCEAN_TOKEN: 'bench', LOG_LEVEL: 'silent' });
if (!config.ok) throw new Error(config.problems.join());
const client = createDoClient({ token: 'bench', baseUrl: info.url });
const accountId = await upsertAccount(db, { slug: 'default', name: 'DigitalOcean account', apiUrl: info.url });
const fallbackTenantId = await ensureFallbackTenant(db, 'unassigned');
const workers = SYNC_WORKERS.filter((w) => w !== 'INVOICES');
const sync = createSyncService({
  deps: {
    db,
    pubsub: createMemoryPubSub(),
    log: createLogger('silent'),
    client,
    accountId,
    fallbackTenantId,
    dedicatedKinds: new Set(KIND_SPECS.map((k) => k.kind)),
  },
  schedules: config.config.schedules,
  runOnStart: false,
});

const statsDb = new pg.Client({ connectionString: url.toString() });
await statsDb.connect();
const tableWrites = async () => {
  // Idle backends report their row counts to pg_stat within PostgreSQL's 10 s idle interval.
  await new Promise((r) => setTimeout(r, 11_000));
  const { rows } = await statsDb.query<{ relname: string; n: string }>(
    `SELECT relname, (n_tup_ins + n_tup_upd + n_tup_del)::bigint AS n FROM pg_stat_user_tables WHERE relname IN ('Resource','ResourceEvent','ProjectMembership','Project')`,
  );
  return Object.fromEntries(rows.map((r) => [r.relname, Number(r.n)]));
};

async function fullSync(label: string) {
  const before = client.requests;
  const t = performance.now();
  const runs = [];
  for (const w of workers) {
    const outcome = await sync.run(w, 'MANUAL');
    if (!('run' in outcome)) throw new Error(`${w} skipped`);
    if (outcome.run.status !== 'SUCCEEDED') throw new Error(`${w} failed: ${outcome.run.error}`);
    runs.push(outcome.run);
  }
  const ms = performance.now() - t;
  const requests = client.requests - before;
  const counted = runs.reduce((n, r) => n + r.created + r.updated + r.markedMissing + r.markedStale, 0);
  console.log(`${label}: ${(ms / 1000).toFixed(1)} s, ${requests} DigitalOcean requests (minimum ${info.minimum}), rows created/updated/marked ${counted}`);
  return { ms, requests, counted };
}

const baselineRss = process.memoryUsage().rss;
const w0 = await tableWrites();
const first = await fullSync('first full sync ');
const w1 = await tableWrites();
const second = await fullSync('second (no change)');
const w2 = await tableWrites();
const syncPeakRss = peakRss;
const secondWrites = Object.values(w2).reduce((a, b) => a + b, 0) - Object.values(w1).reduce((a, b) => a + b, 0);
console.log(
  `rows written by the first sync (pg_stat_user_tables, inventory tables): ${Object.values(w1).reduce((a, b) => a + b, 0) - Object.values(w0).reduce((a, b) => a + b, 0)}`,
);
console.log(`rows written by the second sync (pg_stat_user_tables, inventory tables): ${secondWrites}`);

// Chokepoint against one raw statement, same rows, same run: every droplet, volume and snapshot.
const rows = await db.prisma.resource.findMany({
  where: { accountId, kind: { in: ['droplet', 'volume', 'snapshot'] } },
  select: { kind: true, providerId: true, name: true, status: true, region: true, attrs: true, parentUrn: true, providerCreatedAt: true },
});
peakRss = 0;
const [accountA, accountB] = [
  await upsertAccount(db, { slug: 'simulated', name: 'Simulated DigitalOcean account', apiUrl: 'bench-a' }),
  (await db.prisma.cloudAccount.create({ data: { slug: 'bench-b', name: 'b', apiUrl: 'b' } })).id,
];
const commitDeps = { db, pubsub: createMemoryPubSub(), log: createLogger('silent') };
let t = performance.now();
for (const kind of ['droplet', 'volume', 'snapshot'] as const) {
  const ofKind: NormalizedResource[] = rows.filter((r) => r.kind === kind).map((r) => ({ ...r, attrs: r.attrs as Record<string, unknown> }));
  for (let i = 0; i < ofKind.length; i += BATCH_SIZE) {
    await upsertBatch(commitDeps, { accountId: accountA, fallbackTenantId, syncRunId: null, kind }, ofKind.slice(i, i + BATCH_SIZE));
  }
}
const chokepointMs = performance.now() - t;
t = performance.now();
await db.prisma.$executeRawUnsafe(
  `INSERT INTO "Resource" (id, "accountId", kind, "providerId", urn, name, status, region, attrs, "parentUrn", "providerCreatedAt", "updatedAt")
   SELECT gen_random_uuid(), $1::uuid, u.kind::"ResourceKind", u.pid, u.urn, u.name, u.status, u.region, u.attrs::jsonb, u.parent, u.created::timestamp, now()
   FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) AS u(kind, pid, urn, name, status, region, attrs, parent, created)
   ON CONFLICT ("accountId", kind, "providerId") DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status, attrs = EXCLUDED.attrs`,
  accountB,
  rows.map((r) => r.kind),
  rows.map((r) => r.providerId),
  rows.map((r) => canonicalUrn(r.kind, r.providerId, r.attrs as Record<string, unknown>)),
  rows.map((r) => r.name),
  rows.map((r) => r.status),
  rows.map((r) => r.region),
  rows.map((r) => stableJson(r.attrs)),
  rows.map((r) => r.parentUrn),
  rows.map((r) => r.providerCreatedAt?.toISOString() ?? null),
);
const rawMs = performance.now() - t;
console.log(
  `upsert of ${rows.length} rows: chokepoint (diff, write, attribution, CREATED events) ${Math.round(rows.length / (chokepointMs / 1000))} rows/s ` +
    `(${Math.round(chokepointMs)} ms); one raw INSERT ... ON CONFLICT ${Math.round(rows.length / (rawMs / 1000))} rows/s (${Math.round(rawMs)} ms); ratio ${(chokepointMs / rawMs).toFixed(2)}x`,
);
clearInterval(sampler);
const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
console.log(
  `RSS: before the syncs ${mb(baselineRss)}, peak during the two syncs ${mb(syncPeakRss)}; peak during the upsert comparison (which holds all its rows) ${mb(peakRss)}`,
);
console.log(
  `second sync writes ${secondWrites === 0 ? 'nothing' : `${secondWrites} rows`}; requests ${first.requests === info.minimum && second.requests === info.minimum ? 'at the minimum' : 'ABOVE the minimum'}`,
);

await sync.stop();
await client.close();
await db.close();
await statsDb.end();
await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
await admin.end();
child.kill('SIGTERM');
