import { hasCode } from '../domain/error-codes.js';
import { decodeIdOf } from './builder.js';
import { userError, type UserErrorShape } from './payload.js';

/**
 * Decodes a global id of `typename` from the mutation input field `field`. A malformed id, or
 * one of another type, is pushed to `errors` as INVALID_INPUT at `["input", field]` (the
 * contract makes bad input data, not an exception) and gives null.
 */
export function decodeInputId(typename: string, value: string | number, field: string, errors: UserErrorShape[]): string | null {
  try {
    return decodeIdOf(typename, String(value), `input.${field}`);
  } catch (error) {
    if (!hasCode(error, 'INVALID_ID')) throw error;
    errors.push(userError('INVALID_INPUT', error.message, ['input', field]));
    return null;
  }
}
