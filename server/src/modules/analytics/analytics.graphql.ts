import { builder } from '../../graphql/builder.js';
import { rawId } from '../../lib/ids.js';
import { UserRef } from '../user/user.refs.js';
import { analyticsCsv, communityAnalytics, type CommunityAnalytics } from './analytics.service.js';

const DayRef = builder.objectRef<{ day: string; questions: number; answered: number }>('AnalyticsDay').implement({
  fields: (t) => ({ day: t.exposeString('day'), questions: t.exposeInt('questions'), answered: t.exposeInt('answered') }),
});

const ContributorRef = builder.objectRef<{ userId: string; answers: number; staff: boolean }>('AnalyticsContributor').implement({
  fields: (t) => ({
    user: t.field({ type: UserRef, nullable: true, resolve: (c) => c.userId }),
    answers: t.exposeInt('answers'),
    staff: t.exposeBoolean('staff', { description: 'a vendor engineer (or moderator/admin) rather than a community member' }),
  }),
});

const CommunityAnalyticsRef = builder.objectRef<CommunityAnalytics>('CommunityAnalytics').implement({
  description: 'A space’s community figures over a date range (UTC days), from the daily rollups.',
  fields: (t) => ({
    from: t.exposeString('from'),
    to: t.exposeString('to'),
    days: t.field({ type: [DayRef], resolve: (a) => a.days }),
    questions: t.exposeInt('questions'),
    answered: t.exposeInt('answered'),
    answerRate: t.float({ nullable: true, resolve: (a) => a.answerRate }),
    medianFirstAnswerMinutes: t.float({ nullable: true, resolve: (a) => a.medianFirstAnswerMinutes }),
    medianResolutionMinutes: t.float({ nullable: true, resolve: (a) => a.medianResolutionMinutes }),
    slaMet: t.exposeInt('slaMet'),
    slaBreached: t.exposeInt('slaBreached'),
    slaPending: t.exposeInt('slaPending'),
    slaAttainment: t.float({ nullable: true, resolve: (a) => a.slaAttainment }),
    unansweredBacklog: t.exposeInt('unansweredBacklog'),
    answers: t.exposeInt('answers'),
    staffAnswers: t.exposeInt('staffAnswers'),
    staffShare: t.float({ nullable: true, resolve: (a) => a.staffShare }),
    topContributors: t.field({ type: [ContributorRef], resolve: (a) => a.topContributors }),
    csv: t.string({ description: 'The daily figures as CSV', resolve: (a) => analyticsCsv(a) }),
  }),
});

builder.queryFields((t) => ({
  communityAnalytics: t.field({
    type: CommunityAnalyticsRef,
    description: 'The vendor’s engineers of the space and site admins only.',
    args: { spaceId: t.arg.id({ required: true }), from: t.arg.string({ required: true }), to: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) =>
      communityAnalytics(ctx, { spaceId: rawId(args.spaceId, ['Space'], 'spaceId'), from: args.from, to: args.to }),
  }),
}));
