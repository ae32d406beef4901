// Question and Answer types (sharing the Post interface) and their queries. Mutations are in
// post.mutations.graphql.ts, members' and tags' post statistics in post.stats.graphql.ts.
import DataLoader from 'dataloader';
import type { Context } from '../../context.js';
import { requestScoped } from '../../graphql/request-scoped.js';
import { builder } from '../../graphql/builder.js';
import { encodeCursor, pageWindow, toConnection, type Connection } from '../../lib/connection.js';
import { ValidationError } from '../../lib/errors.js';
import { toObjectId } from '../../lib/ids.js';
import { CommentRef } from '../comment/comment.refs.js';
import { answersLoader, commentsLoader, viewerVoteLoader } from '../loaders.js';
import type { RevisionDoc } from '../revision/revision.model.js';
import { SpaceRef } from '../space/space.refs.js';
import { TagRef } from '../tag/tag.refs.js';
import { AttributionRef } from '../user/user.graphql.js';
import { UserRef } from '../user/user.refs.js';
import type { PostDoc } from './post.model.js';
import {
  canAccept,
  canAnswer,
  canClose,
  canComment,
  canDeletePost,
  canEditPost,
  canSeePost,
  canVerify,
  canVote,
  isLocked,
} from './post.policy.js';
import { viewerHasPrivilege } from '../moderation/member.js';
import { canWrite } from '../user/user.policy.js';
import { listQuestions, revisionsOfPosts, type QuestionFilterArgs } from './post.reads.js';
import { CLOSE_REASONS } from './post.rules.js';
import { AnswerRef, QuestionRef } from './post.refs.js';
import { sortAnswers, type QuestionFilter, type QuestionOrder } from './post.repository.js';
import { pendingViews } from './post.views.js';

export const VoteDirectionEnum = builder.enumType('VoteDirection', { values: ['UP', 'DOWN', 'NONE'] as const });
export const QuestionOrderEnum = builder.enumType('QuestionOrder', {
  values: {
    NEWEST: { description: 'Newest first' },
    ACTIVE: { description: 'Most recent activity first' },
    VOTES: { description: 'Highest score first' },
    UNANSWERED: { description: 'Questions without an accepted or upvoted answer, newest first' },
  } as const,
});
export const CloseReasonEnum = builder.enumType('CloseReason', {
  values: CLOSE_REASONS,
});

export function slugify(title: string): string {
  return (
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .replace(/-+$/, '') || 'question'
  );
}

// ---------------------------------------------------------------------------------------------
// Revision

export const RevisionRef = builder.objectRef<RevisionDoc>('Revision').implement({
  description: 'The state of a post after one edit (revision 1 is the original).',
  fields: (t) => ({
    id: t.id({ resolve: (r) => r._id.toHexString() }),
    number: t.exposeInt('number'),
    author: t.field({ type: UserRef, nullable: true, resolve: (r) => r.authorId?.toHexString() ?? null }),
    authorName: t.string({
      nullable: true,
      description: 'For imported revisions whose author is not a member',
      resolve: (r) => r.authorName ?? null,
    }),
    title: t.string({ nullable: true, resolve: (r) => r.title ?? null }),
    body: t.exposeString('body'),
    tags: t.exposeStringList('tags'),
    changed: t.exposeStringList('changed', { description: 'Which parts changed: title, body, tags' }),
    editSummary: t.string({ resolve: (r) => r.summary ?? '' }),
    rollbackOf: t.int({ nullable: true, resolve: (r) => r.rollbackOf ?? null }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
  }),
});

// ---------------------------------------------------------------------------------------------
// Post interface

export const PostInterface = builder.interfaceRef<PostDoc>('Post').implement({
  description: 'A question or an answer: votable, commentable, revisioned.',
  // every post is a node: `vote { subject { id } }` needs no fragment
  interfaces: [builder.nodeInterfaceRef()],
  resolveType: (p) => (p.type === 'question' ? 'Question' : 'Answer'),
  fields: (t) => ({
    body: t.exposeString('body', { description: 'Markdown source' }),
    bodyHTML: t.exposeString('bodyHTML', { description: 'Sanitized HTML rendered from body' }),
    author: t.field({ type: UserRef, resolve: (p) => p.authorId.toHexString() }),
    score: t.exposeInt('score'),
    upVoteCount: t.int({ resolve: (p) => p.upVotes }),
    downVoteCount: t.int({ resolve: (p) => p.downVotes }),
    commentCount: t.exposeInt('commentCount'),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => p.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (p) => p.updatedAt }),
    lastEditedAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.lastEditedAt ?? null }),
    lastEditor: t.field({ type: UserRef, nullable: true, resolve: (p) => p.lastEditorId?.toHexString() ?? null }),
    isDeleted: t.boolean({ resolve: (p) => !!p.deletedAt }),
    attribution: t.field({ type: AttributionRef, nullable: true, resolve: (p) => p.attribution ?? null }),
    viewerVote: t.field({
      type: VoteDirectionEnum,
      description: "The viewer's current vote (NONE when anonymous or not voted)",
      resolve: async (p, _a, ctx) => {
        const loader = viewerVoteLoader(ctx);
        const v = loader ? await loader.load(p._id.toHexString()) : 0;
        return v > 0 ? 'UP' : v < 0 ? 'DOWN' : 'NONE';
      },
    }),
    viewerCanVote: t.boolean({ resolve: (p, _a, ctx) => canVote(ctx.viewer, p, ctx.deps.services.clock.now()) }),
    viewerCanEdit: t.boolean({
      description: 'Its author, moderators, and members with the editWithoutReview privilege (others suggest edits)',
      resolve: async (p, _a, ctx) => {
        const now = ctx.deps.services.clock.now();
        if (canEditPost(ctx.viewer, p, now)) return true;
        if (!canWrite(ctx.viewer) || p.deletedAt || isLocked(p, now)) return false;
        return viewerHasPrivilege(ctx, 'editWithoutReview');
      },
    }),
    viewerCanDelete: t.boolean({ resolve: (p, _a, ctx) => canDeletePost(ctx.viewer, p) }),
    viewerCanComment: t.boolean({ resolve: (p, _a, ctx) => canComment(ctx.viewer, p, ctx.deps.services.clock.now()) }),
    comments: t.connection({
      type: CommentRef,
      description: 'Comments, oldest first',
      resolve: async (p, args, ctx) => {
        const window = pageWindow(args, 100);
        const all = (await commentsLoader(ctx).load(p)).filter((c) => !c.deletedAt);
        return arrayPage(all, window, (c) => c._id.toHexString());
      },
    }),
    revisions: t.connection({
      type: RevisionRef,
      description: 'Edit history, oldest first',
      resolve: async (p, args, ctx) => {
        const window = pageWindow(args, 50);
        const all = await revisionsLoader(ctx).load(p._id.toHexString());
        return arrayPage(all, window, (r) => String(r.number));
      },
    }),
  }),
});

