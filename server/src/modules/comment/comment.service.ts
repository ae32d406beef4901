import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ForbiddenError, NotFoundError } from '../../lib/errors.js';
import { renderInlineMarkdown } from '../../lib/markdown.js';
import { op } from '../../lib/mongo-ops.js';
import { parseInput } from '../../lib/validate.js';
import { PostModel, type PostDoc } from '../post/post.model.js';
import { canComment, canDeleteComment, canEditComment, canSeeComment, canSeePost } from '../post/post.policy.js';
import { toObjectId } from '../post/post.repository.js';
import { servicesOf } from '../services.js';
import { requireWriter } from '../user/user.service.js';
import { CommentModel, type CommentDoc } from './comment.model.js';

const commentBody = z
  .string()
  .trim()
  .min(15, { error: 'must be at least 15 characters' })
  .max(600, { error: 'must be at most 600 characters' });

const addInput = z.object({ subjectId: z.string(), body: commentBody });

export async function addComment(ctx: Context, raw: z.input<typeof addInput>): Promise<CommentDoc> {
  const viewer = requireWriter(ctx);
  const input = parseInput(addInput, raw);
  const postId = toObjectId(input.subjectId);
  const post = postId ? ((await PostModel.findById(postId).lean()) as PostDoc | null) : null;
  if (!post || !canSeePost(viewer, post)) throw new NotFoundError('The post');
  if (!canComment(viewer, post)) throw new ForbiddenError('You cannot comment on this post.');
  const now = servicesOf(ctx).clock.now();
  const comment = await CommentModel.create({
    postId: post._id,
    questionId: post.questionId ?? post._id,
    authorId: new Types.ObjectId(viewer.id),
    body: input.body,
    bodyHTML: renderInlineMarkdown(input.body),
    createdAt: now,
    updatedAt: now,
  });
  await PostModel.updateOne({ _id: post._id }, { $inc: { commentCount: 1 } });
  await PostModel.updateOne({ _id: post.type === 'question' ? post._id : post.questionId }, { $set: { lastActivityAt: now } });
  return comment.toObject() as CommentDoc;
}

async function loadComment(ctx: Context, id: string): Promise<CommentDoc> {
  const objectId = toObjectId(id);
  const comment = objectId ? ((await CommentModel.findById(objectId).lean()) as CommentDoc | null) : null;
  if (!comment || !canSeeComment(ctx.viewer, comment)) throw new NotFoundError('The comment');
  return comment;
}

const updateInput = z.object({ commentId: z.string(), body: commentBody });

export async function updateComment(ctx: Context, raw: z.input<typeof updateInput>): Promise<CommentDoc> {
  requireWriter(ctx);
  const input = parseInput(updateInput, raw);
  const comment = await loadComment(ctx, input.commentId);
  if (!canEditComment(ctx.viewer, comment)) throw new ForbiddenError('You cannot edit this comment.');
  const updated = await CommentModel.findOneAndUpdate(
    { _id: comment._id, deletedAt: null },
    { $set: { body: input.body, bodyHTML: renderInlineMarkdown(input.body), editedAt: servicesOf(ctx).clock.now() } },
    { returnDocument: 'after' },
  ).lean();
  if (!updated) throw new NotFoundError('The comment');
  return updated as CommentDoc;
}

export async function deleteComment(ctx: Context, commentId: string): Promise<CommentDoc> {
  const viewer = requireWriter(ctx);
  const comment = await loadComment(ctx, commentId);
  if (!canDeleteComment(viewer, comment)) throw new ForbiddenError('You cannot delete this comment.');
  const deleted = await CommentModel.findOneAndUpdate(
    { _id: comment._id, deletedAt: null },
    { $set: { deletedAt: servicesOf(ctx).clock.now(), deletedById: new Types.ObjectId(viewer.id) } },
    { returnDocument: 'after' },
  ).lean();
  if (!deleted) throw new NotFoundError('The comment');
  await PostModel.updateOne({ _id: comment.postId }, { $inc: { commentCount: -1 } });
  return deleted as CommentDoc;
}

/** Comments of several posts (one query), oldest first, grouped by post. */
export async function findCommentsOfPosts(postIds: readonly string[]): Promise<CommentDoc[][]> {
  const ids = postIds.map((id) => toObjectId(id)).filter((id): id is Types.ObjectId => id !== null);
  const docs = ids.length
    ? ((await CommentModel.find({ postId: op.in(ids) })
        .sort({ createdAt: 1, _id: 1 })
        .lean()) as CommentDoc[])
    : [];
  const groups = new Map<string, CommentDoc[]>();
  for (const d of docs) {
    const key = d.postId.toHexString();
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return postIds.map((id) => groups.get(id) ?? []);
}
