import { randomUUID } from 'node:crypto';
import type { Invoice, PrismaClient } from '../generated/prisma/client.js';
import { deriveKind } from './derive-kind.js';
import { buildMatchIndex, matchLine, type MatchableResource, type MatchIndex, type MatchOutcome } from './match.js';
import { createSlicer, jsonArraySliced } from './slice.js';
import type { InvoiceSource } from '../domain/billing.js';
import type { AutoMatchMethod, MatchMethod, ParsedInvoiceLine, ResourceKind, UnmatchedReason } from './types.js';

/**
 * Set-based persistence of invoices, their lines and matches. Every write is a fixed
 * number of statements plus one per chunk of rows (never one per line), inside one
 * transaction, so a failed ingest leaves the previous state untouched.
 */

/**
 * Rows per INSERT … SELECT FROM jsonb_to_recordset($1): one bind value per statement, so the
 * chunk is bounded by the size of that JSON (≈500 bytes a line), not by bind-value limits.
 * (Prisma's `createMany` was ~10× slower here: it binds every column of every row.) Kept to
 * about 1 MB of JSON: handing the driver a statement costs main-thread time in proportion to
 * its parameter, and a 10,000-line chunk blocked the event loop for hundreds of milliseconds.
 */
const LINE_CHUNK = 2_000;
/** Rows per INSERT of matches, the same way. */
const MATCH_CHUNK = 5_000;
/** Rows per set-based UPDATE of lines (one JSON parameter per statement). */
const UPDATE_CHUNK = 10_000;
/** Interactive transactions may run long for very large invoices (default Prisma timeout is 5 s). */
export const TX_OPTIONS = { maxWait: 30_000, timeout: 600_000 } as const;

type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/**
 * Loads the account's inventory as matching needs it: only the columns matching reads (with
 * the facts that narrow same-name candidates: region, project name, creation, staleness).
 */
export async function loadMatchIndex(prisma: Tx, accountId: string): Promise<MatchIndex> {
  const [rows, projects] = await Promise.all([
    prisma.resource.findMany({
      where: { accountId },
      select: {
        id: true,
        kind: true,
        providerId: true,
        name: true,
        lifecycle: true,
        attrs: true,
        region: true,
        projectId: true,
        providerCreatedAt: true,
        staleSince: true,
      },
    }),
    prisma.project.findMany({ where: { accountId }, select: { id: true, name: true } }),
  ]);
  const projectNames = new Map(projects.map((p) => [p.id, p.name]));
  return buildMatchIndex(
    rows.map(
      ({ projectId, ...r }): MatchableResource => ({
        ...r,
        projectName: projectId ? (projectNames.get(projectId) ?? null) : null,
        attrs: r.attrs && typeof r.attrs === 'object' && !Array.isArray(r.attrs) ? (r.attrs as Record<string, unknown>) : {},
      }),
    ),
  );
}

/** A line with its derived kind and automatic match outcome, ready to store. */
export type MatchedLine = ParsedInvoiceLine & {
  derivedKind: ResourceKind | null;
  outcome: MatchOutcome;
};

/**
 * Derives the kind of and matches every line (map lookups only), giving the event loop a
 * turn every few milliseconds on large invoices.
 */
export async function matchLines(lines: readonly ParsedInvoiceLine[], index: MatchIndex): Promise<MatchedLine[]> {
  const slicer = createSlicer();
  const out: MatchedLine[] = [];
  for (const line of lines) {
    const derived = deriveKind(line);
    out.push({ ...line, derivedKind: derived.kind, outcome: matchLine(line, derived, index) });
    if (slicer.due()) await slicer.pause();
  }
  return out;
}

/**
 * What an operator decided about a line, carried across re-ingests (by `lineKey`) and kept by
 * rematching: a manual match to a resource, or "manually unmatched".
 */
type ManualDecision = { resourceId: string; matchedAt: Date } | { unmatched: true };

