import type { DoSession } from '../digitalocean/client.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { ingestClosedInvoices } from './ingest.js';

/** What the invoices worker needs of a sync run (the run's own context satisfies it). */
export type InvoicesRun = {
  deps: { db: { prisma: PrismaClient }; accountId: string };
  session: DoSession;
  count(counts: { fetched: number; created: number; unchanged: number }): void;
};

/**
 * The INVOICES worker: ingests closed invoices not yet held and refreshes the preview. An
 * invoice that fails is reported in the run's error and left as it was; the others go ahead.
 */
export async function invoicesWorker(run: InvoicesRun): Promise<void> {
  const result = await ingestClosedInvoices(run.deps.db.prisma, run.deps.accountId, run.session);
  run.count({ fetched: result.listed, created: result.ingested, unchanged: result.skipped });
  if (result.failed.length > 0) {
    throw new Error(`invoices not ingested: ${result.failed.map((f) => `${f.uuid} (${f.error.code}: ${f.error.message})`).join('; ')}`);
  }
}
