import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ForbiddenError, NotFoundError } from '../../lib/errors.js';
import { renderInlineMarkdown } from '../../lib/markdown.js';
import { withMentionLinks } from '../notification/mention.links.js';
import { toObjectId } from '../../lib/ids.js';
import { parseInput } from '../../lib/validate.js';
import { canComment } from '../post/post.policy.js';
import { publishActivity } from '../activity/activity.js';
import { postsChanged } from '../post/post.changes.js';
import { loadPost } from '../post/post.service.js';
import { visibleComments } from '../post/post.visibility.js';
import { reposOf, servicesOf } from '../services.js';
import { requireWriter } from '../user/user.service.js';
import { requireActiveMember } from '../moderation/member.js';
import { requireCommentAllowed } from '../moderation/limits.js';
import type { CommentDoc } from './comment.model.js';
import { canDeleteComment, canEditComment, canSeeComment } from './comment.policy.js';

const commentBody = z
  .string()
  .trim()
  .min(15, { error: 'must be at least 15 characters' })
  .max(600, { error: 'must be at most 600 characters' });

const addInput = z.object({ subjectId: z.string(), body: commentBody });

export async function addComment(ctx: Context, raw: z.input<typeof addInput>): Promise<CommentDoc> {
  const viewer = requireWriter(ctx);
  const input = parseInput(addInput, raw);
  const post = await loadPost(ctx, input.subjectId, 'post');
  if (!canComment(viewer, post)) throw new ForbiddenError('You cannot comment on this post.');
  await requireCommentAllowed(ctx, post, input.body);
  const { posts, comments } = reposOf(ctx);
  const now = servicesOf(ctx).clock.now();
  const comment = await comments.create({
    postId: post._id,
    questionId: post.questionId ?? post._id,
    authorId: new Types.ObjectId(viewer.id),
    body: input.body,
    bodyHTML: await withMentionLinks(ctx.deps, input.body, renderInlineMarkdown(input.body)),
    createdAt: now,
    updatedAt: now,
  });
  // the child list only where the post keeps one (see post.model.ts)
  await posts.update(post._id, {
    $inc: { commentCount: 1 },
    ...(Array.isArray(post.commentIds) ? { $addToSet: { commentIds: comment._id } } : {}),
  });
  const questionId = post.type === 'question' ? post._id : post.questionId!;
  await posts.update(questionId, { $set: { lastActivityAt: now }, $inc: { version: 1 } });
  // the question's activity moved: its thread, listings ("active") and search (its lastActivityAt) follow
  await postsChanged(ctx, questionId, post._id);
  await publishActivity(ctx, {
    type: 'comment.created',
    actorId: ctx.viewer?.id ?? null,
    subjectId: comment._id.toHexString(),
    questionId: comment.questionId.toHexString(),
    spaceId: post.spaceId?.toHexString() ?? null,
    data: { postId: comment.postId.toHexString() },
  });
  return comment;
}

async function loadComment(ctx: Context, id: string): Promise<CommentDoc> {
  const objectId = toObjectId(id);
  const { posts, comments } = reposOf(ctx);
  const found = objectId ? await comments.findById(objectId) : null;
  const [comment] = await visibleComments(posts, canSeeComment, ctx.viewer, [found]);
  if (!comment) throw new NotFoundError('The comment');
  return comment;
}

const updateInput = z.object({ commentId: z.string(), body: commentBody });

export async function updateComment(ctx: Context, raw: z.input<typeof updateInput>): Promise<CommentDoc> {
  await requireActiveMember(ctx);
  const input = parseInput(updateInput, raw);
  const comment = await loadComment(ctx, input.commentId);
  if (!canEditComment(ctx.viewer, comment)) throw new ForbiddenError('You cannot edit this comment.');
  const updated = await reposOf(ctx).comments.updateIfReturning(
    comment._id,
    { deletedAt: null },
    {
      $set: {
        body: input.body,
        bodyHTML: await withMentionLinks(ctx.deps, input.body, renderInlineMarkdown(input.body)),
        editedAt: servicesOf(ctx).clock.now(),
      },
    },
  );
  if (!updated) throw new NotFoundError('The comment');
  await postsChanged(ctx, comment.questionId, comment.postId);
  await publishActivity(ctx, {
    type: 'comment.updated',
    actorId: ctx.viewer?.id ?? null,
    subjectId: comment._id.toHexString(),
    questionId: comment.questionId.toHexString(),
    data: { postId: comment.postId.toHexString() },
  });
  return updated as CommentDoc;
}

export async function deleteComment(ctx: Context, commentId: string): Promise<CommentDoc> {
  const { viewer } = await requireActiveMember(ctx);
  const comment = await loadComment(ctx, commentId);
  if (!canDeleteComment(viewer, comment)) throw new ForbiddenError('You cannot delete this comment.');
  const deleted = await reposOf(ctx).comments.updateIfReturning(
    comment._id,
    { deletedAt: null },
    { $set: { deletedAt: servicesOf(ctx).clock.now(), deletedById: new Types.ObjectId(viewer.id) } },
  );
  if (!deleted) throw new NotFoundError('The comment');
  await reposOf(ctx).posts.update(comment.postId, { $inc: { commentCount: -1 } });
  await postsChanged(ctx, comment.questionId, comment.postId);
  await publishActivity(ctx, {
    type: 'comment.deleted',
    actorId: ctx.viewer?.id ?? null,
    subjectId: comment._id.toHexString(),
    questionId: comment.questionId.toHexString(),
    data: { postId: comment.postId.toHexString() },
  });
  return deleted as CommentDoc;
}
