// npm run bench:hostile — seeds 10,000 resources in 200 projects and 20 tenants, creates a
// tenant-scoped viewer key, and sends the nested-connection attack
// (resources → tenant → resources → tenant → resources, 100 each) over HTTP with that key.
// Prints how long the event loop was blocked (longest gap of a 10 ms timer), the answer's
// time, RSS before and after, and SQL statements; then the costs of reference queries.
import { randomBytes } from 'node:crypto';
import { getIntrospectionQuery } from 'graphql';
import { complexityFromQuery } from '@pothos/plugin-complexity';
import { buildApp } from '../src/app.js';
import { hashApiKey } from '../src/auth.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/index.js';
import { createLogger } from '../src/log.js';
import { schema } from '../src/schema/index.js';
import { forEachBenchDatabase } from './databases.js';
import { seedInventory } from '../test/helpers/seed.js';

const ATTACK =
  '{resources(first:100){edges{node{tenant{resources(first:100){edges{node{tenant{resources(first:100){edges{node{id urn name kind status region attrs}}}}}}}}}}}}';
const DASHBOARD = `{ resources(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
  id urn kind providerId name status region attrs lifecycle missedSyncs staleSince firstSeenAt lastSeenAt
  project { id name environment } tenant { id slug name } events(last: 5) { edges { node { id type at from to actor reason } } } } } } }`;

async function measure(label: string, db: Database) {
  const config = loadConfig({ LOG_LEVEL: 'silent', ADMIN_API_KEY: randomBytes(24).toString('hex') });
  if (!config.ok) throw new Error(config.problems.join('; '));
  const app = buildApp(config.config, { database: db, listen: false, logger: createLogger('silent'), sync: false });
  await app.start();
  const seeded = await seedInventory(db, { accountId: app.services().accounts.ids[0]!, resources: 10_000, projects: 200, tenants: 20 });
  const key = randomBytes(24).toString('hex');
  await db.prisma.apiKey.create({ data: { name: 'bench viewer', keyHash: hashApiKey(key), role: 'VIEWER', tenantId: seeded.tenants[0]!.id } });

  let blocked = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    blocked = Math.max(blocked, now - last - 10);
    last = now;
  }, 10);
  const rssBefore = process.memoryUsage().rss;
  const counter = db.countQueries();
  const started = performance.now();
  const res = await app.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: ATTACK }),
  });
  const body = (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
  const ms = performance.now() - started;
  counter.stop();
  clearInterval(timer);
  const rssAfter = process.memoryUsage().rss;
  console.log(
    `${label}: attack answered in ${ms.toFixed(1)} ms, event loop blocked at most ${blocked.toFixed(1)} ms, RSS ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} MB, ` +
      `${counter.count} SQL statements (1 is the key lookup); answer: ${body.errors?.[0]?.extensions?.code ?? 'data'} ${body.errors?.[0]?.message ?? ''}`,
  );
  await app.stop();
}

for (const [name, query] of [
  ['the attack', ATTACK],
  ['a dashboard page (100 resources, project, tenant, last 5 events)', DASHBOARD],
  ["GraphiQL's introspection", getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true })],
] as const) {
  console.log(`cost of ${name}: ${complexityFromQuery(query, { schema, ctx: {}, variables: {} }).complexity}`);
}
await forEachBenchDatabase('hostile', measure);
