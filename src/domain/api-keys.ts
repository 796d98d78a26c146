import type * as Db from '../generated/prisma/enums.js';
import type { Described } from './list.js';

/** What an API key may do, with what the GraphQL `ApiKeyRole` says of each. */
export const API_KEY_ROLE_DESCRIPTIONS = {
  VIEWER: { description: 'Queries and subscriptions.' },
  OPERATOR: { description: 'Also mutations.' },
} as const satisfies Record<Db.ApiKeyRole, Described>;

export type ApiKeyRole = keyof typeof API_KEY_ROLE_DESCRIPTIONS;
