import type { Context } from '../context.js';
import type { Prisma, ResourceEvent } from '../generated/prisma/client.js';
import type { ResourceEventMessage } from '../pubsub.js';
import { loadEventLabels } from '../events/labels.js';
import { referenceOf, type EventReference } from '../events/types.js';
import type { EventType } from '../domain/event-types.js';
import { eventScope, projectScope, syncRunScope, tenantScope } from '../scope.js';
import { accountsArg } from './account-args.js';
import { builder, decodeIdOf } from './builder.js';
import { ResourceEventTypeEnum, ResourceKindEnum } from './enums.js';
import { liveStream } from './live.js';
import { assertPageArgs, connectionSizes, namedConnection, type PageArgs } from './pagination.js';

export const ResourceEventRef = builder.prismaNode('ResourceEvent', {
  id: { field: 'sequence' },
  findUnique: (id, ctx) => ({ sequence: Number(id), AND: [eventScope(ctx)] }),
  nullable: true,
  description:
    'A change of a resource. A tenant-scoped key sees the events that happened while the resource was in its tenant, and only ' +
    'while the resource is still in its tenant; from/to naming another tenant or a project outside its scope are null for it.',
  fields: (t) => ({
    sequence: t.exposeInt('sequence', {
      description: 'Strictly increasing across all events; a client that reconnects asks for events after the last one it saw.',
    }),
    type: t.expose('type', { type: ResourceEventTypeEnum }),
    kind: t.expose('kind', { type: ResourceKindEnum, description: 'Kind of the resource.' }),
    resource: t.relation('resource'),
    from: t.string({
      nullable: true,
      description:
        'Previous value (status, lifecycle, tenant slug, project id) where the type has one. For a tenant-scoped key, null when it names another tenant or a project outside its scope.',
      resolve: (e, _args, ctx) => shownValue(ctx, e.type, e.from),
    }),
    to: t.string({ nullable: true, resolve: (e, _args, ctx) => shownValue(ctx, e.type, e.to) }),
    at: t.expose('at', { type: 'DateTime' }),
    syncRun: t.relation('syncRun', {
      nullable: true,
      description: 'The run that saw the change; null for operator changes, and always for a tenant-scoped key.',
      query: (_args, ctx) => ({ where: syncRunScope(ctx) }),
    }),
    actor: t.exposeString('actor', {
      nullable: true,
      description: 'Who made the change, for changes an operator made (API key id, "admin"); null for the sync.',
    }),
    reason: t.exposeString('reason', { nullable: true, description: "The operator's reason, where given." }),
  }),
});

export const ResourceEventConnection = namedConnection(ResourceEventRef, 'ResourceEvent');

export const ResourceEventFilterInput = builder.inputType('ResourceEventFilter', {
  fields: (t) => ({
    accountIds: t.idList({ description: 'Only these accounts (default: every account the viewer may see).' }),
    types: t.field({ type: [ResourceEventTypeEnum] }),
    kinds: t.field({ type: [ResourceKindEnum] }),
    tenantId: t.id({ description: 'Tenant of the resource when the event happened.' }),
    projectId: t.id({ description: 'Project of the resource when the event happened.' }),
    resourceId: t.id(),
    afterSequence: t.int({ description: 'Only events with a greater sequence.' }),
  }),
});

type EventFilterInput = typeof ResourceEventFilterInput.$inferInput;

/** A filter with its ids decoded and the viewer's scope applied; shared by the query and the subscriptions. */
type EventFilter = {
  /** The accounts the viewer may see, narrowed by `filter.accountIds`. */
  accountIds: ReadonlySet<string>;
  /** The rows the viewer may see (`eventScope`). */
  scope: Prisma.ResourceEventWhereInput;
  types: Set<string> | null;
  kinds: Set<string> | null;
  tenantId: string | null;
  /** A tenant-scoped viewer's tenant: live messages of other tenants are dropped without a read. */
  scopeTenantId: string | null;
  projectId: string | null;
  resourceId: string | null;
  afterSequence: number | null;
};

