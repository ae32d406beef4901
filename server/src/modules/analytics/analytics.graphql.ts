import { builder } from '../../graphql/builder.js';
import { rawId } from '../../lib/ids.js';
import { checkFirst } from '../post/post.stats.js';
import { SpaceRef } from '../space/space.refs.js';
import { UserRef } from '../user/user.refs.js';
import { findPeople, spaceExperts, type PersonMatch } from './analytics.experts.js';
import type { SpaceExpert } from './analytics.model.js';
import { analyticsCsv, analyticsSpaces, communityAnalytics, type AnalyticsDayRow, type CommunityAnalytics } from './analytics.service.js';

const DayRef = builder.objectRef<AnalyticsDayRow>('AnalyticsDay').implement({
  description: 'One UTC day of a space’s figures (questions asked that day, answers written that day).',
  fields: (t) => ({
    day: t.exposeString('day'),
    questions: t.exposeInt('questions'),
    answered: t.exposeInt('answered'),
    unanswered: t.exposeInt('unanswered'),
    medianFirstAnswerMinutes: t.float({ nullable: true, resolve: (d) => d.medianFirstAnswerMinutes }),
    medianResolutionMinutes: t.float({ nullable: true, resolve: (d) => d.medianResolutionMinutes }),
    slaMet: t.exposeInt('slaMet'),
    slaBreached: t.exposeInt('slaBreached'),
    slaPending: t.exposeInt('slaPending'),
    answers: t.exposeInt('answers'),
    staffAnswers: t.exposeInt('staffAnswers'),
  }),
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
    csv: t.string({ description: 'The daily figures and the range’s totals as CSV (RFC 4180)', resolve: (a) => analyticsCsv(a) }),
  }),
});

const SpaceExpertRef = builder.objectRef<SpaceExpert>('SpaceExpert').implement({
  description: 'A member who answers well in a space.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (e) => e.userId }),
    answerCount: t.exposeInt('answerCount'),
    score: t.exposeInt('score', { description: 'Total score of their answers in this space' }),
    acceptedCount: t.exposeInt('acceptedCount'),
    verifiedCount: t.exposeInt('verifiedCount', { description: 'Their answers verified by the vendor' }),
  }),
});

const PersonTagRef = builder.objectRef<PersonMatch['tags'][number]>('PersonTagExpertise').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    answerCount: t.exposeInt('answerCount'),
    acceptedCount: t.exposeInt('acceptedCount'),
    score: t.exposeInt('score'),
  }),
});

const PersonMatchRef = builder.objectRef<PersonMatch>('PersonMatch').implement({
  description: 'A member found by skill, with why they match.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (m) => m.userId }),
    points: t.exposeInt('points', { description: 'The ranking’s points: profile skills, about text, answers in the tags' }),
    declaredSkills: t.exposeStringList('declared', { description: 'The words their profile lists as expertise' }),
    aboutMentions: t.exposeStringList('mentioned', { description: 'The words their about text names' }),
    tags: t.field({ type: [PersonTagRef], description: 'Their answers in the tags searched for', resolve: (m) => m.tags }),
  }),
});

builder.objectFields(SpaceRef, (t) => ({
  experts: t.field({
    type: [SpaceExpertRef],
    description: 'Members ranked by expertise here: accepted and verified answers, answers and their score (a rollup).',
    args: { first: t.arg.int({ required: false, defaultValue: 10 }) },
    resolve: (space, args, ctx) => spaceExperts(ctx, space._id, checkFirst(args.first)),
  }),
}));

builder.queryFields((t) => ({
  communityAnalytics: t.field({
    type: CommunityAnalyticsRef,
    description: 'The vendor’s engineers of the space and site admins only.',
    args: { spaceId: t.arg.id({ required: true }), from: t.arg.string({ required: true }), to: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) =>
      communityAnalytics(ctx, { spaceId: rawId(args.spaceId, ['Space'], 'spaceId'), from: args.from, to: args.to }),
  }),
  analyticsSpaces: t.field({
    type: [SpaceRef],
    description: 'The spaces whose analytics the viewer may see (none for most members).',
    resolve: async (_r, _a, ctx) => (await analyticsSpaces(ctx)).map((s) => s._id.toHexString()),
  }),
  people: t.field({
    type: [PersonMatchRef],
    description:
      'Members with a skill: profile expertise tags, their about text and their answers in the tag. Several words must all match.',
    args: { skill: t.arg.string({ required: true }), first: t.arg.int({ required: false, defaultValue: 20 }) },
    resolve: (_r, args, ctx) => findPeople(ctx, args.skill, checkFirst(args.first, 20)),
  }),
}));
