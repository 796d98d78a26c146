import type { AccountRuntime } from '../accounts.js';
import type { Context } from '../context.js';
import { decodeIdOf } from './builder.js';
import { decodeInputId } from './input.js';
import { userError, type UserErrorShape } from './payload.js';

type GlobalId = string | number;

/**
 * The accounts an `accountIds` argument (or a single `accountId`) leaves visible: the viewer's
 * accounts among those named. A malformed id is INVALID_ID; an id of an unknown or no longer
 * configured account matches nothing. Not given (null): every visible account.
 */
export function accountsArg(ctx: Pick<Context, 'accountIds'>, ids: readonly GlobalId[] | GlobalId | null | undefined, argument: string): readonly string[] {
  if (ids == null) return ctx.accountIds;
  const wanted = new Set((Array.isArray(ids) ? ids : [ids]).map((id) => decodeIdOf('Account', String(id), argument)));
  return ctx.accountIds.filter((id) => wanted.has(id));
}

/**
 * The account a mutation acts on (`input.accountId`): optional while the server has one
 * account; required (INVALID_INPUT) with several. A malformed id is INVALID_INPUT, an unknown
 * one NOT_FOUND, both at `["input", "accountId"]`, pushed to `errors` (null returned).
 */
export function inputAccount(ctx: Pick<Context, 'accounts'>, value: GlobalId | null | undefined, errors: UserErrorShape[]): AccountRuntime | null {
  const path = ['input', 'accountId'];
  if (value == null) {
    const [only, ...others] = ctx.accounts.list;
    if (only && others.length === 0) return only;
    errors.push(userError('INVALID_INPUT', `accountId is required when the server syncs several accounts (${ctx.accounts.list.length} here)`, path));
    return null;
  }
  const id = decodeInputId('Account', value, 'accountId', errors);
  if (id === null) return null;
  const account = ctx.accounts.byId(id);
  if (!account) errors.push(userError('NOT_FOUND', 'no account this server syncs has this id', path));
  return account ?? null;
}
