import type { GraphQLError } from 'graphql';

/** graphql-js's hints: `Did you mean "a", "b"?`, `Did you mean the enum value "X"?`, and so on. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * Removes every "Did you mean …?" from an error's message: suggestions would let a caller
 * enumerate the schema's field, type and enum names even with introspection closed to them.
 */
export function hideSuggestions<E extends GraphQLError | Error>(error: E): E {
  const message = error.message.replace(SUGGESTION, '');
  if (message !== error.message) error.message = message.trim();
  return error;
}
