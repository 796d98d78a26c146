// npm run bench:read -- --vs-postgraphile — the read page of bench/read.ts over HTTP, against
// PostGraphile v5 on the same PostgreSQL database, data and page, in one run. Sides:
//   ours          this server (npm start, production settings) on this Node 20,
//   postgraphile  PostGraphile 5.x, amber preset, on Node 22 (both fetched from the npm registry
//                 into the git-ignored bench/.cache/ on first use),
//   sql           a bare node:http handler running ONE SQL statement that builds the page's JSON
//                 in PostgreSQL (what the machine can do at best).
// Data: 10,000 resources in 200 projects and 20 tenants (test/helpers/seed.ts) in a fresh
// database on BENCH_DATABASE_URL (default the local server), dropped afterwards, also on Ctrl-C.
// The page: the first 100 resources by name with project name and tenant slug and name; checked
// equal on every side before any load. Load: autocannon in a process of its own, at each
// concurrency a warm-up per side, then rounds that rotate the sides' order; per side the median
// over rounds of req/s and p99. Any non-200, connection error or other body is counted and flagged.
// Options: --rounds=3 --seconds=20 --warmup=5 --concurrency=1,8,32 --sides=ours,postgraphile,sql
// --profile=DIR (this server writes a CPU profile there) --ours-node=PATH or 22 (this server on another Node)
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { openDatabase } from '../src/db/index.js';
import { seedInventory } from '../test/helpers/seed.js';
import { checkSamePage } from './read-vs/check.js';
import { cleanUp, onCleanup } from './read-vs/children.js';
import { failures, load, type LoadResult } from './read-vs/load.js';
import { node22, nodeVersion } from './read-vs/node22.js';
import { parseOptions, type SideName } from './read-vs/options.js';
import { startOurs } from './read-vs/ours.js';
import { installPostgraphile, startPostgraphile } from './read-vs/postgraphile.js';
import { markdownTable, summarize, type Summary } from './read-vs/report.js';
import type { Side } from './read-vs/side.js';
import { startSql } from './read-vs/sql.js';

const RESOURCES = 10_000;
const PROJECTS = 200;
const TENANTS = 20;

const load3 = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function createDatabase(): Promise<string> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
  const name = `inv_bench_read_vs_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  onCleanup(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    console.log(`dropped database ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function seed(databaseUrl: string): Promise<string> {
  const db = await openDatabase({ databaseUrl, dataDir: '', logLevel: 'warn' });
  try {
    const [account] = await db.prisma.cloudAccount.findMany({ where: { slug: 'default' } });
    if (!account) throw new Error('the server created no account "default"');
    const started = performance.now();
    await seedInventory(db, { accountId: account.id, resources: RESOURCES, projects: PROJECTS, tenants: TENANTS });
    console.log(`seeded ${RESOURCES} resources in ${PROJECTS} projects, ${TENANTS} tenants in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return account.id;
  } finally {
    await db.close();
  }
}

const describe = (r: LoadResult) =>
  `${r.reqPerSec.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms` +
  (failures(r) ? ` ⚠ ${r.non2xx} non-200, ${r.errors} connection errors (${r.timeouts} timeouts), ${r.mismatches} other bodies` : '');

async function main() {
  const options = parseOptions(process.argv.slice(2));
  console.log(
    `read page vs PostGraphile: sides ${options.sides.join(', ')}; concurrency ${options.concurrency.join(', ')}; ` +
      `${options.rounds} rounds of ${options.seconds} s, ${options.warmup} s warm-up`,
  );
  console.log(`machine: ${cpus().length} cores, load average before ${load3()}`);

  const wantsPg = options.sides.includes('postgraphile');
  const pgNode = wantsPg ? await node22() : undefined;
  const pgVersion = pgNode ? await installPostgraphile(pgNode) : undefined;

  const databaseUrl = await createDatabase();
  const oursNode = options.oursNode === '22' ? await node22() : options.oursNode;
  const ours = await startOurs(databaseUrl, { profile: options.profile, node: oursNode });
  const accountId = await seed(databaseUrl);
  const sides: Side[] = [];
  if (options.sides.includes('ours')) sides.push(ours);
  else ours.child.process.kill('SIGTERM');
  if (pgNode && pgVersion) sides.push(await startPostgraphile(pgNode, pgVersion, databaseUrl));
  if (options.sides.includes('sql')) sides.push(await startSql(databaseUrl, accountId));

  const versions = new Map<SideName, string>();
  for (const side of sides) versions.set(side.name, await nodeVersion(side.node));
  for (const side of sides) console.log(`${side.label}: Node ${versions.get(side.name)}, ${side.url}`);

  const bodies = await checkSamePage(sides);
  console.log(`page size: ${sides.map((s) => `${s.label} ${(Buffer.byteLength(bodies.get(s.name)!) / 1024).toFixed(1)} KB`).join(', ')}`);

  const results = new Map<number, Map<SideName, Summary>>();
  for (const concurrency of options.concurrency) {
    if (options.warmup > 0) for (const side of sides) await load(side, bodies.get(side.name)!, concurrency, options.warmup);
    const rounds = new Map<SideName, LoadResult[]>(sides.map((s) => [s.name, []]));
    for (let round = 0; round < options.rounds; round++) {
      const order = [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)];
      for (const side of order) {
        const result = await load(side, bodies.get(side.name)!, concurrency, options.seconds);
        rounds.get(side.name)!.push(result);
        console.log(`concurrency ${concurrency}, round ${round + 1}, ${side.label}: ${describe(result)} (load ${load3()})`);
      }
    }
    results.set(concurrency, new Map([...rounds].map(([name, r]) => [name, summarize(r)])));
  }

  const column = (name: SideName, text: string) => (versions.has(name) ? `${text} (Node ${versions.get(name)})` : text);
  console.log(`\nload average after ${load3()}; medians over ${options.rounds} round(s) of ${options.seconds} s\n`);
  console.log(
    markdownTable(results, {
      postgraphile: column('postgraphile', `PostGraphile ${pgVersion ?? 'v5'}`),
      ours: column('ours', 'this server'),
      sql: column('sql', 'one SQL statement'),
    }),
  );
  const flagged = sides.filter((s) => [...results.values()].some((bySide) => (bySide.get(s.name)?.failures ?? 0) > 0));
  if (flagged.length) {
    console.log(`\n⚠ errors on: ${flagged.map((s) => s.label).join(', ')} (figures of those sides are not comparable)`);
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
