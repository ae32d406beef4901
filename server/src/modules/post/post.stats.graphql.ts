// Members' posts and top tags, and a tag's most active members (experts).
import type { Context } from '../../context.js';
import { builder } from '../../graphql/builder.js';
import { noteReads } from '../../graphql/request-scoped.js';
import { pageWindow } from '../../lib/connection.js';
import { reposOf } from '../services.js';
import { TagRef } from '../tag/tag.refs.js';
import { UserRef } from '../user/user.refs.js';
import { QuestionOrderEnum, questionsConnection } from './post.graphql.js';
import { listAnswersOf, topTagsOf, type TagScore } from './post.reads.js';
import { AnswerRef, QuestionRef } from './post.refs.js';
import { checkFirst, topAnswerers, topAskers, type TagAnswerer, type TagAsker } from './post.stats.js';

/** The posts repository, noting that the answer depends on every post (statistics). */
function postsFor(ctx: Context) {
  noteReads(ctx, ['list:posts']);
  return reposOf(ctx).posts;
}

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
    resolve: (user, args, ctx) => topTagsOf(ctx, user._id, Math.min(Math.max(args.first ?? 10, 1), 50)),
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
    resolve: (_r, args, ctx) => topAnswerers(postsFor(ctx), args.tag.toLowerCase(), checkFirst(args.first)),
  }),
);

builder.objectFields(TagRef, (t) => ({
  topAskers: t.field({
    type: [TagAskerRef],
    description: 'Members whose questions in this tag score best (total score, then count).',
    args: { first: t.arg.int({ required: false, defaultValue: 5 }) },
    resolve: (tag, args, ctx) => topAskers(postsFor(ctx), tag._id, checkFirst(args.first, 5)),
  }),
  topAnswerers: t.field({
    type: [ExpertRef],
    description:
      'Members whose answers in this tag score best (total score, then accepted answers, then count); the same ranking as `experts`.',
    args: { first: t.arg.int({ required: false, defaultValue: 5 }) },
    resolve: (tag, args, ctx) => topAnswerers(postsFor(ctx), tag._id, checkFirst(args.first, 5)),
  }),
}));
