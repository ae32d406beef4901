// Pure authorization rules for questions and answers, shared by services (enforcement),
// `viewerCan*` fields (hints) and node visibility.
import type { Viewer } from '../../context.js';
import { canWrite, isModerator, isStaff } from '../user/user.policy.js';

export interface PostFacts {
  authorId: { toString(): string };
  type: 'question' | 'answer';
  deletedAt?: Date | null;
  answerCount?: number;
  closedAt?: Date | null;
  /** hidden pending review (flags): like deleted for everyone but its author and moderators */
  hiddenAt?: Date | null;
  lockedAt?: Date | null;
  lockedUntil?: Date | null;
}

/** A lock stands from lockedAt until lockedUntil (none: indefinitely); expiry is read lazily. */
export function isLocked(post: Pick<PostFacts, 'lockedAt' | 'lockedUntil'>, now: Date = new Date()): boolean {
  if (!post.lockedAt) return false;
  return !post.lockedUntil || new Date(post.lockedUntil).getTime() > now.getTime();
}

/** Locked posts take edits, votes and comments from moderators only. */
const lockedFor = (viewer: Viewer | null, post: PostFacts, now?: Date) => isLocked(post, now) && !isModerator(viewer);

const isAuthor = (viewer: Viewer, post: PostFacts) => viewer.id === post.authorId.toString();

/** Deleted posts are visible to their author and to moderators only. */
export function canSeePost(viewer: Viewer | null, post: PostFacts): boolean {
  if (!post.deletedAt && !post.hiddenAt) return true;
  return viewer !== null && (isAuthor(viewer, post) || isModerator(viewer));
}

export function canEditPost(viewer: Viewer | null, post: PostFacts, now?: Date): boolean {
  if (!canWrite(viewer) || post.deletedAt || lockedFor(viewer, post, now)) return false;
  return isAuthor(viewer, post) || isModerator(viewer);
}

/** Authors delete their question while it has no answers; moderators always. */
export function canDeletePost(viewer: Viewer | null, post: PostFacts): boolean {
  if (!canWrite(viewer) || post.deletedAt) return false;
  if (isModerator(viewer)) return true;
  if (!isAuthor(viewer, post)) return false;
  return post.type === 'answer' || (post.answerCount ?? 0) === 0;
}

/** Anyone signed in may vote, never on their own post, never on deleted posts. */
export function canVote(viewer: Viewer | null, post: PostFacts, now?: Date): boolean {
  return canWrite(viewer) && !post.deletedAt && !isAuthor(viewer, post) && !lockedFor(viewer, post, now);
}

export function canAnswer(viewer: Viewer | null, question: PostFacts, now?: Date): boolean {
  return canWrite(viewer) && !question.deletedAt && !question.closedAt && !lockedFor(viewer, question, now);
}

export function canComment(viewer: Viewer | null, post: PostFacts, now?: Date): boolean {
  return canWrite(viewer) && !post.deletedAt && !lockedFor(viewer, post, now);
}

/** Only the asker accepts (and unaccepts). */
export function canAccept(viewer: Viewer | null, question: PostFacts, answer?: PostFacts): boolean {
  if (!canWrite(viewer) || question.deletedAt || answer?.deletedAt) return false;
  return isAuthor(viewer, question);
}

/** Vendor engineers (STAFF) and admins verify answers. */
export function canVerify(viewer: Viewer | null, answer: PostFacts): boolean {
  return canWrite(viewer) && isStaff(viewer) && !answer.deletedAt;
}

export function canClose(viewer: Viewer | null, question: PostFacts): boolean {
  return canWrite(viewer) && isModerator(viewer) && !question.deletedAt;
}