/**
 * The reason stored on a line the operator unmatched: the automatic reason when matching
 * finds none either, else NO_CANDIDATE (the operator says no resource fits).
 */
function manualUnmatchReason(outcome: MatchOutcome): { unmatchedReason: UnmatchedReason; candidateIds: string[] } {
  return outcome.matched ? { unmatchedReason: 'NO_CANDIDATE', candidateIds: [] } : { unmatchedReason: outcome.reason, candidateIds: outcome.candidateIds };
}

/** The stored state of one line after applying a manual decision (if any) over the automatic outcome. */
type LineState = {
  unmatchedReason: UnmatchedReason | null;
  candidateIds: string[];
  manuallyUnmatched: boolean;
  match: { resourceId: string; method: MatchMethod; manual: boolean; matchedAt?: Date } | null;
};

function lineState(outcome: MatchOutcome, decision: ManualDecision | undefined): LineState {
  if (decision && 'resourceId' in decision) {
    return {
      unmatchedReason: null,
      candidateIds: [],
      manuallyUnmatched: false,
      match: { resourceId: decision.resourceId, method: 'MANUAL', manual: true, matchedAt: decision.matchedAt },
    };
  }
  if (decision) return { ...manualUnmatchReason(outcome), manuallyUnmatched: true, match: null };
  if (outcome.matched) {
    return {
      unmatchedReason: null,
      candidateIds: [],
      manuallyUnmatched: false,
      match: { resourceId: outcome.resourceId, method: outcome.method satisfies AutoMatchMethod, manual: false },
    };
  }
  return { unmatchedReason: outcome.reason, candidateIds: outcome.candidateIds, manuallyUnmatched: false, match: null };
}

/** Identity and totals of an invoice being written. */
export type InvoiceHeader = {
  identity: string;
  providerUuid: string | null;
  invoiceNumber: string | null;
  period: string;
  /** Decimal string, two decimals. */
  amount: string;
  source: InvoiceSource;
  isPreview: boolean;
  contentHash: string;
};

export type ReplaceResult = {
  invoice: Invoice;
  lineCount: number;
  matchedCount: number;
  /** Manual decisions carried over from the previous version of the invoice. */
  carried: number;
  replaced: boolean;
};

function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** A stored line: the parsed line plus what matching decided. */
type LineRow = ParsedInvoiceLine & {
  id: string;
  invoiceId: string;
  derivedKind: string | null;
  unmatchedReason: string | null;
  candidateIds: string[];
  manuallyUnmatched: boolean;
};

type MatchRow = { id: string; lineId: string; resourceId: string; method: MatchMethod; manual: boolean; matchedAt?: Date };

/** One multi-row INSERT of lines: the rows travel as one JSON parameter (dates as ISO UTC, candidate ids as a JSON array). */
async function insertLines(tx: Tx, rows: readonly LineRow[]): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO "InvoiceLine" (id, "invoiceId", "lineKey", position, product, "groupDescription", description, amount, hours,
       "startTime", "endTime", "projectName", category, "resourceUuid", "resourceProviderId", "derivedKind", "unmatchedReason",
       "candidateIds", "manuallyUnmatched")
     SELECT v.id, v."invoiceId", v."lineKey", v.position, v.product, v."groupDescription", v.description, v.amount, v.hours,
       v."startTime", v."endTime", v."projectName", v.category, v."resourceUuid", v."resourceProviderId",
       v."derivedKind"::"ResourceKind", v."unmatchedReason"::"UnmatchedReason", v."candidateIds", v."manuallyUnmatched"
       FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, "invoiceId" uuid, "lineKey" text, position int, product text,
         "groupDescription" text, description text, amount numeric, hours numeric, "startTime" timestamp(3), "endTime" timestamp(3),
         "projectName" text, category text, "resourceUuid" text, "resourceProviderId" text, "derivedKind" text,
         "unmatchedReason" text, "candidateIds" uuid[], "manuallyUnmatched" boolean)`,
    await jsonArraySliced(rows),
  );
}

/** One multi-row INSERT of matches (`matchedAt` defaults to now). */
async function insertMatches(tx: Tx, rows: readonly MatchRow[]): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO "InvoiceMatch" (id, "lineId", "resourceId", method, manual, "matchedAt")
     SELECT v.id, v."lineId", v."resourceId", v.method::"MatchMethod", v.manual, COALESCE(v."matchedAt", CURRENT_TIMESTAMP)
       FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, "lineId" uuid, "resourceId" uuid, method text, manual boolean, "matchedAt" timestamp(3))`,
    await jsonArraySliced(rows),
  );
}

