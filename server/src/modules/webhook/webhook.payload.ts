// What a delivery carries: `{ type, timestamp, data }` (Standard Webhooks' recommended shape),
// `data` describing the subject with the API's global ids, a link to its page, a title or an
// excerpt and the actor's handle. Built from the documents by id.
import type { Types } from 'mongoose';
import type { AppDeps } from '../../context.js';
import type { ActivityEvent } from '../activity/activity.js';
import { reposOf } from '../services.js';

export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The API's global id of a type + raw id. */
export const globalId = (type: string, raw: string | Types.ObjectId): string => Buffer.from(`${type}:${String(raw)}`).toString('base64');

const EXCERPT = 280;

function excerpt(markdown: string | null | undefined): string {
  const text = String(markdown ?? '')
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/[`*_>#[\]()!]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1)}…` : text;
}

interface PostLike {
  _id: Types.ObjectId;
  type: string;
  title?: string | null;
  body: string;
  score?: number | null;
  questionId?: Types.ObjectId | null;
  spaceId?: Types.ObjectId | null;
  deletedAt?: Date | null;
  closedAt?: Date | null;
  closeReason?: string | null;
}

/** The event's data: the subject (question, answer, comment, post), its question, space and actor. */
export async function eventData(deps: AppDeps, event: ActivityEvent): Promise<Record<string, unknown>> {
  const repos = reposOf(deps);
  const base = deps.config.publicUrl;
  const data: Record<string, unknown> = {};
  const [actor, question] = await Promise.all([
    event.actorId ? repos.users.findById(event.actorId, 'handle') : null,
    event.questionId ? (repos.posts.findById(event.questionId) as Promise<PostLike | null>) : null,
  ]);
  const questionUrl = (id: Types.ObjectId | string) => `${base}/questions/${String(id)}`;
  const questionData = (q: PostLike) => ({
    id: globalId('Question', q._id),
    title: q.title ?? '',
    url: questionUrl(q._id),
    score: q.score ?? 0,
    isClosed: !!q.closedAt,
    ...(q.closeReason ? { closeReason: q.closeReason } : {}),
  });
  if (question) data.question = questionData(question);
  const [kind] = event.type.split('.');
  if (kind === 'question' && question) {
    data.question = { ...questionData(question), excerpt: excerpt(question.body) };
  } else if (kind === 'answer') {
    const answer = (await repos.posts.findById(event.subjectId)) as PostLike | null;
    if (answer)
      data.answer = {
        id: globalId('Answer', answer._id),
        url: `${questionUrl(answer.questionId ?? '')}#answer-${answer._id.toHexString()}`,
        excerpt: excerpt(answer.body),
        score: answer.score ?? 0,
      };
  } else if (kind === 'comment') {
    const comment = await repos.comments.findById(event.subjectId);
    if (comment)
      data.comment = {
        id: globalId('Comment', comment._id),
        url: `${questionUrl(comment.questionId)}#comment-${comment._id.toHexString()}`,
        excerpt: excerpt(comment.body),
        postId: globalId(comment.postId.equals(comment.questionId) ? 'Question' : 'Answer', comment.postId),
      };
  } else if (kind === 'vote') {
    // aggregated: the post's score now, when the delivery is made
    const post = (await repos.posts.findById(event.subjectId)) as PostLike | null;
    if (post)
      data.post = {
        id: globalId(post.type === 'question' ? 'Question' : 'Answer', post._id),
        type: post.type,
        score: post.score ?? 0,
        url: post.type === 'question' ? questionUrl(post._id) : `${questionUrl(post.questionId ?? '')}#answer-${post._id.toHexString()}`,
      };
  } else {
    data.subjectId = event.subjectId;
  }
  if (event.spaceId) {
    const space = await repos.spaces.findById(event.spaceId);
    if (space) data.space = { id: globalId('Space', space._id), slug: space.slug, name: space.name, url: `${base}/spaces/${space.slug}` };
  }
  data.actor = actor ? { id: globalId('User', actor._id), handle: actor.handle, url: `${base}/users/${actor.handle}` } : null;
  if (event.data && kind !== 'vote') data.details = event.data;
  return data;
}

export async function buildPayload(deps: AppDeps, event: ActivityEvent): Promise<WebhookPayload> {
  return { type: event.type, timestamp: event.at, data: await eventData(deps, event) };
}
