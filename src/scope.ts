import { forbidden } from './auth.js';
import type { Prisma } from './generated/prisma/client.js';
import type { Viewer } from './context.js';

/**
 * What a caller may see, one function per model. Each returns the Prisma `where` of the rows
 * the viewer may read; every resolver, relation, id lookup and count combines it with its own
 * conditions through `AND` (never by spreading, which would let one `id` overwrite another).
 *
 * Every row belongs to one of the accounts the server is configured with (`accountIds`): rows
 * of an account no longer configured stay in the database, invisible.
 *
 * Unscoped keys (ADMIN_API_KEY, keys without a tenant, an open server) see every account whole.
 * A tenant-scoped key sees, in every account:
 * - resources whose current tenant is its tenant;
 * - projects whose tenant is its tenant (so not a project of another tenant that holds one of
 *   its resources through a manual override, and not a project without a tenant);
 * - its own tenant only;
 * - events that happened while the resource was in its tenant, and only while the resource is
 *   still in its tenant (an event of a resource that has moved away disappears; one from before
 *   a resource came is never shown);
 * - invoices (account-level headers), the lines matched to its resources, and their matches;
 * - no sync runs, and no API keys (those are for unscoped operators only).
 */
export type Viewing = { accountIds: readonly string[]; viewer: Pick<Viewer, 'tenantId'> };

/** API keys are account-wide secrets' metadata: unscoped operators see them, nobody else. */
export function apiKeyScope(viewer: Pick<Viewer, 'tenantId' | 'role'>): Prisma.ApiKeyWhereInput {
  return viewer.role === 'OPERATOR' && !viewer.tenantId ? {} : NONE;
}

/** A condition no row meets. */
const NONE = { id: { in: [] as string[] } };

/** Whether the viewer is limited to one tenant. */
export function isScoped(v: Viewing): boolean {
  return v.viewer.tenantId !== null;
}

/** The rows of the visible accounts (`accountId` of any model that has one). */
function inAccounts(v: Viewing): { accountId: { in: string[] } } {
  return { accountId: { in: [...v.accountIds] } };
}

export function resourceScope(v: Viewing): Prisma.ResourceWhereInput {
  return v.viewer.tenantId ? { ...inAccounts(v), tenantId: v.viewer.tenantId } : inAccounts(v);
}

export function projectScope(v: Viewing): Prisma.ProjectWhereInput {
  return v.viewer.tenantId ? { ...inAccounts(v), tenantId: v.viewer.tenantId } : inAccounts(v);
}

/** Tenants are shared by every account. */
export function tenantScope(v: Viewing): Prisma.TenantWhereInput {
  return v.viewer.tenantId ? { id: v.viewer.tenantId } : {};
}

export function eventScope(v: Viewing): Prisma.ResourceEventWhereInput {
  return v.viewer.tenantId ? { ...inAccounts(v), tenantId: v.viewer.tenantId, resource: resourceScope(v) } : inAccounts(v);
}

export function invoiceScope(v: Viewing): Prisma.InvoiceWhereInput {
  return inAccounts(v);
}

export function invoiceLineScope(v: Viewing): Prisma.InvoiceLineWhereInput {
  return v.viewer.tenantId ? { invoice: invoiceScope(v), match: { resource: resourceScope(v) } } : { invoice: invoiceScope(v) };
}

export function invoiceMatchScope(v: Viewing): Prisma.InvoiceMatchWhereInput {
  return { resource: resourceScope(v), line: { invoice: invoiceScope(v) } };
}

export function syncRunScope(v: Viewing): Prisma.SyncRunWhereInput {
  return v.viewer.tenantId ? NONE : inAccounts(v);
}

/**
 * Sync runs, worker status and upstream error text are account internals: a tenant-scoped
 * key gets a FORBIDDEN GraphQLError (and `null` where a SyncRun is reached by id or relation).
 */
export function assertSeesSyncInternals(v: Viewing): void {
  if (isScoped(v)) {
    throw forbidden('sync runs and their errors are not available to a tenant-scoped key');
  }
}
