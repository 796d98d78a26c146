// Imports every type file (each declares its own query, mutation and subscription
// fields) and builds the schema. Nothing is re-exported from here.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
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

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

export const schema = lexicographicSortSchema(builder.toSchema());
