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
  description: 'A DigitalOcean project as the PROJECTS worker last saw it; its tenant is what its resources are attributed to.',
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, AND: [projectScope(ctx)] }),
  nullable: true,
  fields: (t) => ({
    providerId: t.exposeString('providerId', { description: "DigitalOcean's project uuid." }),
    name: t.exposeString('name', { description: 'Project name in DigitalOcean.' }),
    description: t.exposeString('description', { nullable: true, description: "The project's description in DigitalOcean; null when it has none." }),
    purpose: t.exposeString('purpose', { nullable: true, description: "The project's purpose in DigitalOcean (e.g. Web Application); null when it has none." }),
    environment: t.exposeString('environment', { nullable: true, description: 'Development, Staging or Production, as set in DigitalOcean; null when unset.' }),
    isDefault: t.exposeBoolean('isDefault', { description: "True for the account's default project (new resources land in it)." }),
    tenant: t.relation('tenant', {
      nullable: true,
      description: "The project's tenant (assignProjectTenant); null when it has none (its resources go to the fallback tenant).",
      query: (_args, ctx) => ({ where: tenantScope(ctx) }),
    }),
    lifecycle: t.expose('lifecycle', { type: LifecycleEnum, description: 'Whether the last PROJECTS syncs saw the project.' }),
    resources: t.relatedConnection(
      'resources',
      {
        description: 'Resources in the project, by name; stale ones hidden unless the filter asks for them.',
        cursor: 'id',
        ...connectionSizes,
        totalCount: true,
        args: { filter: t.arg({ type: ResourceFilterInput, description: 'Narrows the list (default: ACTIVE and MISSING).' }) },
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
      description: 'Projects the viewer may see, by name.',
      args: {
        tenantId: t.arg.id({ description: 'Only the projects of this tenant (a global id).' }),
        accountIds: t.arg.idList({ description: 'Only these accounts (default: every account the viewer may see).' }),
      },
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
