// The `notifications` consumer of the activity stream (appended in activity.handlers.ts): who is
// told what, for every event, idempotent on the event id (repository: deterministic entry ids,
// grouped entries remember the events they counted). Also drives the live updates of question
// pages (graphql/pubsub.ts) and the auto-follows (you follow what you ask, answer or comment on).
//
// Rules: never for your own action; nobody is told about what they cannot see (the post's
// visibility for the recipient: modules/post/post.visibility.ts); a mention notifies once per
// post or comment (edits notify only newly mentioned members); a deleted source leaves the inboxes.
import type { AppDeps, Viewer } from '../../context.js';
import type { ActivityEvent, ActivityHandler } from '../activity/activity.js';
import type { CommentDoc } from '../comment/comment.model.js';
import { canSeeComment } from '../comment/comment.policy.js';
import type { PostDoc } from '../post/post.model.js';
import { visibleComments, visiblePost } from '../post/post.visibility.js';
import { userIdsByHandles } from '../user/user.handles.js';
import { mentionedHandles } from './notification.mentions.js';
import type { NotificationKind } from './notification.model.js';
import { enqueueNotificationMail } from '../mail/mail.service.js';

/** Activity types that change what a question page shows (its subscribers hear of them). */
const LIVE_TYPES = new Set([
  'question.updated',
  'question.closed',
  'question.reopened',
  'question.deleted',
  'answer.created',
  'answer.updated',
  'answer.accepted',
  'answer.unaccepted',
  'answer.verified',
  'answer.deleted',
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'vote.changed',
]);

/** Kinds that group while unread ("3 new answers on …"); mentions stay one entry each. */
const GROUPED: ReadonlySet<NotificationKind> = new Set(['ANSWER', 'COMMENT', 'EDIT', 'FOLLOWED_ACTIVITY']);

export const notificationsHandler: ActivityHandler = {
  name: 'notifications',
  handle: (deps, event) => handleNotificationEvent(deps, event),
};

const questionKey = (id: string) => `question:${id}`;

export async function handleNotificationEvent(deps: AppDeps, event: ActivityEvent): Promise<void> {
  if (event.questionId && LIVE_TYPES.has(event.type)) {
    deps.services.live.publishQuestionUpdate({
      questionId: event.questionId,
      type: event.type,
      subjectId: event.subjectId,
      actorId: event.actorId,
      at: event.at,
    });
  }
  const { posts, comments, notifications, follows } = deps.repos;
  const at = new Date(event.at);
  switch (event.type) {
    case 'question.created': {
      const question = await posts.findPost(event.subjectId);
      if (!question) return;
      if (event.actorId) await follows.follow(event.actorId, questionKey(event.subjectId));
      await deliver(deps, event, question, null, await mentionRecipients(deps, event.subjectId, question.body));
      return;
    }
    case 'answer.created': {
      const answer = await posts.findPost(event.subjectId);
      const question = answer?.questionId ? await posts.findPost(answer.questionId) : null;
      if (!answer || !question) return;
      const recipients = new Map<string, NotificationKind>();
      for (const id of await follows.followersOf(questionKey(question._id.toHexString()))) recipients.set(id, 'FOLLOWED_ACTIVITY');
      recipients.set(question.authorId.toHexString(), 'ANSWER');
      for (const id of await mentionRecipients(deps, event.subjectId, answer.body)) recipients.set(id, 'MENTION');
      if (event.actorId) await follows.follow(event.actorId, questionKey(question._id.toHexString()));
      await deliver(deps, event, answer, null, recipients);
      return;
    }
    case 'comment.created':
    case 'comment.updated': {
      const comment = await comments.findById(event.subjectId);
      const post = comment ? await posts.findPost(comment.postId) : null;
      if (!comment || !post) return;
      const recipients = new Map<string, NotificationKind>();
      if (event.type === 'comment.created') {
        recipients.set(post.authorId.toHexString(), 'COMMENT');
        const [thread] = await comments.findOfPosts([post]);
        for (const c of thread ?? []) if (!c.deletedAt) recipients.set(c.authorId.toHexString(), 'COMMENT');
        if (event.actorId) await follows.follow(event.actorId, questionKey(comment.questionId.toHexString()));
      }
      for (const id of await mentionRecipients(deps, event.subjectId, comment.body)) recipients.set(id, 'MENTION');
      await deliver(deps, event, post, comment, recipients);
      return;
    }
    case 'question.updated':
    case 'answer.updated': {
      const post = await posts.findPost(event.subjectId);
      if (!post) return;
      const recipients = new Map<string, NotificationKind>([[post.authorId.toHexString(), 'EDIT']]);
      for (const id of await mentionRecipients(deps, event.subjectId, post.body)) recipients.set(id, 'MENTION');
      await deliver(deps, event, post, null, recipients);
      return;
    }
    case 'answer.accepted':
    case 'answer.unaccepted':
    case 'answer.verified': {
      const answer = await posts.findPost(event.subjectId);
      if (!answer) return;
      const kind = event.type === 'answer.accepted' ? 'ACCEPTED' : event.type === 'answer.unaccepted' ? 'UNACCEPTED' : 'VERIFIED';
      await deliver(deps, event, answer, null, new Map([[answer.authorId.toHexString(), kind]]));
      return;
    }
    case 'bounty.awarded': {
      // modules/bounty: the answer's author hears of the bounty they received
      const answer = await posts.findPost(event.subjectId);
      if (!answer) return;
      await deliver(deps, event, answer, null, new Map([[answer.authorId.toHexString(), 'BOUNTY_AWARDED' as NotificationKind]]));
      return;
    }
    case 'answer.deleted':
    case 'comment.deleted':
      await notifications.removeSubject(event.subjectId, at);
      return;
    case 'question.deleted':
      await notifications.removeQuestion(event.subjectId, at);
      return;
    default:
      return;
  }
}