function decodeFilter(ctx: Context, filter: EventFilterInput | null | undefined, only: readonly EventType[] | null): EventFilter {
  let types: Set<string> | null = filter?.types ? new Set(filter.types) : null;
  if (only) types = new Set(only.filter((t) => !types || types.has(t)));
  return {
    accountIds: new Set(accountsArg(ctx, filter?.accountIds, 'filter.accountIds')),
    scope: eventScope(ctx),
    types,
    kinds: filter?.kinds ? new Set(filter.kinds) : null,
    tenantId: filter?.tenantId ? decodeIdOf('Tenant', String(filter.tenantId), 'filter.tenantId') : null,
    scopeTenantId: ctx.viewer.tenantId,
    projectId: filter?.projectId ? decodeIdOf('Project', String(filter.projectId), 'filter.projectId') : null,
    resourceId: filter?.resourceId ? decodeIdOf('Resource', String(filter.resourceId), 'filter.resourceId') : null,
    afterSequence: filter?.afterSequence ?? null,
  };
}

function eventWhere(f: EventFilter): Prisma.ResourceEventWhereInput {
  const and: Prisma.ResourceEventWhereInput[] = [f.scope, { accountId: { in: [...f.accountIds] } }];
  if (f.types) and.push({ type: { in: [...f.types] as EventType[] } });
  if (f.kinds) and.push({ kind: { in: [...f.kinds] as ResourceEvent['kind'][] } });
  if (f.tenantId) and.push({ tenantId: f.tenantId });
  if (f.projectId) and.push({ projectId: f.projectId });
  if (f.resourceId) and.push({ resourceId: f.resourceId });
  if (f.afterSequence != null) and.push({ sequence: { gt: f.afterSequence } });
  return { AND: and };
}

function eventMatches(f: EventFilter, m: ResourceEventMessage): boolean {
  return (
    f.accountIds.has(m.accountId) &&
    (!f.types || f.types.has(m.type)) &&
    (!f.kinds || f.kinds.has(m.kind)) &&
    (!f.tenantId || m.tenantId === f.tenantId) &&
    (!f.scopeTenantId || m.tenantId === f.scopeTenantId) &&
    (!f.projectId || m.projectId === f.projectId) &&
    (!f.resourceId || m.resourceId === f.resourceId) &&
    (f.afterSequence == null || m.sequence > f.afterSequence)
  );
}

/** A published message is the stored row as committed: no read is needed to yield it. */
function rowOf(m: ResourceEventMessage): ResourceEvent {
  return {
    sequence: m.sequence,
    accountId: m.accountId,
    resourceId: m.resourceId,
    type: m.type as ResourceEvent['type'],
    kind: m.kind as ResourceEvent['kind'],
    tenantId: m.tenantId,
    projectId: m.projectId,
    from: m.from,
    to: m.to,
    at: new Date(m.at),
    syncRunId: m.syncRunId,
    actor: m.actor,
    reason: m.reason,
  };
}

/**
 * What a live message yields: for an unscoped viewer the message itself; for a tenant-scoped
 * one the stored row read through `eventScope`, so an event of a resource that has left the
 * tenant since is not delivered.
 */
function liveRow(ctx: Context, f: EventFilter) {
  if (!f.scopeTenantId) return rowOf;
  return (m: ResourceEventMessage) => ctx.db.prisma.resourceEvent.findFirst({ where: { AND: [f.scope, { sequence: m.sequence }] } });
}

/** Rows of a catch-up read per query. */
const BACKLOG_PAGE = 500;

async function* backlogPages(ctx: Context, f: EventFilter): AsyncGenerator<ResourceEvent[]> {
  let after = f.afterSequence ?? 0;
  for (;;) {
    const page = await ctx.db.prisma.resourceEvent.findMany({
      where: eventWhere({ ...f, afterSequence: after }),
      orderBy: { sequence: 'asc' },
      take: BACKLOG_PAGE,
    });
    if (page.length) yield page;
    if (page.length < BACKLOG_PAGE) return;
    after = page[page.length - 1]!.sequence;
  }
}

/**
 * Committed events as they are published; with `afterSequence`, the stored events after it
 * first (catch-up after a reconnect), then live ones, each exactly once and in order.
 */
function eventStream(ctx: Context, filter: EventFilterInput | null | undefined, only: readonly EventType[] | null) {
  const f = decodeFilter(ctx, filter, only);
  return liveStream<ResourceEventMessage, ResourceEvent>({
    subscribe: (signal) => ctx.pubsub.subscribe('resourceEvent', signal),
    accept: (m) => eventMatches(f, m),
    load: liveRow(ctx, f),
    ...(f.afterSequence != null
      ? {
          backlog: () => backlogPages(ctx, f),
          keyOf: { item: (e: ResourceEvent) => e.sequence, message: (m: ResourceEventMessage) => m.sequence },
        }
      : {}),
  });
}

