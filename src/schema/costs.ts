import { computeCosts, type COST_GROUPS, type CostBucket } from '../billing/costs.js';
import { validatePeriod } from '../billing/csv.js';
import { accountsArg } from './account-args.js';
import { builder } from './builder.js';
import { invalidPeriod } from './invoice.js';

export const CostGroupByEnum = builder.enumType('CostGroupBy', {
  description: 'How costs are grouped.',
  values: {
    ACCOUNT: { description: 'By account (key: the account slug; label: its name).' },
    TENANT: { description: 'By tenant (key: tenant slug).' },
    PROJECT: { description: 'By project (key: project provider id).' },
    KIND: { description: 'By resource kind (key: the kind in lower case).' },
    RESOURCE: { description: 'By resource (key: its urn).' },
  } as const satisfies Record<(typeof COST_GROUPS)[number], { description: string }>,
});

const CostBucketRef = builder.objectRef<CostBucket>('CostBucket').implement({
  description: "One group of a month's costs.",
  fields: (t) => ({
    key: t.exposeString('key', {
      nullable: true,
      description:
        'Account slug, tenant slug, project provider id, kind (lower case) or resource urn; null for the unattributed remainder (for a tenant-scoped key also for projects and resources outside its scope, which are never named).',
    }),
    label: t.exposeString('label', { description: 'Readable name of the group (tenant name, project name, kind, resource name) or of the remainder.' }),
    amount: t.field({ type: 'Decimal', description: "Sum of the group's invoice lines.", resolve: (b) => b.amount }),
    lineCount: t.exposeInt('lineCount', { description: 'Invoice lines in the group.' }),
  }),
});

builder.queryField('costs', (t) =>
  t.field({
    type: [CostBucketRef],
    description:
      'Invoice amounts for a billing month (YYYY-MM), grouped. The month counts once even when its invoice was ingested from several sources. ' +
      "A resource's tenant is the one in effect at the end of the month where its history covers that time; for a resource first seen after the month ended, its current tenant.",
    args: {
      period: t.arg.string({ required: true, description: 'Billing month, YYYY-MM (BAD_USER_INPUT otherwise).' }),
      groupBy: t.arg({ type: CostGroupByEnum, required: true, description: 'How to group the costs.' }),
      accountIds: t.arg.idList({ description: 'Only these accounts (default: every account the viewer may see).' }),
    },
    resolve: (_parent, args, ctx) => {
      if (!validatePeriod(args.period).ok) throw invalidPeriod(args.period);
      const accountIds = accountsArg(ctx, args.accountIds, 'accountIds');
      return computeCosts(ctx.db.prisma, args.period, args.groupBy, { accountIds, viewer: ctx.viewer });
    },
  }),
);
