import type { InvoiceLine, PrismaClient } from '../generated/prisma/client.js';
import { deriveKind } from './derive-kind.js';
import { rematchStoredInvoice, TX_OPTIONS, type RematchResult } from './store.js';

/**
 * Operators' side of matching: re-running it after new syncs, and setting or removing a
 * manual match on one line. Both keep every other manual decision.
 */

export type RematchOutcome = ({ ok: true } & RematchResult) | { ok: false; code: 'NOT_FOUND'; message: string };

/** Re-runs matching of an invoice of one of `accountIds` against its account's current inventory. */
export async function rematchInvoice(prisma: PrismaClient, accountIds: readonly string[], invoiceId: string): Promise<RematchOutcome> {
  const invoice = await prisma.invoice.findFirst({ where: { id: invoiceId, accountId: { in: [...accountIds] } }, select: { id: true, accountId: true } });
  if (!invoice) return { ok: false, code: 'NOT_FOUND', message: 'no such invoice' };
  return { ok: true, ...(await rematchStoredInvoice(prisma, invoice.accountId, invoiceId)) };
}

export type ManualMatchOutcome = { ok: true; line: InvoiceLine } | { ok: false; code: 'NOT_FOUND'; message: string; field: 'lineId' | 'resourceId' };

/**
 * Sets a manual match of a line of one of `accountIds` to a resource of the line's account (`resourceId`), or with
 * `null` removes the line's match and marks it manually unmatched, so rematching and
 * re-ingesting leave it unmatched. The unmatched line keeps exactly one reason (see below).
 */
export async function setManualMatch(
  prisma: PrismaClient,
  accountIds: readonly string[],
  lineId: string,
  resourceId: string | null,
): Promise<ManualMatchOutcome> {
  const line = await prisma.invoiceLine.findFirst({
    where: { id: lineId, invoice: { accountId: { in: [...accountIds] } } },
    include: { invoice: { select: { accountId: true } } },
  });
  if (!line) return { ok: false, code: 'NOT_FOUND', message: 'no such invoice line', field: 'lineId' };
  if (resourceId !== null) {
    const resource = await prisma.resource.findFirst({ where: { id: resourceId, accountId: line.invoice.accountId }, select: { id: true } });
    if (!resource) return { ok: false, code: 'NOT_FOUND', message: "no such resource in the invoice's account", field: 'resourceId' };
    const [, updated] = await prisma.$transaction([
      prisma.invoiceMatch.upsert({
        where: { lineId },
        create: { lineId, resourceId, method: 'MANUAL', manual: true },
        update: { resourceId, method: 'MANUAL', manual: true, matchedAt: new Date() },
      }),
      prisma.invoiceLine.update({
        where: { id: lineId },
        data: { unmatchedReason: null, candidateIds: [], manuallyUnmatched: false },
      }),
    ]);
    return { ok: true, line: updated };
  }
  // Without reading the inventory: an account-level reason from the line's kind, else the
  // reason it already has, else (it was matched) NO_CANDIDATE. Rematching recomputes it.
  const unmatchedReason = deriveKind(line).reason ?? line.unmatchedReason ?? 'NO_CANDIDATE';
  const candidateIds = unmatchedReason === 'AMBIGUOUS' ? line.candidateIds : [];
  const updated = await prisma.$transaction(async (tx) => {
    await tx.invoiceMatch.deleteMany({ where: { lineId } });
    return tx.invoiceLine.update({
      where: { id: lineId },
      data: { unmatchedReason, candidateIds, manuallyUnmatched: true },
    });
  }, TX_OPTIONS);
  return { ok: true, line: updated };
}