/** The members a text newly mentions (each once per post or comment, ever). */
async function mentionRecipients(deps: AppDeps, subjectId: string, body: string): Promise<string[]> {
  const handles = mentionedHandles(body);
  if (handles.length === 0) return [];
  const ids = [...(await userIdsByHandles(deps, handles)).values()].map((id) => id.toHexString());
  return deps.repos.notifications.newMentions(subjectId, ids);
}

/** A member as a viewer (for the visibility rules). */
async function viewersOf(deps: AppDeps, ids: readonly string[]): Promise<Map<string, Viewer>> {
  const users = await deps.repos.users.findManyByIds(ids);
  return new Map(
    users.map((u) => [
      u._id.toHexString(),
      { id: u._id.toHexString(), handle: u.handle, role: u.role, via: 'session', scopes: [] } as Viewer,
    ]),
  );
}

/** Tells each recipient (but the actor, and those who cannot see it) about `post` (and `comment`). */
async function deliver(
  deps: AppDeps,
  event: ActivityEvent,
  post: PostDoc,
  comment: CommentDoc | null,
  recipients: Map<string, NotificationKind> | string[],
): Promise<void> {
  const wanted = Array.isArray(recipients) ? new Map(recipients.map((id) => [id, 'MENTION' as NotificationKind])) : recipients;
  if (event.actorId) wanted.delete(event.actorId);
  if (wanted.size === 0) return;
  const viewers = await viewersOf(deps, [...wanted.keys()]);
  const questionId = post.type === 'question' ? post._id.toHexString() : (post.questionId?.toHexString() ?? null);
  for (const [recipientId, kind] of wanted) {
    const viewer = viewers.get(recipientId);
    if (!viewer) continue;
    if (!(await visiblePost(deps.repos.posts, viewer, post))) continue;
    if (comment && !(await visibleComments(deps.repos.posts, canSeeComment, viewer, [comment]))[0]) continue;
    const { doc, changed } = await deps.repos.notifications.notify({
      recipientId,
      kind,
      questionId,
      postId: post._id.toHexString(),
      subjectId: comment ? comment._id.toHexString() : post._id.toHexString(),
      actorId: event.actorId,
      eventId: event.id,
      at: new Date(event.at),
      group: GROUPED.has(kind),
    });
    if (!changed) continue;
    deps.services.live.publishNotificationAdded({ recipientId, notificationId: doc._id.toHexString() });
    await enqueueNotificationMail(deps, doc, {
      eventId: event.id,
      subjectId: comment ? comment._id.toHexString() : post._id.toHexString(),
    });
  }
}
