// npm run bench:billing — ingests and matches an invoice of 50,000 lines against an
// inventory of 50,000 resources, on the embedded database and, when PostgreSQL is reachable
// (BENCH_DATABASE_URL, default the local server), on PostgreSQL. The invoice comes from an
// in-memory DigitalOcean session (pages of 200 items), so the numbers are parse + match +
// write, not HTTP. Prints lines per second and the SQL statements of each step: a first
// ingest, a re-ingest of the same invoice (replace, carrying manual decisions), a rematch.
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/index.js';
import { forEachBenchDatabase } from './databases.js';
import { createLogger } from '../src/log.js';
import { RESOURCE_KINDS } from '../src/domain/kinds.js';
import { ingestFromApi } from '../src/billing/ingest.js';
import { rematchInvoice } from '../src/billing/rematch.js';
import { seedInventory } from '../test/helpers/seed.js';
import { invoiceSession } from '../test/helpers/invoice-session.js';

const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 50_000);
const LINES = Number(process.env.BENCH_LINES ?? 50_000);
const UUID = '5e7f0000-0000-4000-8000-00000000beef';

const pad = (i: number) => String(i).padStart(6, '0');

/** Lines in DigitalOcean's shapes over the seeded inventory (see test/helpers/seed.ts for names and ids). */
function invoiceItems(): Record<string, string>[] {
  const items: Record<string, string>[] = [];
  const base = {
    duration: '744',
    duration_unit: 'Hours',
    start_time: '2026-01-01T00:00:00Z',
    end_time: '2026-02-01T00:00:00Z',
    amount: '1.23',
    category: 'iaas',
  };
  for (let j = 0; j < LINES; j++) {
    const i = j % RESOURCES;
    const kind = RESOURCE_KINDS[i % RESOURCE_KINDS.length]!;
    const providerId = String(100_000 + i);
    const name = `${kind}-${pad(i)}`;
    if (j % 20 === 0) items.push({ ...base, product: 'Taxes', description: 'GST (9.00%)', amount: '0.11' });
    else if (j % 20 === 1) items.push({ ...base, product: 'Droplets', resource_id: String(900_000_000 + j), description: `gone-${j} (s-1vcpu-1gb)` });
    else if (kind === 'droplet') items.push({ ...base, product: 'Droplets', resource_id: providerId, description: `${name} (s-1vcpu-1gb)` });
    else if (kind === 'droplet_backup') items.push({ ...base, product: 'Droplet Backups', description: `droplet-${pad(i - 1)} (Weekly Backup Services)` });
    else if (kind === 'snapshot') items.push({ ...base, product: 'Droplet Snapshots', description: `${name} (5 GB)` });
    else if (kind === 'volume') items.push({ ...base, product: 'Volumes', resource_uuid: providerId, description: `${name} (nyc3) 100GB` });
    else if (kind === 'load_balancer') items.push({ ...base, product: 'Load Balancers', description: name });
    else if (kind === 'managed_db') items.push({ ...base, product: 'Database Clusters', resource_uuid: providerId, description: `${name} (db-s-1vcpu-1gb)` });
    else if (kind === 'k8s_cluster')
      items.push({
        ...base,
        product: 'Kubernetes Clusters',
        resource_uuid: providerId,
        group_description: name,
        description: '3 nodes - 2 GB / 1 vCPU / 50 GB SSD',
      });
    else if (kind === 'app') items.push({ ...base, product: 'App Platform', resource_uuid: providerId, description: `${name} (basic)` });
    else if (kind === 'spaces_bucket') items.push({ ...base, product: 'Spaces Subscription', description: 'Spaces ($5/mo 250GB storage & 1TB bandwidth)' });
    else items.push({ ...base, product: 'Container Registry', description: `registry ${name}` });
  }
  return items;
}

async function step<T>(db: Database, fn: () => Promise<T>): Promise<{ ms: number; statements: number; value: T }> {
  const counter = db.countQueries();
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  counter.stop();
  return { ms, statements: counter.count, value };
}

async function measure(label: string, db: Database) {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  if (!config.ok) throw new Error(config.problems.join('; '));
  const app = buildApp(config.config, { database: db, listen: false, logger: createLogger('silent'), sync: false });
  await app.start();
  const accountId = app.services().accounts.ids[0]!;
  const seedStart = performance.now();
  await seedInventory(db, { accountId, resources: RESOURCES, projects: 200, tenants: 20 });
  const seedMs = performance.now() - seedStart;
  const items = invoiceItems();
  const session = invoiceSession({ uuid: UUID, amount: '0.00', period: '2026-01' }, items);

  const first = await step(db, () => ingestFromApi(db.prisma, accountId, session, UUID));
  if (!first.value.ok) throw new Error(first.value.error.message);
  const invoiceId = first.value.invoice.id;
  // A few manual decisions for the re-ingest to carry over.
  const some = await db.prisma.invoiceLine.findMany({ where: { invoiceId }, take: 100, orderBy: { position: 'asc' }, select: { id: true } });
  await db.prisma.invoiceLine.updateMany({ where: { id: { in: some.map((l) => l.id) } }, data: { manuallyUnmatched: true } });
  const again = await step(db, () => ingestFromApi(db.prisma, accountId, session, UUID));
  if (!again.value.ok) throw new Error(again.value.error.message);
  const rematch = await step(db, () => rematchInvoice(db.prisma, [accountId], invoiceId));

  const rate = (ms: number) => `${Math.round(LINES / (ms / 1000)).toLocaleString('en-US')} lines/s`;
  console.log(
    `${label}: seeded ${RESOURCES.toLocaleString('en-US')} resources in ${(seedMs / 1000).toFixed(1)} s; invoice of ${LINES.toLocaleString('en-US')} lines`,
  );
  console.log(
    `  ingest    ${(first.ms / 1000).toFixed(2)} s  ${rate(first.ms).padStart(16)}  ${first.statements} SQL statements  (${first.value.matchedCount.toLocaleString('en-US')} matched)`,
  );
  console.log(
    `  re-ingest ${(again.ms / 1000).toFixed(2)} s  ${rate(again.ms).padStart(16)}  ${again.statements} SQL statements  (${again.value.carried} manual decisions carried)`,
  );
  console.log(`  rematch   ${(rematch.ms / 1000).toFixed(2)} s  ${rate(rematch.ms).padStart(16)}  ${rematch.statements} SQL statements`);
  await app.stop();
}

await forEachBenchDatabase('billing', measure);
