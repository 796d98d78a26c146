import type { OutputShape, OutputType } from '@pothos/core';
import type { UserErrorCode } from '../domain/error-codes.js';
import { builder } from './builder.js';

type Types = typeof builder.$inferSchemaTypes;

/** Expected problems are data: every mutation payload carries these (empty on success). */
export type UserErrorShape = { code: UserErrorCode; message: string; path?: string[] | null };

export const UserErrorRef = builder.objectRef<UserErrorShape>('UserError').implement({
  description: "An expected problem with a mutation's input or state, reported as data (the mutation changed nothing it names).",
  fields: (t) => ({
    code: t.exposeString('code', {
      description: 'Stable machine-readable code, e.g. NOT_FOUND, INVALID_INPUT, INVALID_CSV, DUPLICATE, UPSTREAM_ERROR.',
    }),
    message: t.exposeString('message', { description: 'What is wrong, in words meant for a person; may change between versions (match on code).' }),
    path: t.exposeStringList('path', { nullable: true, description: 'Input field path the error refers to, when there is one.' }),
  }),
});

/**
 * A userError. Resolvers build them with this rather than as object literals: Pothos infers a
 * resolver's return type, which widens a literal `code` to string and fails the typed check.
 */
export function userError(code: UserErrorCode, message: string, path?: string[]): UserErrorShape {
  return { code, message, path: path ?? null };
}

/** A field of a mutation payload: always nullable (null when the mutation did not get that far). */
export type PayloadField = { type: OutputType<Types>; description?: string };

/** The value a resolver returns for a payload type of these fields. */
export type Payload<F extends Record<string, PayloadField>> = { [K in keyof F]: OutputShape<Types, F[K]['type']> | null } & {
  userErrors: UserErrorShape[];
};

/**
 * A mutation payload type: the given fields (each nullable, read from the property of its
 * name) and `userErrors: [UserError!]!`, e.g.
 * `payloadType('CreateTenantPayload', { tenant: { type: TenantRef } })`.
 */
export function payloadType<const F extends Record<string, PayloadField>>(name: string, fields: F, description?: string) {
  return builder.objectRef<Payload<F>>(name).implement({
    description:
      description ??
      `The result of ${name[0]!.toLowerCase()}${name.slice(1).replace(/Payload$/, '')}: the changed object, or userErrors saying why nothing changed.`,
    fields: (t) => ({
      ...Object.fromEntries(
        Object.entries(fields).map(([key, { type, description }]) => [
          key,
          // Each property holds the shape of its field's type (Payload<F>); one cast because
          // TypeScript cannot follow a key of a mapped type through Object.entries.
          t.field({ type, nullable: true, description, resolve: (payload) => payload[key] as never }),
        ]),
      ),
      userErrors: t.field({
        type: [UserErrorRef],
        description: 'Expected problems, as data; empty when the mutation succeeded.',
        resolve: (payload) => payload.userErrors,
      }),
    }),
  });
}
