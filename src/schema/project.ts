import type { Prisma } from '../generated/prisma/client.js';
import type { Context } from '../context.js';
import { projectScope, tenantScope } from '../scope.js';
import { accountsArg } from './account-args.js';
import { builder, decodeIdOf } from './builder.js';
import { LifecycleEnum } from './enums.js';
import { assertPageArgs, connectionSizes, namedConnection, type PageArgs } from './pagination.js';
import { ResourceConnection } from './resource.js';
import { ResourceFilterInput, resourceOrderBy, resourceWhere } from './resource-filter.js';

export const ProjectRef = builder.prismaNode('Project', {
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, AND: [projectScope(ctx)] }),
  nullable: true,
  fields: (t) => ({
    providerId: t.exposeString('providerId'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    purpose: t.exposeString('purpose', { nullable: true }),
    environment: t.exposeString('environment', { nullable: true }),
    isDefault: t.exposeBoolean('isDefault'),
    tenant: t.relation('tenant', { nullable: true, query: (_args, ctx) => ({ where: tenantScope(ctx) }) }),
    lifecycle: t.expose('lifecycle', { type: LifecycleEnum }),
    resources: t.relatedConnection(
      'resources',
      {
        cursor: 'id',
        ...connectionSizes,
        totalCount: true,
        args: { filter: t.arg({ type: ResourceFilterInput }) },
        query: (args, ctx) => {
          assertPageArgs(args as PageArgs);
          return { where: resourceWhere(ctx, args.filter), orderBy: resourceOrderBy(null) };
        },
      },
      ResourceConnection,
    ),
  }),
});

export const ProjectConnection = namedConnection(ProjectRef, 'Project');

builder.queryFields((t) => ({
  projects: t.prismaConnection(
    {
      type: 'Project',
      cursor: 'id',
      ...connectionSizes,
      args: { tenantId: t.arg.id(), accountIds: t.arg.idList() },
      totalCount: (_parent, args, ctx) => ctx.db.prisma.project.count({ where: projectWhere(ctx, args) }),
      resolve: (query, _parent, args, ctx) => {
        assertPageArgs(args);
        return ctx.db.prisma.project.findMany({ ...query, where: projectWhere(ctx, args), orderBy: [{ name: 'asc' }, { id: 'asc' }] });
      },
    },
    ProjectConnection,
  ),
}));

function projectWhere(
  ctx: Context,
  { tenantId, accountIds }: { tenantId?: string | number | null; accountIds?: readonly (string | number)[] | null },
): Prisma.ProjectWhereInput {
  return {
    AND: [
      projectScope(ctx),
      tenantId ? { tenantId: decodeIdOf('Tenant', String(tenantId), 'tenantId') } : {},
      accountIds ? { accountId: { in: [...accountsArg(ctx, accountIds, 'accountIds')] } } : {},
    ],
  };
}
