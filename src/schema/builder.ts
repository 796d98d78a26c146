import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ComplexityPlugin from '@pothos/plugin-complexity';
import { apiError } from '../domain/error-codes.js';
import type PrismaTypes from '../generated/pothos-types.js';
import { getDatamodel } from '../generated/pothos-types.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { lenientDecoder, resolveNodeList, resolveOneNode } from './node-lookup.js';
import { fieldCost } from './cost.js';

/** The Pothos builder: plugins and scalars' shapes only; types live in their own files. */
export const builder = new SchemaBuilder<{
  PrismaTypes: PrismaTypes;
  Context: Context;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  DefaultFieldNullability: false;
  Connection: { totalCount: number | (() => number | Promise<number>) };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    Decimal: { Input: string; Output: Prisma.Decimal | string };
  };
}>({
  plugins: [PrismaPlugin, RelayPlugin, ComplexityPlugin],
  // Costs only: the limit (QUERY_MAX_COST) is checked before execution in limits.ts, where it
  // is a setting and a refusal costs no resolver call.
  complexity: { fieldComplexity: fieldCost },
  defaultFieldNullability: false,
  prisma: {
    client: (ctx) => ctx.db.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
    decodeGlobalID: lenientDecoder(decodeGlobalId),
    nodeQueryOptions: { resolve: (_root, args, _ctx, _info, resolveNode) => resolveOneNode(args.id, resolveNode) },
    nodesQueryOptions: { resolve: (_root, args, ctx, info): Promise<unknown[]> => resolveNodeList(builder, ctx, info, args.ids) },
  },
});

/** Decodes `base64("Type:id")`; anything else is a client error that says why. */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const text = /^[A-Za-z0-9+/_-]+={0,2}$/.test(globalId) ? Buffer.from(globalId, 'base64').toString('utf8') : '';
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1 || !/^[A-Za-z]+$/.test(text.slice(0, colon))) {
    throw apiError('INVALID_ID', `"${globalId.slice(0, 80)}" is not a valid global id`);
  }
  const typename = text.slice(0, colon);
  const id = text.slice(colon + 1);
  const format = ID_FORMATS[typename];
  if (!format) {
    throw apiError('INVALID_ID', `"${globalId.slice(0, 80)}" names no known type`);
  }
  if (!format.test(id)) {
    throw apiError('INVALID_ID', `"${globalId.slice(0, 80)}" is not a valid ${typename} id`);
  }
  return { typename, id };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The database id format of each node type, checked before any query runs. */
const ID_FORMATS: Record<string, RegExp> = {
  Account: UUID,
  Resource: UUID,
  Project: UUID,
  Tenant: UUID,
  SyncRun: UUID,
  Invoice: UUID,
  InvoiceLine: UUID,
  InvoiceMatch: UUID,
  ApiKey: UUID,
  ResourceEvent: /^[1-9]\d{0,9}$/,
};

/** Decodes a global id that must name a `typename`; returns the database id. */
export function decodeIdOf(typename: string, globalId: string, argument: string): string {
  const decoded = decodeGlobalId(globalId);
  if (decoded.typename !== typename) {
    throw apiError('INVALID_ID', `${argument}: expected a ${typename} id, got a ${decoded.typename} id`);
  }
  return decoded.id;
}
