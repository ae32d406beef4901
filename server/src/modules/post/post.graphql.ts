// Question and Answer types (sharing the Post interface), their queries and mutations.
import { encodeGlobalID as globalId } from '@pothos/plugin-relay';
import DataLoader from 'dataloader';
import { requestScoped, type Context } from '../../context.js';
import { builder } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { encodeCursor, pageWindow, toConnection, type Connection } from '../../lib/connection.js';
import { ValidationError } from '../../lib/errors.js';
import { op } from '../../lib/mongo-ops.js';
import { CommentRef } from '../comment/comment.refs.js';
import { answersLoader, commentsLoader, viewerVoteLoader } from '../loaders.js';
import { RevisionModel, type RevisionDoc } from '../revision/revision.model.js';
import { SpaceModel } from '../space/space.model.js';
import { SpaceRef } from '../space/space.refs.js';
import { TagRef } from '../tag/tag.refs.js';
import { AttributionRef } from '../user/user.graphql.js';
import { UserRef } from '../user/user.refs.js';
import type { PostDoc } from './post.model.js';
import { canAccept, canAnswer, canClose, canComment, canDeletePost, canEditPost, canVerify, canVote } from './post.policy.js';
import { AnswerRef, QuestionRef } from './post.refs.js';
import { checkFirst, topAnswerers, topAskers, type TagAnswerer, type TagAsker } from './post.stats.js';
import { Types } from 'mongoose';
import {
  countQuestions,
  findPostsByIds,
  listAnswersBy,
  listQuestions,
  matchesQuestionFilter,
  orderField,
  sortAnswers,
  toObjectId,
  type QuestionFilter,
} from './post.repository.js';
import { PostModel } from './post.model.js';
import {
  acceptAnswer,
  askQuestion,
  closeQuestion,
  deleteAnswer,
  deleteQuestion,
  postAnswer,
  recordView,
  reopenQuestion,
  rollbackRevision,
  setVerified,
  unacceptAnswer,
  updateAnswer,
  updateQuestion,
} from './post.service.js';
import { userIdByHandle, type HandleDeps } from '../user/user.handles.js';
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
  values: ['DUPLICATE', 'OFF_TOPIC', 'NEEDS_DETAILS', 'NEEDS_FOCUS', 'OPINION_BASED', 'RESOLVED', 'OTHER'] as const,
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
    viewerCanVote: t.boolean({ resolve: (p, _a, ctx) => canVote(ctx.viewer, p) }),
    viewerCanEdit: t.boolean({ resolve: (p, _a, ctx) => canEditPost(ctx.viewer, p) }),
    viewerCanDelete: t.boolean({ resolve: (p, _a, ctx) => canDeletePost(ctx.viewer, p) }),
    viewerCanComment: t.boolean({ resolve: (p, _a, ctx) => canComment(ctx.viewer, p) }),
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
  return requestScoped(
    ctx,
    'revisionsOfPost',
    () =>
      new DataLoader(async (ids: readonly string[]) => {
        const objectIds = ids.map((id) => toObjectId(id)).filter((id) => id !== null);
        const docs = (await RevisionModel.find({ postId: op.in(objectIds) })
          .sort({ postId: 1, number: 1 })
          .lean()) as RevisionDoc[];
        const groups = new Map<string, RevisionDoc[]>();
        for (const d of docs) groups.set(d.postId.toHexString(), [...(groups.get(d.postId.toHexString()) ?? []), d]);
        return ids.map((id) => groups.get(id) ?? []);
      }),
  );
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
    viewerCanAnswer: t.boolean({ resolve: (q, _a, ctx) => canAnswer(ctx.viewer, q) }),
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
          (await answersLoader(ctx).load(q)).filter((a) => !a.deletedAt),
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
  }),
});

