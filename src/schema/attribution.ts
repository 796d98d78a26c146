import { assertAccountOperator } from '../auth.js';
import type { Context } from '../context.js';
import type { SqlClient } from '../db/sql.js';
import { projectScope, resourceScope, tenantScope } from '../scope.js';
import { attribute } from '../sync/attribution.js';
import { eventTransaction, insertEvents, publishEvents, type EventDraft } from '../sync/events.js';
import { builder } from './builder.js';
import { decodeInputId } from './input.js';
import { payloadType, userError, type UserErrorShape } from './payload.js';
import { ProjectRef } from './project.js';
import { ResourceRef } from './resource.js';


/** Longest reason kept with a manual change. */
const MAX_REASON = 500;

function checkReason(reason: string | null | undefined, errors: UserErrorShape[]): string | null {
  const trimmed = reason?.trim() || null;
  if (trimmed && trimmed.length > MAX_REASON) {
    errors.push({ code: 'INVALID_INPUT', message: `reason must be at most ${MAX_REASON} characters`, path: ['input', 'reason'] });
  }
  return trimmed;
}

async function findTenant(ctx: Context, tenantId: string | null, errors: UserErrorShape[]) {
  if (!tenantId) return null;
  const tenant = await ctx.db.prisma.tenant.findFirst({ where: { AND: [tenantScope(ctx), { id: tenantId }] } });
  if (!tenant) errors.push({ code: 'NOT_FOUND', message: 'no tenant has this id', path: ['input', 'tenantId'] });
  return tenant;
}

/** The resource ids whose attribution follows from these resources or projects: themselves and backups/snapshots taken of them. */
async function withChildren(tx: SqlClient, accountId: string, where: { resourceId?: string; projectId?: string }): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `WITH own AS (
       SELECT r.id, r.urn FROM "Resource" r
       WHERE r."accountId" = $1::uuid AND (r.id = $2::uuid OR r."projectId" = $3::uuid
         OR EXISTS (SELECT 1 FROM "ProjectMembership" m WHERE m."accountId" = r."accountId" AND m.kind = r.kind
                    AND m."providerId" = r."providerId" AND m."projectId" = $3::uuid))
     )
     SELECT id FROM own
     UNION SELECT c.id FROM "Resource" c JOIN own ON c."accountId" = $1::uuid AND c."parentUrn" = own.urn`,
    [accountId, where.resourceId ?? null, where.projectId ?? null],
  );
  return rows.map((r) => r.id);
}

const AssignProjectTenantInput = builder.inputType('AssignProjectTenantInput', {
  fields: (t) => ({
    projectId: t.id({ required: true }),
    tenantId: t.id({ description: "Null removes the project's tenant." }),
    reason: t.string(),
  }),
});

const AssignProjectTenantPayload = payloadType('AssignProjectTenantPayload', { project: { type: ProjectRef } });

builder.mutationField('assignProjectTenant', (t) =>
  t.field({
    type: AssignProjectTenantPayload,
    description:
      "Sets (or, with tenantId null, removes) a project's tenant; its resources (and their backups and snapshots) without a manual " +
      'override follow, each change stored as a TENANT_CHANGED event with the actor and reason. userErrors: INVALID_INPUT (malformed id, ' +
      'reason too long), NOT_FOUND (no such project or tenant), NO_CHANGE (the project already has this tenant; the payload carries it).',
    args: { input: t.arg({ type: AssignProjectTenantInput, required: true }) },
    resolve: async (_parent, { input }, ctx) => {
      assertAccountOperator(ctx.viewer);
      const errors: UserErrorShape[] = [];
      const projectId = decodeInputId('Project', input.projectId, 'projectId', errors);
      const tenantId = input.tenantId == null ? null : decodeInputId('Tenant', input.tenantId, 'tenantId', errors);
      const reason = checkReason(input.reason, errors);
      if (errors.length) return { project: null, userErrors: errors };
      const project = await ctx.db.prisma.project.findFirst({ where: { AND: [projectScope(ctx), { id: projectId! }] } });
      if (!project) errors.push({ code: 'NOT_FOUND', message: 'no project has this id', path: ['input', 'projectId'] });
      await findTenant(ctx, tenantId, errors);
      if (errors.length) return { project: null, userErrors: errors };
      if (project!.tenantId === tenantId) {
        return {
          project,
          userErrors: [userError('NO_CHANGE', tenantId ? 'the project already has this tenant' : 'the project has no tenant', ['input', 'tenantId'])],
        };
      }
      const events = await eventTransaction(ctx.db, async (tx) => {
        await tx.query(`UPDATE "Project" SET "tenantId" = $2::uuid WHERE id = $1::uuid`, [project!.id, tenantId]);
        const drafts = await attribute(tx, {
          accountId: ctx.accountId,
          fallbackTenantId: ctx.fallbackTenantId,
          resourceIds: await withChildren(tx, ctx.accountId, { projectId: project!.id }),
          actor: ctx.viewer.actor,
          reason,
        });
        return insertEvents(tx, ctx.accountId, null, drafts);
      });
      await publishEvents(ctx.pubsub, events);
      return { project: await ctx.db.prisma.project.findUniqueOrThrow({ where: { id: project!.id } }), userErrors: [] };
    },
  }),
);

