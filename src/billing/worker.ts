import type { WorkerBody } from '../sync/runner.js';
import { ingestClosedInvoices } from './ingest.js';

/**
 * The INVOICES worker: ingests closed invoices not yet held and refreshes the preview. An
 * invoice that fails is reported in the run's error and left as it was; the others go ahead.
 */
export const invoicesWorker: WorkerBody = async (run) => {
  const result = await ingestClosedInvoices(run.deps.db.prisma, run.deps.accountId, run.session);
  run.count({ fetched: result.listed, created: result.ingested, unchanged: result.skipped });
  if (result.failed.length > 0) {
    throw new Error(`invoices not ingested: ${result.failed.map((f) => `${f.uuid} (${f.error.code}: ${f.error.message})`).join('; ')}`);
  }
};