/** Buffered views of several questions in one Redis round trip (per request). */
function pendingViewsLoader(ctx: Context): DataLoader<string, number> {
  return requestScoped(ctx, 'pendingViews', () => new DataLoader((ids: readonly string[]) => pendingViews(ctx.deps, ids)));
}

/** Revisions of several posts in one query (per request): no N+1 when a page lists answers' histories. */
function revisionsLoader(ctx: Context): DataLoader<string, RevisionDoc[]> {
  return requestScoped(ctx, 'revisionsOfPost', () => new DataLoader((ids: readonly string[]) => revisionsOfPosts(ctx, ids)));
}

/** Pages an in-memory list (bounded per parent) with cursors over the items' ids. */
function arrayPage<T>(all: T[], window: ReturnType<typeof pageWindow>, idOf: (item: T) => string): Connection<T> & { totalCount: number } {
  let start = 0;
  let end = all.length;
  if (window.cursor) {
    const at = all.findIndex((x) => idOf(x) === window.cursor!.id);
    if (at === -1) throw new ValidationError('the cursor does not belong to this list', window.backward ? 'before' : 'after');
    if (window.backward) end = at;
    else start = at + 1;
  }
  const rows = window.backward ? all.slice(Math.max(0, end - window.limit - 1), end).reverse() : all.slice(start, start + window.limit + 1);
  return { ...toConnection(rows, window, (x) => encodeCursor(null, idOf(x))), totalCount: all.length };
}

// ---------------------------------------------------------------------------------------------
// Question

QuestionRef.implement({
  description: 'A question asked in a space.',
  interfaces: [PostInterface],
  isTypeOf: (p) => (p as PostDoc).type === 'question',
  fields: (t) => ({
    title: t.string({ resolve: (q) => q.title ?? '' }),
    slug: t.string({ resolve: (q) => slugify(q.title ?? '') }),
    url: t.string({
      description: 'Canonical path: /questions/<id>/<slug>',
      resolve: (q) => `/questions/${q._id.toHexString()}/${slugify(q.title ?? '')}`,
    }),
    tags: t.field({ type: [TagRef], resolve: (q) => q.tags }),
    space: t.field({ type: SpaceRef, resolve: (q) => q.spaceId.toHexString() }),
    answerCount: t.exposeInt('answerCount'),
    viewCount: t.int({
      description: 'Views, counted once per viewer per hour (recent ones are added from a buffer).',
      resolve: async (q, _a, ctx) => q.viewCount + (await pendingViewsLoader(ctx).load(q._id.toHexString())),
    }),
    isAnswered: t.exposeBoolean('isAnswered'),
    isClosed: t.boolean({ resolve: (q) => !!q.closedAt }),
    closedAt: t.field({ type: 'DateTime', nullable: true, resolve: (q) => q.closedAt ?? null }),
    closeReason: t.field({ type: CloseReasonEnum, nullable: true, resolve: (q) => (q.closeReason as never) ?? null }),
    duplicateOf: t.field({ type: QuestionRef, nullable: true, resolve: (q) => q.duplicateOfId?.toHexString() ?? null }),
    lastActivityAt: t.field({ type: 'DateTime', resolve: (q) => q.lastActivityAt }),
    acceptedAnswer: t.field({ type: AnswerRef, nullable: true, resolve: (q) => q.acceptedAnswerId?.toHexString() ?? null }),
    verifiedAnswer: t.field({ type: AnswerRef, nullable: true, resolve: (q) => q.verifiedAnswerId?.toHexString() ?? null }),
    viewerCanAnswer: t.boolean({ resolve: (q, _a, ctx) => canAnswer(ctx.viewer, q, ctx.deps.services.clock.now()) }),
    viewerCanAccept: t.boolean({
      description: 'The viewer asked this question (and may accept an answer)',
      resolve: (q, _a, ctx) => canAccept(ctx.viewer, q),
    }),
    viewerCanClose: t.boolean({ resolve: (q, _a, ctx) => canClose(ctx.viewer, q) }),
    answers: t.connection({
      type: AnswerRef,
      description: 'Answers: accepted first, then verified, then by score, then oldest first.',
      resolve: async (q, args, ctx) => {
        const window = pageWindow(args, 30);
        const all = sortAnswers(
          q,
          (await answersLoader(ctx).load(q)).filter((a) => !a.deletedAt && canSeePost(ctx.viewer, a)),
        );
        return arrayPage(all, window, (a) => a._id.toHexString());
      },
    }),
  }),
});