builder.queryFields((t) => ({
  resourceEvents: t.prismaConnection(
    {
      type: 'ResourceEvent',
      cursor: 'sequence',
      ...connectionSizes,
      args: { filter: t.arg({ type: ResourceEventFilterInput }) },
      description: 'Stored events, oldest first, so a client that reconnects catches up in order (filter.afterSequence).',
      totalCount: (_parent, args, ctx) => ctx.db.prisma.resourceEvent.count({ where: eventWhere(decodeFilter(ctx, args.filter, null)) }),
      resolve: (query, _parent, args, ctx) => {
        assertPageArgs(args);
        return ctx.db.prisma.resourceEvent.findMany({
          ...query,
          where: eventWhere(decodeFilter(ctx, args.filter, null)),
          orderBy: { sequence: 'asc' },
        });
      },
    },
    ResourceEventConnection,
  ),
}));

builder.prismaObjectField('Resource', 'events', (t) =>
  t.relatedConnection(
    'events',
    {
      cursor: 'sequence',
      ...connectionSizes,
      totalCount: true,
      description: "The resource's events, newest first.",
      query: (args, ctx) => {
        assertPageArgs(args as PageArgs);
        return { where: eventScope(ctx), orderBy: { sequence: 'desc' } };
      },
    },
    ResourceEventConnection,
  ),
);

const LIFECYCLE_TYPES = ['MISSED', 'STALE', 'REVIVED'] as const satisfies readonly EventType[];

builder.subscriptionFields((t) => ({
  resourceEvents: t.field({
    type: ResourceEventRef,
    description: 'Every resource event as the sync writes it.',
    args: { filter: t.arg({ type: ResourceEventFilterInput }) },
    subscribe: (_root, args, ctx) => eventStream(ctx, args.filter, null),
    resolve: (event: ResourceEvent) => event,
  }),
  resourceStatusChanged: t.field({
    type: ResourceEventRef,
    description: 'STATUS_CHANGED events only.',
    args: { filter: t.arg({ type: ResourceEventFilterInput }) },
    subscribe: (_root, args, ctx) => eventStream(ctx, args.filter, ['STATUS_CHANGED']),
    resolve: (event: ResourceEvent) => event,
  }),
  resourceLifecycleChanged: t.field({
    type: ResourceEventRef,
    description: 'MISSED, STALE and REVIVED events only.',
    args: { filter: t.arg({ type: ResourceEventFilterInput }) },
    subscribe: (_root, args, ctx) => eventStream(ctx, args.filter, LIFECYCLE_TYPES),
    resolve: (event: ResourceEvent) => event,
  }),
}));

/**
 * `from`/`to` as a viewer may see them. Tenants and projects are stored by id and shown by their
 * label as it is now (tenant slug, project provider id), and only when the viewer's scope holds
 * them (`tenantScope`, `projectScope`): a tenant-scoped key sees its own tenant named, never another.
 */
async function shownValue(ctx: Context, type: string, value: string | null): Promise<string | null> {
  const reference = referenceOf(type);
  if (value === null || reference === null) return value;
  return (await labelBatcher(ctx)(reference, value)) ?? null;
}

type LabelBatch = { ids: Record<EventReference, Set<string>>; done: Promise<Awaited<ReturnType<typeof loadEventLabels>>> };

/**
 * Labels of the ids asked for in the same tick, read in one go (two queries at most); nothing
 * is cached beyond it, so a long-lived subscription sees a renamed tenant or a moved project.
 */
function labelBatcher(ctx: Context): (reference: EventReference, id: string) => Promise<string | undefined> {
  const batcher = ctx.once('eventLabelBatcher', async () => {
    let pending: LabelBatch | null = null;
    return (reference: EventReference, id: string) => {
      if (!pending) {
        const ids = { tenant: new Set<string>(), project: new Set<string>() };
        const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
          pending = null;
          return loadEventLabels(ctx.db.prisma, { tenant: tenantScope(ctx), project: projectScope(ctx) }, ids);
        });
        pending = { ids, done };
      }
      pending.ids[reference].add(id);
      return pending.done.then((labels) => labels[reference].get(id));
    };
  });
  return (reference, id) => batcher.then((ask) => ask(reference, id));
}
