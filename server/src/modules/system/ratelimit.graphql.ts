// `Query.rateLimit`: the hourly points budget of whoever asks, after this query's charge
// (GitHub's `rateLimit`; graphql/cost.ts prices a query, graphql/cost.plugin.ts charges it).
import { builder } from '../../graphql/builder.js';
import { pointsChargeOf, type PointsCharge } from '../../infra/rate-limit.js';

const RateLimitRef = builder.objectRef<PointsCharge>('RateLimit').implement({
  description:
    "The client's GraphQL points budget (per API token, signed-in member or anonymous address), after this query's charge. " +
    'A query costs its nodeCount / 100, rounded up, at least 1 point (docs/api.md).',
  fields: (t) => ({
    limit: t.int({ description: 'Points per hour.', resolve: (c) => c.limit }),
    cost: t.int({ description: 'Points this query cost.', resolve: (c) => c.cost }),
    remaining: t.int({ description: 'Points left in the current window.', resolve: (c) => c.remaining }),
    used: t.int({ description: 'Points spent in the current window, this query included.', resolve: (c) => c.used }),
    resetAt: t.field({ type: 'DateTime', description: 'When the window resets.', resolve: (c) => c.resetAt }),
    nodeCount: t.int({ description: 'The most nodes this query may return.', resolve: (c) => c.nodeCount }),
  }),
});

builder.queryField('rateLimit', (t) =>
  t.field({
    type: RateLimitRef,
    nullable: true,
    description: 'The points budget after this query (null when the request was not charged, e.g. outside HTTP).',
    resolve: (_root, _args, ctx) => pointsChargeOf(ctx.res) ?? null,
  }),
);