// ---------------------------------------------------------------------------------------------
// Answer

AnswerRef.implement({
  description: 'An answer to a question.',
  interfaces: [PostInterface],
  isTypeOf: (p) => (p as PostDoc).type === 'answer',
  fields: (t) => ({
    question: t.field({ type: QuestionRef, resolve: (a) => a.questionId!.toHexString() }),
    isAccepted: t.boolean({
      resolve: async (a, _args, ctx) => {
        const question = await QuestionRef.getDataloader(ctx).load(a.questionId!.toHexString());
        return !!question.acceptedAnswerId?.equals(a._id);
      },
    }),
    isVerified: t.boolean({ resolve: (a) => !!a.verifiedAt }),
    verifiedBy: t.field({ type: UserRef, nullable: true, resolve: (a) => a.verifiedById?.toHexString() ?? null }),
    verifiedAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.verifiedAt ?? null }),
    url: t.string({ resolve: (a) => `/questions/${a.questionId!.toHexString()}/-#answer-${a._id.toHexString()}` }),
    viewerCanAccept: t.boolean({
      resolve: async (a, _args, ctx) => {
        if (!ctx.viewer) return false;
        const question = await QuestionRef.getDataloader(ctx).load(a.questionId!.toHexString());
        return canAccept(ctx.viewer, question, a);
      },
    }),
    viewerCanVerify: t.boolean({ resolve: (a, _args, ctx) => canVerify(ctx.viewer, a) }),
  }),
});

// ---------------------------------------------------------------------------------------------
// queries

export const QuestionFilterInput = builder.inputType('QuestionFilter', {
  fields: (t) => ({
    spaceSlug: t.string({ required: false }),
    tag: t.string({ required: false }),
    authorHandle: t.string({ required: false }),
    unanswered: t.boolean({ required: false, description: 'Only questions without an accepted or upvoted answer' }),
    featured: t.boolean({
      required: false,
      description: 'Only questions with an active bounty, newest bounty first (other filters and orderBy do not apply)',
    }),
  }),
});

builder.queryFields((t) => ({
  question: t.field({
    type: QuestionRef,
    nullable: true,
    args: { id: t.arg.id({ required: true, description: 'Global id (or the raw id in /questions/<id>/… URLs)' }) },
    resolve: async (_r, { id }, ctx) => {
      const raw = decodeQuestionId(String(id));
      if (!raw) return null;
      return QuestionRef.getDataloader(ctx)
        .load(raw)
        .catch(() => null);
    },
  }),
  questions: t.connection({
    type: QuestionRef,
    args: {
      filter: t.arg({ type: QuestionFilterInput, required: false }),
      orderBy: t.arg({ type: QuestionOrderEnum, required: false, defaultValue: 'NEWEST' }),
    },
    resolve: async (_r, args, ctx) => questionsConnection(args, ctx),
  }),
}));

/** A questions connection (the `questions` query and the lists of spaces, tags and members). */
export function questionsConnection(
  args: {
    first?: number | null;
    after?: string | null;
    last?: number | null;
    before?: string | null;
    filter?: QuestionFilterArgs | null;
    orderBy?: QuestionOrder | null;
  },
  ctx: Context,
  known: QuestionFilter = {},
) {
  return listQuestions(ctx, args.filter, args.orderBy ?? 'NEWEST', pageWindow(args), known);
}

/** Accepts a global id ("Question:<id>" base64) or a raw 24-hex id. */
export function decodeQuestionId(id: string): string | null {
  if (/^[0-9a-f]{24}$/i.test(id)) return id.toLowerCase();
  try {
    const decoded = Buffer.from(id, 'base64').toString('utf8');
    const [type, raw] = decoded.split(':');
    return type === 'Question' && raw && toObjectId(raw) ? raw : null;
  } catch {
    return null;
  }
}
