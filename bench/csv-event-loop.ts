// npm run bench:csv-loop — ingests a 20 MiB invoice CSV (~194,000 lines) into
// PostgreSQL (BENCH_DATABASE_URL, default the local server; PROBE_EMBEDDED=1 adds the embedded
// database) and prints the ingest time and the event loop's longest blocks, measured as the
// gaps between 5 ms ticks (every gap over 100 ms is listed).
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { ingestCsv } from '../src/billing/ingest.js';
import { forEachBenchDatabase } from './databases.js';

const HEADER = 'product,group_description,description,hours,start,end,USD,project_name,category';
const rows: string[] = [HEADER];
let size = HEADER.length + 1;
for (let i = 0; size < 20 * 1024 * 1024 - 200; i++) {
  const r = `Droplets,,node-${String(i).padStart(7, '0')} (s-1vcpu-1gb),744,2034-01-01 00:00:00 +0000,2034-02-01 00:00:00 +0000,$6.00,Web,iaas`;
  rows.push(r);
  size += r.length + 1;
}
const csv = rows.join('\n');
await forEachBenchDatabase('probe', async (label, db) => {
  if (label === 'embedded' && process.env.PROBE_EMBEDDED !== '1') return;
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  if (!config.ok) throw new Error('config');
  const app = buildApp(config.config, { database: db, listen: false, logger: createLogger('silent'), sync: false });
  await app.start();
  const accountId = app.services().accounts.ids[0]!;
  let last = performance.now();
  const gaps: [number, number][] = [];
  const t0 = performance.now();
  const probe = setInterval(() => {
    const n = performance.now();
    if (n - last > 100) gaps.push([Math.round(last - t0), Math.round(n - last)]);
    last = n;
  }, 5);
  const r = await ingestCsv(db.prisma, accountId, csv, '2034-01');
  clearInterval(probe);
  const longest = Math.max(0, ...gaps.map(([, g]) => g));
  console.log(
    `${label}: ${r.ok ? 'ingested' : 'FAILED'} ${rows.length - 1} lines in ${Math.round(performance.now() - t0)} ms; longest event-loop block ${longest} ms; blocks over 100 ms (at ms, length ms): ${JSON.stringify(gaps)}`,
  );
  await app.stop();
});