const ReassignResourceTenantInput = builder.inputType('ReassignResourceTenantInput', {
  fields: (t) => ({
    resourceId: t.id({ required: true }),
    tenantId: t.id({ description: 'Null removes a manual override, so the resource follows its project again.' }),
    reason: t.string(),
  }),
});

const ReassignResourceTenantPayload = payloadType('ReassignResourceTenantPayload', { resource: { type: ResourceRef } });

builder.mutationField('reassignResourceTenant', (t) =>
  t.field({
    type: ReassignResourceTenantPayload,
    description:
      "Overrides a resource's tenant (MANUAL: later syncs keep it), or with tenantId null removes the override so the resource follows " +
      'its project (or parent, or the fallback tenant) again. Backups and snapshots of the resource follow it. Changes are TENANT_CHANGED ' +
      'events with the actor and reason. userErrors: INVALID_INPUT, NOT_FOUND, NO_CHANGE (removing an override the resource does not ' +
      'have, or setting the tenant it already has manually; the payload carries the resource unchanged).',
    args: { input: t.arg({ type: ReassignResourceTenantInput, required: true }) },
    resolve: async (_parent, { input }, ctx) => {
      assertAccountOperator(ctx.viewer);
      const errors: UserErrorShape[] = [];
      const resourceId = decodeInputId('Resource', input.resourceId, 'resourceId', errors);
      const tenantId = input.tenantId == null ? null : decodeInputId('Tenant', input.tenantId, 'tenantId', errors);
      const reason = checkReason(input.reason, errors);
      if (errors.length) return { resource: null, userErrors: errors };
      const resource = await ctx.db.prisma.resource.findFirst({ where: { AND: [resourceScope(ctx), { id: resourceId! }] } });
      if (!resource) errors.push({ code: 'NOT_FOUND', message: 'no resource has this id', path: ['input', 'resourceId'] });
      const tenant = await findTenant(ctx, tenantId, errors);
      if (errors.length) return { resource: null, userErrors: errors };
      const manual = resource!.tenantSource === 'MANUAL';
      if (!tenantId && !manual) {
        return {
          resource,
          userErrors: [userError('NO_CHANGE', 'the resource has no manual tenant to remove', ['input', 'tenantId'])],
        };
      }
      if (tenantId && manual && resource!.tenantId === tenantId) {
        return {
          resource,
          userErrors: [userError('NO_CHANGE', 'the resource is already assigned to this tenant manually', ['input', 'tenantId'])],
        };
      }
      const by = { actor: ctx.viewer.actor, reason };
      const events = await eventTransaction(ctx.db, async (tx) => {
        const [before] = await tx.query<{ id: string; tenantId: string | null; slug: string | null }>(
          `SELECT r.id, r."tenantId", t.slug FROM "Resource" r LEFT JOIN "Tenant" t ON t.id = r."tenantId" WHERE r.id = $1::uuid FOR UPDATE OF r`,
          [resource!.id],
        );
        if (!before) throw new Error(`resource ${resource!.id} disappeared`);
        const drafts: EventDraft[] = [];
        if (tenantId) {
          await tx.query(`UPDATE "Resource" SET "tenantSource" = 'MANUAL', "tenantId" = $2::uuid, "tenantReason" = $3, "updatedAt" = now() WHERE id = $1::uuid`, [
            before.id,
            tenantId,
            reason,
          ]);
          if (before.tenantId !== tenantId) {
            drafts.push({ resourceId: before.id, type: 'TENANT_CHANGED', from: before.slug, to: tenant!.slug, ...by });
          }
        } else {
          // Attribution recomputes the tenant from the project, the parent or the fallback.
          await tx.query(`UPDATE "Resource" SET "tenantSource" = 'NONE', "tenantReason" = NULL, "updatedAt" = now() WHERE id = $1::uuid`, [before.id]);
        }
        drafts.push(
          ...(await attribute(tx, {
            accountId: ctx.accountId,
            fallbackTenantId: ctx.fallbackTenantId,
            resourceIds: await withChildren(tx, ctx.accountId, { resourceId: before.id }),
            ...by,
          })),
        );
        return insertEvents(tx, ctx.accountId, null, drafts);
      });
      await publishEvents(ctx.pubsub, events);
      return { resource: await ctx.db.prisma.resource.findUniqueOrThrow({ where: { id: resource!.id } }), userErrors: [] };
    },
  }),
);
