// Imports every type file (each declares its own query, mutation and subscription
// fields) and builds the schema. Nothing is re-exported from here.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import { LIMITS_DOC } from './docs.js';
import { wrapResolvers } from '../execution/resolvers.js';
import './scalars.js';
import './enums.js';
import './pagination.js';
import './resource.js';
import './project.js';
import './tenant.js';
import './inventory-summary.js';
import './resource-event.js';
import './sync-run.js';
import './attribution.js';
import './invoice-line.js';
import './invoice.js';
import './costs.js';
import './api-key.js';
import './account.js';

builder.queryType({ description: `Reads: the inventory, tenants, events, sync runs, invoices and costs. ${LIMITS_DOC}` });
builder.mutationType({
  description: 'Changes: operator keys only (FORBIDDEN for a viewer key). Expected problems come back as userErrors in each payload, never as errors.',
});
builder.subscriptionType({
  description: 'Live events over WebSocket (graphql-ws, at /graphql) or server-sent events; the same keys, limits and scopes as queries.',
});

// Resolvers answer relations the read path built, and see stable paths (src/execution/resolvers.ts).
export const schema = wrapResolvers(lexicographicSortSchema(builder.toSchema()));
