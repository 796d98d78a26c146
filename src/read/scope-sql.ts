import type { Viewing } from '../scope.js';
import { type SqlParams, uuidIn } from './sql-params.js';

/**
 * The SQL of `scope.ts`'s rules for the statements the read path writes itself: each function
 * is the `WHERE` condition of its namesake there, on a table alias. They must stay equal:
 * test/integration/resource-page.test.ts compares the pages of both for unscoped and
 * tenant-scoped viewers.
 */
export function resourceScopeSql(v: Viewing, alias: string, params: SqlParams): string {
  return scoped(v, alias, params);
}

export function projectScopeSql(v: Viewing, alias: string, params: SqlParams): string {
  return scoped(v, alias, params);
}

/** Tenants are shared by every account: a scoped key sees its own tenant only. */
export function tenantScopeSql(v: Viewing, alias: string, params: SqlParams): string {
  return v.viewer.tenantId ? `${alias}.id = ${params.add(v.viewer.tenantId)}::uuid` : 'TRUE';
}

/** Rows of the visible accounts, and of the viewer's tenant for a scoped key. */
function scoped(v: Viewing, alias: string, params: SqlParams): string {
  const inAccounts = uuidIn(`${alias}."accountId"`, [...v.accountIds], params);
  return v.viewer.tenantId ? `${inAccounts} AND ${alias}."tenantId" = ${params.add(v.viewer.tenantId)}::uuid` : inAccounts;
}
