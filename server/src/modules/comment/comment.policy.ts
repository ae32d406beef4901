// Pure authorization rules for comments, shared by the comment service (enforcement),
// `viewerCan*` fields (hints) and comment visibility.
import type { Viewer } from '../../context.js';
import { canWrite, isModerator } from '../user/user.policy.js';
import type { CommentFacts } from '../post/post.visibility.js';

export type { CommentFacts };

export function canEditComment(viewer: Viewer | null, comment: CommentFacts): boolean {
  return canWrite(viewer) && !comment.deletedAt && (viewer.id === comment.authorId.toString() || isModerator(viewer));
}

export const canDeleteComment = canEditComment;

export function canSeeComment(viewer: Viewer | null, comment: CommentFacts): boolean {
  return !comment.deletedAt || isModerator(viewer) || viewer?.id === comment.authorId.toString();
}
