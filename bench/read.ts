// npm run bench:read — seeds 10,000 resources in 200 projects and measures a
// `resources(first: 100)` page with project and tenant, on the embedded database and,
// when PostgreSQL is reachable (BENCH_DATABASE_URL, default the local server), on PostgreSQL.
// Prints queries per second and p50/p99 latency, and SQL statements per page.
// With --vs-postgraphile: the same page over HTTP against PostGraphile v5 (bench/read-vs-postgraphile.ts).
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/index.js';
import { forEachBenchDatabase } from './databases.js';
import { createLogger } from '../src/log.js';
import { seedInventory } from '../test/helpers/seed.js';

const RESOURCES = 10_000;
const PROJECTS = 200;
const WARMUP = 20;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const QUERY = `query($after: String) { resources(first: 100, after: $after) { totalCount pageInfo { endCursor hasNextPage }
  edges { node { id urn name kind status region lifecycle project { name tenant { slug } } tenant { slug isFallback } } } } }`;

async function measure(label: string, db: Database) {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  if (!config.ok) throw new Error(config.problems.join('; '));
  const app = buildApp(config.config, { database: db, listen: false, logger: createLogger('silent'), sync: false });
  await app.start();
  const seedStart = performance.now();
  await seedInventory(db, { accountId: app.services().accounts.ids[0]!, resources: RESOURCES, projects: PROJECTS, tenants: 20 });
  const seedMs = performance.now() - seedStart;

  const cursors: (string | null)[] = [null];
  const page = async (after: string | null) => {
    const res = await app.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY, variables: { after } }),
    });
    const body = (await res.json()) as any;
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data.resources;
  };
  // Walk the first pages once so the loop below visits different offsets.
  for (let i = 0; i < 20; i++) {
    const r = await page(cursors[i]!);
    cursors.push(r.pageInfo.endCursor);
  }
  for (let i = 0; i < WARMUP; i++) await page(cursors[i % cursors.length]!);
  const counter = db.countQueries();
  await page(null);
  counter.stop();
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await page(cursors[i % cursors.length]!);
    latencies.push(performance.now() - t0);
  }
  const total = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  console.log(
    `${label.padEnd(10)} seed ${RESOURCES} resources/${PROJECTS} projects: ${(seedMs / 1000).toFixed(1)} s | ` +
      `${ITERATIONS} pages of 100: ${(ITERATIONS / (total / 1000)).toFixed(1)} q/s, p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, ` +
      `${counter.count} SQL statements per page`,
  );
  await app.stop();
}

if (process.argv.includes('--vs-postgraphile')) await import('./read-vs-postgraphile.js');
else await forEachBenchDatabase('read', measure);
