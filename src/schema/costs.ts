import { computeCosts, COST_GROUPS, type CostBucket } from '../billing/costs.js';
import { validatePeriod } from '../billing/csv.js';
import { accountsArg } from './account-args.js';
import { builder } from './builder.js';
import { invalidPeriod } from './invoice.js';

export const CostGroupByEnum = builder.enumType('CostGroupBy', { values: COST_GROUPS });

const CostBucketRef = builder.objectRef<CostBucket>('CostBucket').implement({
  fields: (t) => ({
    key: t.exposeString('key', {
      nullable: true,
      description:
        'Account slug, tenant slug, project provider id, kind (lower case) or resource urn; null for the unattributed remainder (for a tenant-scoped key also for projects and resources outside its scope, which are never named).',
    }),
    label: t.exposeString('label'),
    amount: t.field({ type: 'Decimal', resolve: (b) => b.amount }),
    lineCount: t.exposeInt('lineCount'),
  }),
});

builder.queryField('costs', (t) =>
  t.field({
    type: [CostBucketRef],
    description:
      'Invoice amounts for a billing month (YYYY-MM), grouped. The month counts once even when its invoice was ingested from several sources. ' +
      "A resource's tenant is the one in effect at the end of the month where its history covers that time; for a resource first seen after the month ended, its current tenant.",
    args: {
      period: t.arg.string({ required: true }),
      groupBy: t.arg({ type: CostGroupByEnum, required: true }),
      accountIds: t.arg.idList(),
    },
    resolve: (_parent, args, ctx) => {
      if (!validatePeriod(args.period).ok) throw invalidPeriod(args.period);
      const accountIds = accountsArg(ctx, args.accountIds, 'accountIds');
      return computeCosts(ctx.db.prisma, args.period, args.groupBy, { accountIds, viewer: ctx.viewer });
    },
  }),
);