export async function resolveQuestionFilter(
  input: { spaceSlug?: string | null; tag?: string | null; authorHandle?: string | null; unanswered?: boolean | null } | null | undefined,
  deps: HandleDeps,
): Promise<QuestionFilter | null> {
  const filter: QuestionFilter = {};
  if (!input) return filter;
  if (input.spaceSlug) {
    const space = await SpaceModel.findOne({ slug: input.spaceSlug.toLowerCase() }).select('_id').lean();
    if (!space) return null;
    filter.spaceId = space._id;
  }
  if (input.tag) filter.tag = input.tag.toLowerCase();
  if (input.authorHandle) {
    const userId = await userIdByHandle(deps, input.authorHandle);
    if (!userId) return null;
    filter.authorId = userId;
  }
  if (input.unanswered) filter.unanswered = true;
  return filter;
}

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

export async function questionsConnection(
  args: {
    first?: number | null;
    after?: string | null;
    last?: number | null;
    before?: string | null;
    filter?: Parameters<typeof resolveQuestionFilter>[0];
    orderBy?: 'NEWEST' | 'ACTIVE' | 'VOTES' | 'UNANSWERED' | null;
  },
  ctx: Context,
  known: QuestionFilter = {},
) {
  const order = args.orderBy ?? 'NEWEST';
  const window = pageWindow(args);
  const resolved = await resolveQuestionFilter(args.filter, ctx.deps);
  const filter = resolved ? { ...resolved, ...known } : null;
  const { listings } = ctx.deps.services;
  if (!filter) return { ...toConnection([] as PostDoc[], window, () => ''), totalCount: 0 };
  const field = orderField(order);
  const cursorOf = (q: PostDoc) => encodeCursor(q[field] as Date | number, q._id.toHexString());
  // precomputed listings (Redis, on FerretDB) when they keep this filter; else the database
  const listed = await listings.page(filter, order, window);
  if (listed) {
    const docs = await findPostsByIds(listed.ids);
    // an entry the listings have not caught up with yet (deleted, retagged…) is left out
    const rows = docs.filter((q): q is PostDoc => q !== null && matchesQuestionFilter(q, filter, order));
    return { ...toConnection(rows, window, cursorOf), totalCount: listed.total };
  }
  const rows = await listQuestions(filter, order, window);
  return { ...toConnection(rows, window, cursorOf), totalCount: () => countQuestions(filter, order) };
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

// ---------------------------------------------------------------------------------------------
// mutations

/** Decodes a global id of one of the given types; a wrong type or garbage is a VALIDATION error on `field`. */
export function rawId(globalId: string | number, types: string[], field: string): string {
  const id = String(globalId);
  let decoded = '';
  try {
    decoded = Buffer.from(id, 'base64').toString('utf8');
  } catch {
    decoded = '';
  }
  const i = decoded.indexOf(':');
  const type = decoded.slice(0, i);
  const raw = decoded.slice(i + 1);
  if (i > 0 && types.includes(type) && raw) return raw;
  throw new ValidationError(`is not the id of a ${types.join(' or ').toLowerCase()}`, field);
}

builder.relayMutationField(
  'askQuestion',
  {
    inputFields: (t) => ({
      spaceId: t.id({ required: false, description: 'The space (global id); or give spaceSlug' }),
      spaceSlug: t.string({ required: false }),
      title: t.string({ description: '15–150 characters' }),
      body: t.string({ description: 'Markdown, 30–30,000 characters' }),
      tags: t.stringList({ description: '1–5 tag names' }),
    }),
  },
  {
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        question: await askQuestion(ctx, {
          spaceId: input.spaceId ? rawId(input.spaceId, ['Space'], 'spaceId') : null,
          spaceSlug: input.spaceSlug,
          title: input.title,
          body: input.body,
          tags: input.tags,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'updateQuestion',
  {
    inputFields: (t) => ({
      questionId: t.id(),
      title: t.string({ required: false }),
      body: t.string({ required: false }),
      tags: t.stringList({ required: false }),
      editSummary: t.string({ required: false }),
    }),
  },
  {
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        question: await updateQuestion(ctx, {
          questionId: rawId(input.questionId, ['Question'], 'questionId'),
          title: input.title ?? undefined,
          body: input.body ?? undefined,
          tags: input.tags ?? undefined,
          editSummary: input.editSummary ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'deleteQuestion',
  { inputFields: (t) => ({ questionId: t.id() }) },
  {
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ question: await deleteQuestion(ctx, rawId(input.questionId, ['Question'], 'questionId')) })),
  },
  {
    outputFields: (t) => ({
      deletedQuestionId: t.id({ nullable: true, resolve: (p) => (p.question ? globalId('Question', p.question._id.toHexString()) : null) }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'postAnswer',
  { inputFields: (t) => ({ questionId: t.id(), body: t.string({ description: 'Markdown, 30–30,000 characters' }) }) },
  {
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        answer: await postAnswer(ctx, { questionId: rawId(input.questionId, ['Question'], 'questionId'), body: input.body }),
      })),
  },
  {
    outputFields: (t) => ({
      answer: t.field({ type: AnswerRef, nullable: true, resolve: (p) => p.answer ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'updateAnswer',
  { inputFields: (t) => ({ answerId: t.id(), body: t.string(), editSummary: t.string({ required: false }) }) },
  {
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        answer: await updateAnswer(ctx, {
          answerId: rawId(input.answerId, ['Answer'], 'answerId'),
          body: input.body,
          editSummary: input.editSummary ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      answer: t.field({ type: AnswerRef, nullable: true, resolve: (p) => p.answer ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'deleteAnswer',
  { inputFields: (t) => ({ answerId: t.id() }) },
  {
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ answer: await deleteAnswer(ctx, rawId(input.answerId, ['Answer'], 'answerId')) })),
  },
  {
    outputFields: (t) => ({
      deletedAnswerId: t.id({ nullable: true, resolve: (p) => (p.answer ? globalId('Answer', p.answer._id.toHexString()) : null) }),
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.answer?.questionId?.toHexString() ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

for (const [name, accept] of [
  ['acceptAnswer', true],
  ['unacceptAnswer', false],
] as const) {
  builder.relayMutationField(
    name,
    { inputFields: (t) => ({ answerId: t.id() }) },
    {
      resolve: (_r, { input }, ctx) =>
        asPayload(async () => (accept ? acceptAnswer : unacceptAnswer)(ctx, rawId(input.answerId, ['Answer'], 'answerId'))),
    },
    {
      outputFields: (t) => ({
        answer: t.field({ type: AnswerRef, nullable: true, resolve: (p) => p.answer ?? null }),
        question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
        errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
      }),
    },
  );
}

for (const [name, verified] of [
  ['verifyAnswer', true],
  ['unverifyAnswer', false],
] as const) {
  builder.relayMutationField(
    name,
    { inputFields: (t) => ({ answerId: t.id() }) },
    {
      resolve: (_r, { input }, ctx) =>
        asPayload(async () => ({ answer: await setVerified(ctx, rawId(input.answerId, ['Answer'], 'answerId'), verified) })),
    },
    {
      outputFields: (t) => ({
        answer: t.field({ type: AnswerRef, nullable: true, resolve: (p) => p.answer ?? null }),
        errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
      }),
    },
  );
}

builder.relayMutationField(
  'closeQuestion',
  { inputFields: (t) => ({ questionId: t.id(), reason: t.field({ type: CloseReasonEnum }), duplicateOfId: t.id({ required: false }) }) },
  {
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        question: await closeQuestion(ctx, {
          questionId: rawId(input.questionId, ['Question'], 'questionId'),
          reason: input.reason,
          duplicateOfId: input.duplicateOfId ? rawId(input.duplicateOfId, ['Question'], 'duplicateOfId') : undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'reopenQuestion',
  { inputFields: (t) => ({ questionId: t.id() }) },
  {
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ question: await reopenQuestion(ctx, rawId(input.questionId, ['Question'], 'questionId')) })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'rollbackRevision',
  { inputFields: (t) => ({ postId: t.id(), revision: t.int(), editSummary: t.string({ required: false }) }) },
  {
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        post: await rollbackRevision(ctx, {
          postId: rawId(input.postId, ['Question', 'Answer'], 'postId'),
          revision: input.revision,
          editSummary: input.editSummary ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      post: t.field({ type: PostInterface, nullable: true, resolve: (p) => p.post ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'recordQuestionView',
  { inputFields: (t) => ({ questionId: t.id() }) },
  {
    description: 'Counts a view of a question (once per viewer per hour). The web app calls it when it renders a question page.',
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        question: await recordView(ctx, decodeQuestionId(String(input.questionId)) ?? rawId(input.questionId, ['Question'], 'questionId')),
      })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

// ---------------------------------------------------------------------------------------------
// members' posts and experts

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
    resolve: async (user, args) => {
      const window = pageWindow(args);
      const rows = await listAnswersBy(user._id, window);
      return toConnection(rows, window, (a) => encodeCursor(a.createdAt, a._id.toHexString()));
    },
  }),
  topTags: t.field({
    type: [TagScoreRef],
    description: 'Tags this member is most active in (by questions and answers), with their post score.',
    args: { first: t.arg.int({ required: false, defaultValue: 10 }) },
    resolve: async (user, args) => topTagsOf(user._id, Math.min(Math.max(args.first ?? 10, 1), 50)),
  }),
}));

interface TagScore {
  name: string;
  posts: number;
  score: number;
}

const TagScoreRef = builder.objectRef<TagScore>('TagScore').implement({
  fields: (t) => ({
    tag: t.field({ type: TagRef, resolve: (s) => s.name }),
    name: t.exposeString('name'),
    postCount: t.int({ resolve: (s) => s.posts }),
    score: t.exposeInt('score'),
  }),
});

/** A member's tags: their questions' tags plus the tags of the questions they answered. */
async function topTagsOf(authorId: Types.ObjectId, limit: number): Promise<TagScore[]> {
  const posts = (await PostModel.find({ authorId, deletedAt: null }).select('type tags questionId score').limit(2000).lean()) as PostDoc[];
  const parents = await findPostsByIds([
    ...new Set(posts.filter((p) => p.type === 'answer' && p.questionId).map((p) => p.questionId!.toHexString())),
  ]);
  const tagsOf = new Map(parents.filter((q): q is PostDoc => q !== null).map((q) => [q._id.toHexString(), q.tags]));
  const totals = new Map<string, TagScore>();
  for (const p of posts) {
    const tags = p.type === 'question' ? p.tags : (tagsOf.get(p.questionId?.toHexString() ?? '') ?? []);
    for (const name of tags) {
      const entry = totals.get(name) ?? { name, posts: 0, score: 0 };
      entry.posts++;
      entry.score += p.score;
      totals.set(name, entry);
    }
  }
  return [...totals.values()].sort((a, b) => b.score - a.score || b.posts - a.posts || a.name.localeCompare(b.name)).slice(0, limit);
}

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
    resolve: (_r, args) => topAnswerers(args.tag.toLowerCase(), checkFirst(args.first)),
  }),
);

builder.objectFields(TagRef, (t) => ({
  topAskers: t.field({
    type: [TagAskerRef],
    description: 'Members whose questions in this tag score best (total score, then count).',
    args: { first: t.arg.int({ required: false, defaultValue: 5 }) },
    resolve: (tag, args) => topAskers(tag._id, checkFirst(args.first, 5)),
  }),
  topAnswerers: t.field({
    type: [ExpertRef],
    description:
      'Members whose answers in this tag score best (total score, then accepted answers, then count); the same ranking as `experts`.',
    args: { first: t.arg.int({ required: false, defaultValue: 5 }) },
    resolve: (tag, args) => topAnswerers(tag._id, checkFirst(args.first, 5)),
  }),
}));
