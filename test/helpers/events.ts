import type { ResourceEventMessage } from '../../src/pubsub.js';

/** A droplet's status change (active → off) as a commit publishes it; `fields` override the ids. */
export function statusChangedMessage(fields: Pick<ResourceEventMessage, 'sequence'> & Partial<ResourceEventMessage>): ResourceEventMessage {
  return {
    accountId: '00000000-0000-4000-8000-000000000001',
    resourceId: '00000000-0000-4000-8000-000000000002',
    type: 'STATUS_CHANGED',
    kind: 'droplet',
    tenantId: null,
    projectId: null,
    from: 'active',
    to: 'off',
    at: new Date().toISOString(),
    syncRunId: null,
    actor: null,
    reason: null,
    ...fields,
  };
}
