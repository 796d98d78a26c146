import { assertAccountOperator } from '../auth.js';
import { projectScope, tenantScope } from '../scope.js';
import { builder } from './builder.js';
import { assertPageArgs, connectionSizes, namedConnection, type PageArgs } from './pagination.js';
import { payloadType, userError, type UserErrorShape } from './payload.js';
import { ProjectConnection } from './project.js';
import { ResourceConnection } from './resource.js';
import { ResourceFilterInput, resourceOrderBy, resourceWhere } from './resource-filter.js';

export const TenantRef = builder.prismaNode('Tenant', {
  description:
    'A customer or team that resources are attributed to: through its projects (assignProjectTenant), by a manual override (reassignResourceTenant), or as the fallback tenant for orphans.',
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, AND: [tenantScope(ctx)] }),
  nullable: true,
  fields: (t) => ({
    slug: t.exposeString('slug', { description: 'Unique short name: lower-case letters, digits and -, at most 63 characters.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    isFallback: t.exposeBoolean('isFallback', {
      description: 'The tenant that orphan resources (in no project, or in a project with no tenant) fall back to.',
    }),
    projects: t.relatedConnection(
      'projects',
      {
        description: "The tenant's projects, by name.",
        cursor: 'id',
        ...connectionSizes,
        totalCount: true,
        query: (args, ctx) => {
          assertPageArgs(args);
          return { where: projectScope(ctx), orderBy: [{ name: 'asc' }, { id: 'asc' }] };
        },
      },
      ProjectConnection,
    ),
    resources: t.relatedConnection(
      'resources',
      {
        description: 'Resources attributed to the tenant, by name; stale ones hidden unless the filter asks for them.',
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

export const TenantConnection = namedConnection(TenantRef, 'Tenant');

builder.queryFields((t) => ({
  tenants: t.prismaConnection(
    {
      type: 'Tenant',
      description: 'Tenants the viewer may see, by slug (a tenant-scoped key sees only its own).',
      cursor: 'id',
      ...connectionSizes,
      totalCount: (_parent, _args, ctx) => ctx.db.prisma.tenant.count({ where: tenantScope(ctx) }),
      resolve: (query, _parent, args, ctx) => {
        assertPageArgs(args);
        return ctx.db.prisma.tenant.findMany({ ...query, where: tenantScope(ctx), orderBy: [{ slug: 'asc' }, { id: 'asc' }] });
      },
    },
    TenantConnection,
  ),
  tenant: t.prismaField({
    type: 'Tenant',
    nullable: true,
    description: 'A tenant by its slug; null when the viewer may not see one with it.',
    args: { slug: t.arg.string({ required: true, description: 'The tenant slug.' }) },
    resolve: (query, _parent, args, ctx) => ctx.db.prisma.tenant.findFirst({ ...query, where: { AND: [tenantScope(ctx), { slug: args.slug }] } }),
  }),
}));

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

const CreateTenantInput = builder.inputType('CreateTenantInput', {
  description: 'A new tenant.',
  fields: (t) => ({
    slug: t.string({
      required: true,
      description: 'Unique short name: lower-case letters, digits and -, starting with a letter or digit, at most 63 characters.',
    }),
    name: t.string({ required: true, description: 'Display name: 1 to 200 characters (surrounding spaces trimmed).' }),
  }),
});

const CreateTenantPayload = payloadType('CreateTenantPayload', {
  tenant: { type: TenantRef, description: 'The new tenant; null when userErrors say why not.' },
});

builder.mutationField('createTenant', (t) =>
  t.field({
    type: CreateTenantPayload,
    description: 'Operators only. Creates a tenant. userErrors: INVALID_INPUT (bad slug, blank or too long name), DUPLICATE (the slug is taken).',
    args: { input: t.arg({ type: CreateTenantInput, required: true, description: 'The tenant to create.' }) },
    resolve: async (_parent, { input }, ctx) => {
      assertAccountOperator(ctx.viewer);
      const errors: UserErrorShape[] = [];
      if (!SLUG.test(input.slug)) {
        errors.push(userError('INVALID_INPUT', 'slug must be lower-case letters, digits and -, at most 63 characters', ['input', 'slug']));
      }
      const name = input.name.trim();
      if (!name || name.length > 200) {
        errors.push(userError('INVALID_INPUT', 'name must be 1 to 200 characters', ['input', 'name']));
      }
      if (errors.length) return { tenant: null, userErrors: errors };
      const existing = await ctx.db.prisma.tenant.findUnique({ where: { slug: input.slug } });
      if (existing) {
        return { tenant: null, userErrors: [userError('DUPLICATE', `a tenant with slug "${input.slug}" exists`, ['input', 'slug'])] };
      }
      try {
        const tenant = await ctx.db.prisma.tenant.create({ data: { slug: input.slug, name } });
        return { tenant, userErrors: [] };
      } catch (error) {
        if ((error as { code?: string }).code === 'P2002') {
          return { tenant: null, userErrors: [userError('DUPLICATE', `a tenant with slug "${input.slug}" exists`, ['input', 'slug'])] };
        }
        throw error;
      }
    },
  }),
);
