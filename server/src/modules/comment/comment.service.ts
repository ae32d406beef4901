import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ForbiddenError, NotFoundError } from '../../lib/errors.js';
import { renderInlineMarkdown } from '../../lib/markdown.js';
import { findByIds } from '../../infra/mongo.js';
import { op } from '../../lib/mongo-ops.js';
import { parseInput } from '../../lib/validate.js';
import { PostModel, type PostDoc } from '../post/post.model.js';
import { canComment, canDeleteComment, canEditComment } from '../post/post.policy.js';
import { visibleComments, visiblePost } from '../post/post.visibility.js';
import { toObjectId } from '../post/post.repository.js';
import { servicesOf } from '../services.js';
import { requireWriter } from '../user/user.service.js';
import { CommentModel, type CommentDoc } from './comment.model.js';
import { findOneAndUpdateIf, updateById } from '../../infra/guarded-write.js';

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
  const post = await visiblePost(viewer, postId ? ((await PostModel.findById(postId).lean()) as PostDoc | null) : null);
  if (!post) throw new NotFoundError('The post');
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
  // the child list only where the post keeps one (see post.model.ts)
  await updateById(PostModel, post._id, {
    $inc: { commentCount: 1 },
    ...(Array.isArray(post.commentIds) ? { $addToSet: { commentIds: comment._id } } : {}),
  });
  const questionId = post.type === 'question' ? post._id : post.questionId!;
  await updateById(PostModel, questionId, { $set: { lastActivityAt: now }, $inc: { version: 1 } });
  // the question's activity moved: listings ("active") and search (its lastActivityAt) follow
  await servicesOf(ctx)
    .events.postsChanged([questionId.toHexString()])
    .catch((error) => ctx.log.warn({ err: error }, 'postsChanged event failed (the sweep will catch up)'));
  return comment.toObject() as CommentDoc;
}

async function loadComment(ctx: Context, id: string): Promise<CommentDoc> {
  const objectId = toObjectId(id);
  const found = objectId ? ((await CommentModel.findById(objectId).lean()) as CommentDoc | null) : null;
  const [comment] = await visibleComments(ctx.viewer, [found]);
  if (!comment) throw new NotFoundError('The comment');
  return comment;
}

const updateInput = z.object({ commentId: z.string(), body: commentBody });

export async function updateComment(ctx: Context, raw: z.input<typeof updateInput>): Promise<CommentDoc> {
  requireWriter(ctx);
  const input = parseInput(updateInput, raw);
  const comment = await loadComment(ctx, input.commentId);
  if (!canEditComment(ctx.viewer, comment)) throw new ForbiddenError('You cannot edit this comment.');
  const updated = await findOneAndUpdateIf<CommentDoc>(
    CommentModel,
    comment._id,
    { deletedAt: null },
    { $set: { body: input.body, bodyHTML: renderInlineMarkdown(input.body), editedAt: servicesOf(ctx).clock.now() } },
  );
  if (!updated) throw new NotFoundError('The comment');
  return updated as CommentDoc;
}

export async function deleteComment(ctx: Context, commentId: string): Promise<CommentDoc> {
  const viewer = requireWriter(ctx);
  const comment = await loadComment(ctx, commentId);
  if (!canDeleteComment(viewer, comment)) throw new ForbiddenError('You cannot delete this comment.');
  const deleted = await findOneAndUpdateIf<CommentDoc>(
    CommentModel,
    comment._id,
    { deletedAt: null },
    { $set: { deletedAt: servicesOf(ctx).clock.now(), deletedById: new Types.ObjectId(viewer.id) } },
  );
  if (!deleted) throw new NotFoundError('The comment');
  await updateById(PostModel, comment.postId, { $inc: { commentCount: -1 } });
  return deleted as CommentDoc;
}

/**
 * Comments of several posts (in their order), oldest first: read by id from the posts' child
 * lists, with one query by parent for posts that have no list yet.
 */
export async function findCommentsOfPosts(posts: ReadonlyArray<Pick<PostDoc, '_id' | 'commentIds'>>): Promise<CommentDoc[][]> {
  const listed = posts.filter((p) => Array.isArray(p.commentIds));
  const unlisted = posts.filter((p) => !Array.isArray(p.commentIds)).map((p) => p._id);
  const docs = [
    ...(await findByIds<CommentDoc>(
      CommentModel,
      listed.flatMap((p) => p.commentIds!),
    )),
    ...(unlisted.length ? ((await CommentModel.find({ postId: op.in(unlisted) }).lean()) as CommentDoc[]) : []),
  ].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.toHexString().localeCompare(b._id.toHexString()));
  const groups = new Map<string, CommentDoc[]>();
  for (const d of docs) {
    const key = d.postId.toHexString();
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return posts.map((p) => groups.get(p._id.toHexString()) ?? []);
}
