// Live updates in the API: `type Subscription { questionUpdated(id) notificationAdded }`, served
// over SSE by graphql-yoga, fed by Redis pub/sub (graphql/pubsub.ts) so an event published by any
// process reaches every api instance. Authorization per event: each event is re-read as the
// subscriber (a fresh per-event cache) and skipped when they may not see it.
import type { Context } from '../../context.js';
import { builder } from '../../graphql/builder.js';
import { rawId } from '../../lib/ids.js';
import { CommentRef } from '../comment/comment.refs.js';
import { visibleComments, visiblePost } from '../post/post.visibility.js';
import { AnswerRef, QuestionRef } from '../post/post.refs.js';
import { canSeeComment } from '../comment/comment.policy.js';
import { loadQuestion } from '../post/post.service.js';
import { reposOf, servicesOf } from '../services.js';
import { UserRef } from '../user/user.refs.js';
import { requireViewer } from '../user/user.service.js';
import type { PostDoc } from '../post/post.model.js';
import type { CommentDoc } from '../comment/comment.model.js';
import type { QuestionUpdatePayload } from '../../graphql/pubsub.js';
import { NotificationRef } from './notification.graphql.js';
import { notificationForSubscriber } from './notification.service.js';
import type { NotificationDoc } from './notification.model.js';

builder.subscriptionType({
  description: 'Live updates over Server-Sent Events (`Accept: text/event-stream`). API tokens need the `read` scope.',
  authScopes: { tokenScope: 'read' },
});

export const QUESTION_UPDATE_KINDS = [
  'QUESTION_UPDATED',
  'QUESTION_CLOSED',
  'QUESTION_REOPENED',
  'QUESTION_DELETED',
  'ANSWER_CREATED',
  'ANSWER_UPDATED',
  'ANSWER_ACCEPTED',
  'ANSWER_UNACCEPTED',
  'ANSWER_VERIFIED',
  'ANSWER_DELETED',
  'COMMENT_CREATED',
  'COMMENT_UPDATED',
  'COMMENT_DELETED',
  'VOTE_CHANGED',
] as const;
type QuestionUpdateKind = (typeof QUESTION_UPDATE_KINDS)[number];

const QuestionUpdateKindEnum = builder.enumType('QuestionUpdateKind', { values: QUESTION_UPDATE_KINDS });

interface QuestionUpdate {
  kind: QuestionUpdateKind;
  at: string;
  actorId: string | null;
  question: PostDoc;
  answer: PostDoc | null;
  comment: CommentDoc | null;
}

const QuestionUpdateRef = builder.objectRef<QuestionUpdate>('QuestionUpdate').implement({
  description: 'Something changed on a question’s page: refetch what you show of it.',
  fields: (t) => ({
    kind: t.field({ type: QuestionUpdateKindEnum, resolve: (u) => u.kind }),
    at: t.field({ type: 'DateTime', resolve: (u) => u.at }),
    question: t.field({ type: QuestionRef, description: 'The question as it is now', resolve: (u) => u.question }),
    answer: t.field({ type: AnswerRef, nullable: true, description: 'The answer it is about (if visible)', resolve: (u) => u.answer }),
    comment: t.field({ type: CommentRef, nullable: true, description: 'The comment it is about (if visible)', resolve: (u) => u.comment }),
    actor: t.field({ type: UserRef, nullable: true, resolve: (u) => u.actorId }),
  }),
});

/** One event as the subscriber may see it (null: skipped). */
async function questionUpdateFor(ctx: Context, payload: QuestionUpdatePayload): Promise<QuestionUpdate | null> {
  ctx.cache.clear(); // a fresh view per event: loaders must not serve what an earlier event read
  const { posts, comments } = reposOf(ctx);
  const question = await visiblePost(posts, ctx.viewer, await posts.findPost(payload.questionId));
  if (!question) return null;
  const kind = payload.type.replace('.', '_').toUpperCase() as QuestionUpdateKind;
  if (!QUESTION_UPDATE_KINDS.includes(kind)) return null;
  const deletion = kind.endsWith('_DELETED');
  let answer: PostDoc | null = null;
  let comment: CommentDoc | null = null;
  if (kind.startsWith('ANSWER_') || kind === 'VOTE_CHANGED') {
    const post = await posts.findPost(payload.subjectId);
    if (post?.type === 'answer') {
      answer = await visiblePost(posts, ctx.viewer, post);
      if (!answer && !deletion) return null;
    }
  } else if (kind.startsWith('COMMENT_')) {
    const found = await comments.findById(payload.subjectId);
    comment = found ? ((await visibleComments(posts, canSeeComment, ctx.viewer, [found]))[0] ?? null) : null;
    if (!comment && !deletion) return null;
  }
  return { kind, at: payload.at, actorId: payload.actorId, question, answer, comment };
}

async function* filtered<P, R>(source: AsyncIterable<P>, map: (p: P) => Promise<R | null>): AsyncGenerator<R> {
  for await (const payload of source) {
    const value = await map(payload);
    if (value !== null) yield value;
  }
}

builder.subscriptionFields((t) => ({
  questionUpdated: t.field({
    type: QuestionUpdateRef,
    description: 'Changes on one question’s page: answers, comments, votes, accepts, edits.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: async (_r, { id }, ctx) => {
      const question = await loadQuestion(ctx, rawId(id, ['Question'], 'id'));
      const questionId = question._id.toHexString();
      return filtered(servicesOf(ctx).live.questionUpdates(questionId), (p) => questionUpdateFor(ctx, p));
    },
    resolve: (update) => update as QuestionUpdate,
  }),
  notificationAdded: t.field({
    type: NotificationRef,
    description: 'The viewer’s inbox got an entry (or an unread group grew).',
    authScopes: { loggedIn: true },
    subscribe: (_r, _a, ctx) => {
      const viewer = requireViewer(ctx);
      return filtered(servicesOf(ctx).live.notificationsOf(viewer.id), async (p) => {
        ctx.cache.clear();
        return p.notificationId ? notificationForSubscriber(ctx, p.notificationId) : null;
      });
    },
    resolve: (doc) => doc as NotificationDoc,
  }),
}));
