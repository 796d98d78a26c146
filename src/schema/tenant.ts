import type { Context } from '../context.js';
import { builder } from './builder.js';
import { assertPageArgs, connectionSizes, namedConnection, type PageArgs } from './pagination.js';
import { ProjectConnection } from './project.js';
import { ResourceConnection } from './resource.js';
import { ResourceFilterInput, resourceOrderBy, resourceWhere } from './resource-filter.js';

function tenantScope(ctx: Context) {
  return ctx.viewer.tenantId ? { id: ctx.viewer.tenantId } : {};
}

export const TenantRef = builder.prismaNode('Tenant', {
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, ...tenantScope(ctx) }),
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    isFallback: t.exposeBoolean('isFallback', {
      description: 'The tenant that orphan resources (in no project, or in a project with no tenant) fall back to.',
    }),
    projects: t.relatedConnection('projects', {
      cursor: 'id',
      ...connectionSizes,
      totalCount: true,
      query: (args, ctx) => {
        assertPageArgs(args);
        return { where: { accountId: ctx.accountId }, orderBy: [{ name: 'asc' }, { id: 'asc' }] };
      },
    }, ProjectConnection),
    resources: t.relatedConnection('resources', {
      cursor: 'id',
      ...connectionSizes,
      totalCount: true,
      args: { filter: t.arg({ type: ResourceFilterInput }) },
      query: (args, ctx) => {
        assertPageArgs(args as PageArgs);
        return { where: resourceWhere(ctx, args.filter), orderBy: resourceOrderBy(null) };
      },
    }, ResourceConnection),
  }),
});

export const TenantConnection = namedConnection(TenantRef, 'Tenant');

builder.queryFields((t) => ({
  tenants: t.prismaConnection({
    type: 'Tenant',
    cursor: 'id',
    ...connectionSizes,
    totalCount: (_parent, _args, ctx) => ctx.db.prisma.tenant.count({ where: tenantScope(ctx) }),
    resolve: (query, _parent, args, ctx) => {
      assertPageArgs(args);
      return ctx.db.prisma.tenant.findMany({ ...query, where: tenantScope(ctx), orderBy: [{ slug: 'asc' }, { id: 'asc' }] });
    },
  }, TenantConnection),
  tenant: t.prismaField({
    type: 'Tenant',
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: (query, _parent, args, ctx) =>
      ctx.db.prisma.tenant.findFirst({ ...query, where: { slug: args.slug, ...tenantScope(ctx) } }),
  }),
}));
