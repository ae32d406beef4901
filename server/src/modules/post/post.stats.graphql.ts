// Members' posts and top tags, and a tag's most active members (experts): every statistic is
// read from its rollup by `_id` (post.rollups.ts), never computed from the posts per request.
import { builder } from '../../graphql/builder.js';
import { pageWindow } from '../../lib/connection.js';
import { normalizeTag } from '../tag/tag.rules.js';
import { TagRef } from '../tag/tag.refs.js';
import { UserRef } from '../user/user.refs.js';
import { QuestionOrderEnum, questionsConnection } from './post.graphql.js';
import { listAnswersOf, topTagsOf } from './post.reads.js';
import { AnswerRef, QuestionRef } from './post.refs.js';
import { tagStatsOf } from './post.rollups.js';
import { checkFirst, type TagAnswerer, type TagAsker, type TagScore } from './post.stats.js';

builder.objectFields(UserRef, (t) => ({
  questions: t.connection({
    type: QuestionRef,
    description: 'Questions this member asked, newest first.',
    args: { orderBy: t.arg({ type: QuestionOrderEnum, required: false, defaultValue: 'NEWEST' }) },
    resolve: (user, args, ctx) => questionsConnection(args, ctx, { authorId: user._id }),
  }),
  answers: t.connection({
    type: AnswerRef,
    description: 'Answers this member wrote, newest first.',
    resolve: (user, args, ctx) => listAnswersOf(ctx, user._id, pageWindow(args)),
  }),
  topTags: t.field({
    type: [TagScoreRef],
    description: 'Tags this member is most active in (by questions and answers), with their post score.',
    args: { first: t.arg.int({ required: false, defaultValue: 10 }) },
    resolve: (user, args, ctx) => topTagsOf(ctx, user, Math.min(Math.max(args.first ?? 10, 1), 50)),
  }),
}));

const TagScoreRef = builder.objectRef<TagScore>('TagScore').implement({
  fields: (t) => ({
    tag: t.field({ type: TagRef, resolve: (s) => s.name }),
    name: t.exposeString('name'),
    postCount: t.int({ resolve: (s) => s.posts }),
    score: t.exposeInt('score'),
  }),
});

const ExpertRef = builder.objectRef<TagAnswerer>('Expert').implement({
  description: 'A member who answers well in a tag.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (e) => e.userId }),
    answerCount: t.exposeInt('answerCount'),
    score: t.exposeInt('score', { description: 'Total score of their answers in this tag' }),
    acceptedCount: t.exposeInt('acceptedCount'),
  }),
});

const TagAskerRef = builder.objectRef<TagAsker>('TagAsker').implement({
  description: 'A member who asks well-received questions in a tag.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (a) => a.userId }),
    questionCount: t.exposeInt('questionCount'),
    score: t.exposeInt('score', { description: 'Total score of their questions in this tag' }),
  }),
});

builder.queryField('experts', (t) =>
  t.field({
    type: [ExpertRef],
    description: 'Top answerers in a tag, by the total score of their answers there.',
    args: { tag: t.arg.string({ required: true }), first: t.arg.int({ required: false, defaultValue: 10 }) },
    resolve: async (_r, args, ctx) => {
      const first = checkFirst(args.first);
      return (await tagStatsOf(ctx, normalizeTag(args.tag))).answerers.slice(0, first);
    },
  }),
);

builder.objectFields(TagRef, (t) => ({
  topAskers: t.field({
    type: [TagAskerRef],
    description: 'Members whose questions in this tag score best (total score, then count).',
    args: { first: t.arg.int({ required: false, defaultValue: 5 }) },
    resolve: async (tag, args, ctx) => {
      const first = checkFirst(args.first, 5);
      return (await tagStatsOf(ctx, tag._id, tag)).askers.slice(0, first);
    },
  }),
  topAnswerers: t.field({
    type: [ExpertRef],
    description:
      'Members whose answers in this tag score best (total score, then accepted answers, then count); the same ranking as `experts`.',
    args: { first: t.arg.int({ required: false, defaultValue: 5 }) },
    resolve: async (tag, args, ctx) => {
      const first = checkFirst(args.first, 5);
      return (await tagStatsOf(ctx, tag._id, tag)).answerers.slice(0, first);
    },
  }),
}));