/** Manual decisions stored on an invoice's lines, by line key (one query). */
async function manualDecisions(tx: Tx, invoiceId: string): Promise<Map<string, ManualDecision>> {
  const rows = await tx.invoiceLine.findMany({
    where: { invoiceId, OR: [{ manuallyUnmatched: true }, { match: { manual: true } }] },
    select: { lineKey: true, manuallyUnmatched: true, match: { select: { resourceId: true, manual: true, matchedAt: true } } },
  });
  const out = new Map<string, ManualDecision>();
  for (const r of rows) {
    if (r.match?.manual) out.set(r.lineKey, { resourceId: r.match.resourceId, matchedAt: r.match.matchedAt });
    else if (r.manuallyUnmatched) out.set(r.lineKey, { unmatched: true });
  }
  return out;
}

/**
 * Writes an invoice and its lines in one transaction: creates the invoice, or, when the
 * account already holds one with the same identity, deletes its lines (matches cascade) and
 * inserts the new ones, carrying manual matches and "manually unmatched" over by `lineKey`.
 * Statements: a fixed handful plus one INSERT per `LINE_CHUNK` lines and per `MATCH_CHUNK`
 * matches.
 */
export async function replaceInvoice(prisma: PrismaClient, accountId: string, header: InvoiceHeader, lines: readonly MatchedLine[]): Promise<ReplaceResult> {
  return prisma.$transaction(async (tx) => {
    const existing = await tx.invoice.findUnique({
      where: { accountId_identity: { accountId, identity: header.identity } },
      select: { id: true },
    });
    const decisions = existing ? await manualDecisions(tx, existing.id) : new Map<string, ManualDecision>();
    const data = {
      providerUuid: header.providerUuid,
      invoiceNumber: header.invoiceNumber,
      period: header.period,
      amount: header.amount,
      source: header.source,
      isPreview: header.isPreview,
      contentHash: header.contentHash,
      ingestedAt: new Date(),
    };
    let invoice: Invoice;
    if (existing) {
      await tx.invoiceLine.deleteMany({ where: { invoiceId: existing.id } });
      invoice = await tx.invoice.update({ where: { id: existing.id }, data });
    } else {
      invoice = await tx.invoice.create({ data: { ...data, accountId, identity: header.identity } });
    }

    let carried = 0;
    const matchRows: MatchRow[] = [];
    const lineRows: LineRow[] = [];
    const slicer = createSlicer();
    for (const l of lines) {
      if (slicer.due()) await slicer.pause();
      const decision = decisions.get(l.lineKey);
      if (decision) carried++;
      const state = lineState(l.outcome, decision);
      const id = randomUUID();
      if (state.match) matchRows.push({ id: randomUUID(), lineId: id, ...state.match });
      lineRows.push({
        id,
        invoiceId: invoice.id,
        lineKey: l.lineKey,
        position: l.position,
        product: l.product,
        groupDescription: l.groupDescription,
        description: l.description,
        amount: l.amount,
        hours: l.hours,
        startTime: l.startTime,
        endTime: l.endTime,
        projectName: l.projectName,
        category: l.category,
        resourceUuid: l.resourceUuid,
        resourceProviderId: l.resourceProviderId,
        derivedKind: l.derivedKind,
        unmatchedReason: state.unmatchedReason,
        candidateIds: state.candidateIds,
        manuallyUnmatched: state.manuallyUnmatched,
      });
    }
    for (const chunk of chunks(lineRows, LINE_CHUNK)) await insertLines(tx, chunk);
    for (const chunk of chunks(matchRows, MATCH_CHUNK)) await insertMatches(tx, chunk);
    return { invoice, lineCount: lineRows.length, matchedCount: matchRows.length, carried, replaced: existing !== null };
  }, TX_OPTIONS);
}

