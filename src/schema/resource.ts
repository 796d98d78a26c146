import { apiError } from '../domain/error-codes.js';
import { parseUrn } from '../domain/urn.js';
import { accountsArg } from './account-args.js';
import type { Context } from '../context.js';
import { KIND_SPECS } from '../sync/kinds/index.js';
import { projectScope, resourceScope, tenantScope } from '../scope.js';
import { builder } from './builder.js';
import { LifecycleEnum, ResourceKindEnum, TenantSourceEnum } from './enums.js';
import { assertPageArgs, connectionSizes, namedConnection } from './pagination.js';
import { type PageQuery, resourceCount, resourcePage } from '../read/resource-page.js';
import type { ColumnsExtension } from '../read/selected-columns.js';
import { ResourceFilterInput, ResourceOrderInput } from './resource-filter.js';

export const ResourceRef = builder.prismaNode('Resource', {
  description: 'A DigitalOcean resource as the syncs see it, with its project, tenant and lifecycle.',
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, AND: [resourceScope(ctx)] }),
  // A lookup by id of a row outside the viewer's scope is null, exactly like a missing one.
  nullable: true,
  fields: (t) => ({
    urn: t.exposeString('urn', {
      description: 'DigitalOcean URN in canonical form, e.g. do:droplet:3164444, do:domain:example.com, do:floatingip:45.55.96.47.',
    }),
    kind: t.expose('kind', { type: ResourceKindEnum, description: 'What kind of resource it is.' }),
    providerId: t.exposeString('providerId', {
      description: "The provider's own id as a string: integer ids, uuids, domain names and IPs alike.",
    }),
    name: t.exposeString('name', { description: 'Name in DigitalOcean (for DNS zones and reserved IPs, the domain or the IP).' }),
    status: t.exposeString('status', {
      nullable: true,
      description: 'Provider status, lower case as the provider reports it (active, off, assigned, ...); null where the kind has none.',
    }),
    region: t.exposeString('region', { nullable: true, description: 'Region slug (nyc3, fra1, ...); null for kinds without one.' }),
    attrs: t.expose('attrs', { type: 'JSON', description: 'Kind-specific attributes (size, tags, rules, resource_type, parent droplet, ...).' }),
    placeholder: t.exposeBoolean('placeholder', {
      description: "True for rows discovered only through a project's resource URN, for kinds that no dedicated sync lists.",
    }),
    project: t.relation('project', {
      nullable: true,
      description: 'Null when the resource is in no project, or (for a tenant-scoped key) when the project belongs to another tenant or to none.',
      query: (_args, ctx) => ({ where: projectScope(ctx) }),
    }),
    tenant: t.relation('tenant', {
      nullable: true,
      description: 'The tenant its costs and events are attributed to (see tenantSource); null when it has none.',
      query: (_args, ctx) => ({ where: tenantScope(ctx) }),
    }),
    tenantSource: t.expose('tenantSource', { type: TenantSourceEnum, description: 'Where its tenant comes from.' }),
    lifecycle: t.expose('lifecycle', { type: LifecycleEnum, description: 'Whether the last syncs of its kind saw it.' }),
    missedSyncs: t.exposeInt('missedSyncs', { description: 'Successful syncs in a row that did not see it (0 while ACTIVE; 3 makes it STALE).' }),
    staleSince: t.expose('staleSince', { type: 'DateTime', nullable: true, description: 'When it became STALE; null unless it is.' }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime', description: 'When a sync first saw it.' }),
    lastSeenAt: t.field({
      type: 'DateTime',
      description: "When a sync last saw it. Unchanged rows are not rewritten, so an ACTIVE row was seen by its worker's last successful run.",
      extensions: { columns: ['lastSeenAt', 'lifecycle', 'accountId', 'placeholder', 'kind'] } satisfies ColumnsExtension,
      resolve: async (r, _args, ctx) => {
        if (r.lifecycle !== 'ACTIVE') return r.lastSeenAt;
        const lastSuccess = await lastSuccessByWorker(ctx);
        const seen = lastSuccess.get(`${r.accountId}:${r.placeholder ? 'PROJECTS' : (WORKER_OF_KIND.get(r.kind) ?? 'PROJECTS')}`);
        return seen && seen > r.lastSeenAt ? seen : r.lastSeenAt;
      },
    }),
    providerCreatedAt: t.expose('providerCreatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When DigitalOcean says it was created; null where the kind does not tell.',
    }),
  }),
});

const WORKER_OF_KIND = new Map<string, string>(KIND_SPECS.map((s) => [s.kind, s.worker]));

/** Start of each account's workers' last successful run, keyed `accountId:worker`, one query per request. */
function lastSuccessByWorker(ctx: Context): Promise<Map<string, Date>> {
  return ctx.once('lastSuccessByWorker', async () => {
    const rows = await ctx.db.prisma.syncRun.groupBy({
      by: ['accountId', 'worker'],
      where: { accountId: { in: [...ctx.accountIds] }, status: 'SUCCEEDED' },
      _max: { startedAt: true },
    });
    return new Map(rows.flatMap((r) => (r._max.startedAt ? [[`${r.accountId}:${r.worker}`, r._max.startedAt] as const] : [])));
  });
}

export const ResourceConnection = namedConnection(ResourceRef, 'Resource');

builder.queryFields((t) => ({
  resources: t.prismaConnection(
    {
      type: 'Resource',
      cursor: 'id',
      ...connectionSizes,
      description: 'Resources the viewer may see, by name unless orderBy says otherwise. Stale resources are hidden unless the filter asks for them.',
      args: {
        filter: t.arg({ type: ResourceFilterInput, description: 'Narrows the list (default: ACTIVE and MISSING).' }),
        orderBy: t.arg({ type: ResourceOrderInput, description: 'Sort order (default: name ascending); the id breaks ties.' }),
      },
      totalCount: (_parent, args, ctx) => {
        assertPageArgs(args);
        return resourceCount(ctx, args.filter);
      },
      // One statement per page, relations included (src/read/resource-page.ts).
      resolve: (query, _parent, args, ctx, info) => {
        assertPageArgs(args);
        return resourcePage(ctx, query as PageQuery, args.filter, args.orderBy, info);
      },
    },
    ResourceConnection,
  ),
  resourceByUrn: t.prismaField({
    type: 'Resource',
    nullable: true,
    args: {
      urn: t.arg.string({ required: true, description: 'A DigitalOcean URN, e.g. do:droplet:3164444.' }),
      accountId: t.arg.id({ description: "With several accounts, which one's resource (default: the only match)." }),
    },
    description:
      "Any URN form DigitalOcean uses finds the resource (do:reservedip: and do:floatingip: alike). With several accounts, accountId says which one's resource (default: the only match; BAD_USER_INPUT when the URN is in several).",
    resolve: async (query, _parent, args, ctx) => {
      const parsed = parseUrn(args.urn);
      const accountIds = accountsArg(ctx, args.accountId, 'accountId');
      if (!parsed?.kind) return null;
      const found = await ctx.db.prisma.resource.findMany({
        ...query,
        where: { AND: [resourceScope(ctx), { accountId: { in: [...accountIds] }, kind: parsed.kind, providerId: parsed.providerId }] },
        take: 2,
      });
      if (found.length > 1) {
        throw apiError('BAD_USER_INPUT', `${args.urn.slice(0, 200)} exists in several accounts: pass accountId to say which one`, {
          extensions: { argument: 'accountId' },
        });
      }
      return found[0] ?? null;
    },
  }),
}));
