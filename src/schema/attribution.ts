import { assertAccountOperator } from '../auth.js';
import { assignProjectTenant, reassignResourceTenant } from '../sync/attribution.js';
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
    errors.push(userError('INVALID_INPUT', `reason must be at most ${MAX_REASON} characters`, ['input', 'reason']));
  }
  return trimmed;
}

/** The userErrors of a use case's NOT_FOUND, in input order. */
function notFoundErrors(missing: ('row' | 'tenant')[], row: { name: string; field: string }): UserErrorShape[] {
  return missing.map((m) =>
    m === 'row'
      ? userError('NOT_FOUND', `no ${row.name} has this id`, ['input', row.field])
      : userError('NOT_FOUND', 'no tenant has this id', ['input', 'tenantId']),
  );
}

const AssignProjectTenantInput = builder.inputType('AssignProjectTenantInput', {
  description: "A project's new tenant.",
  fields: (t) => ({
    projectId: t.id({ required: true, description: 'Global id of the project.' }),
    tenantId: t.id({ description: "Null removes the project's tenant." }),
    reason: t.string({ description: `Why, kept with the TENANT_CHANGED events; at most ${MAX_REASON} characters.` }),
  }),
});

const AssignProjectTenantPayload = payloadType('AssignProjectTenantPayload', {
  project: { type: ProjectRef, description: 'The project with its tenant; null when userErrors say why not.' },
});

builder.mutationField('assignProjectTenant', (t) =>
  t.field({
    type: AssignProjectTenantPayload,
    description:
      "Sets (or, with tenantId null, removes) a project's tenant; its resources (and their backups and snapshots) without a manual " +
      'override follow, each change stored as a TENANT_CHANGED event with the actor and reason. userErrors: INVALID_INPUT (malformed id, ' +
      'reason too long), NOT_FOUND (no such project or tenant), NO_CHANGE (the project already has this tenant; the payload carries it).',
    args: { input: t.arg({ type: AssignProjectTenantInput, required: true, description: 'The project and its tenant.' }) },
    resolve: async (_parent, { input }, ctx) => {
      assertAccountOperator(ctx.viewer);
      const errors: UserErrorShape[] = [];
      const projectId = decodeInputId('Project', input.projectId, 'projectId', errors);
      const tenantId = input.tenantId == null ? null : decodeInputId('Tenant', input.tenantId, 'tenantId', errors);
      const reason = checkReason(input.reason, errors);
      if (errors.length) return { project: null, userErrors: errors };
      const result = await assignProjectTenant(ctx, { projectId: projectId!, tenantId, actor: ctx.viewer.actor, reason });
      if (result.status === 'NOT_FOUND') return { project: null, userErrors: notFoundErrors(result.missing, { name: 'project', field: 'projectId' }) };
      if (result.status === 'NO_CHANGE') {
        return {
          project: result.row,
          userErrors: [userError('NO_CHANGE', tenantId ? 'the project already has this tenant' : 'the project has no tenant', ['input', 'tenantId'])],
        };
      }
      return { project: result.row, userErrors: [] };
    },
  }),
);

const ReassignResourceTenantInput = builder.inputType('ReassignResourceTenantInput', {
  description: "A resource's manual tenant, or the removal of it.",
  fields: (t) => ({
    resourceId: t.id({ required: true, description: 'Global id of the resource.' }),
    tenantId: t.id({ description: 'Null removes a manual override, so the resource follows its project again.' }),
    reason: t.string({ description: `Why, kept with the TENANT_CHANGED events; at most ${MAX_REASON} characters.` }),
  }),
});

const ReassignResourceTenantPayload = payloadType('ReassignResourceTenantPayload', {
  resource: { type: ResourceRef, description: 'The resource with its tenant; null when userErrors say why not.' },
});

builder.mutationField('reassignResourceTenant', (t) =>
  t.field({
    type: ReassignResourceTenantPayload,
    description:
      "Overrides a resource's tenant (MANUAL: later syncs keep it), or with tenantId null removes the override so the resource follows " +
      'its project (or parent, or the fallback tenant) again. Backups and snapshots of the resource follow it. Changes are TENANT_CHANGED ' +
      'events with the actor and reason. userErrors: INVALID_INPUT, NOT_FOUND, NO_CHANGE (removing an override the resource does not ' +
      'have, or setting the tenant it already has manually; the payload carries the resource unchanged).',
    args: { input: t.arg({ type: ReassignResourceTenantInput, required: true, description: 'The resource and its tenant.' }) },
    resolve: async (_parent, { input }, ctx) => {
      assertAccountOperator(ctx.viewer);
      const errors: UserErrorShape[] = [];
      const resourceId = decodeInputId('Resource', input.resourceId, 'resourceId', errors);
      const tenantId = input.tenantId == null ? null : decodeInputId('Tenant', input.tenantId, 'tenantId', errors);
      const reason = checkReason(input.reason, errors);
      if (errors.length) return { resource: null, userErrors: errors };
      const result = await reassignResourceTenant(ctx, { resourceId: resourceId!, tenantId, actor: ctx.viewer.actor, reason });
      if (result.status === 'NOT_FOUND') return { resource: null, userErrors: notFoundErrors(result.missing, { name: 'resource', field: 'resourceId' }) };
      if (result.status === 'NO_CHANGE') {
        const message =
          result.why === 'NO_OVERRIDE' ? 'the resource has no manual tenant to remove' : 'the resource is already assigned to this tenant manually';
        return { resource: result.row, userErrors: [userError('NO_CHANGE', message, ['input', 'tenantId'])] };
      }
      return { resource: result.row, userErrors: [] };
    },
  }),
);