export type RematchResult = { lineCount: number; matchedCount: number; changed: number };

/**
 * Re-runs matching over an invoice's stored lines against the current inventory, keeping
 * manual matches and manually unmatched lines. Line ids stay the same. Statements: a fixed
 * handful plus one UPDATE per `UPDATE_CHUNK` lines and one INSERT per `MATCH_CHUNK` matches.
 */
export async function rematchStoredInvoice(prisma: PrismaClient, accountId: string, invoiceId: string): Promise<RematchResult> {
  const index = await loadMatchIndex(prisma, accountId);
  return prisma.$transaction(async (tx) => {
    const rows = await tx.invoiceLine.findMany({
      where: { invoiceId },
      orderBy: { position: 'asc' },
      select: {
        id: true,
        lineKey: true,
        position: true,
        product: true,
        groupDescription: true,
        description: true,
        resourceUuid: true,
        resourceProviderId: true,
        projectName: true,
        startTime: true,
        endTime: true,
        derivedKind: true,
        unmatchedReason: true,
        candidateIds: true,
        manuallyUnmatched: true,
        match: { select: { resourceId: true, method: true, manual: true, matchedAt: true } },
      },
    });
    const updates: { id: string; kind: string | null; reason: string | null; cands: string[] }[] = [];
    const newMatches: MatchRow[] = [];
    let matchedCount = 0;
    for (const r of rows) {
      const derived = deriveKind(r);
      const outcome = matchLine(r, derived, index);
      const decision: ManualDecision | undefined = r.match?.manual
        ? { resourceId: r.match.resourceId, matchedAt: r.match.matchedAt }
        : r.manuallyUnmatched
          ? { unmatched: true }
          : undefined;
      const state = lineState(outcome, decision);
      if (state.match) matchedCount++;
      if (state.match && !state.match.manual) {
        newMatches.push({ id: randomUUID(), lineId: r.id, resourceId: state.match.resourceId, method: state.match.method, manual: false });
      }
      const sameCands = state.candidateIds.length === r.candidateIds.length && state.candidateIds.every((c, i) => c === r.candidateIds[i]);
      if (state.unmatchedReason !== r.unmatchedReason || derived.kind !== r.derivedKind || !sameCands) {
        updates.push({ id: r.id, kind: derived.kind, reason: state.unmatchedReason, cands: state.candidateIds });
      }
    }
    // Automatic matches are recomputed wholesale; manual ones are never touched.
    await tx.invoiceMatch.deleteMany({ where: { manual: false, line: { invoiceId } } });
    for (const chunk of chunks(updates, UPDATE_CHUNK)) {
      await tx.$executeRawUnsafe(
        `UPDATE "InvoiceLine" AS l
            SET "derivedKind" = v.kind::"ResourceKind",
                "unmatchedReason" = v.reason::"UnmatchedReason",
                "candidateIds" = v.cands
           FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, kind text, reason text, cands uuid[])
          WHERE l.id = v.id AND l."invoiceId" = $2::uuid`,
        JSON.stringify(chunk),
        invoiceId,
      );
    }
    for (const chunk of chunks(newMatches, MATCH_CHUNK)) await insertMatches(tx, chunk);
    return { lineCount: rows.length, matchedCount, changed: updates.length };
  }, TX_OPTIONS);
}
