import { builder, needsScope } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { AttributionRef } from '../user/user.graphql.js';
import { UserRef } from '../user/user.refs.js';
import { rawId } from '../../lib/ids.js';
import { PostInterface } from '../post/post.graphql.js';
import { canDeleteComment, canEditComment } from './comment.policy.js';
import { visiblePostLoader } from '../loaders.js';
import { CommentRef } from './comment.refs.js';
import { addComment, deleteComment, updateComment } from './comment.service.js';

CommentRef.implement({
  description: 'A short remark on a question or an answer.',
  fields: (t) => ({
    body: t.exposeString('body', { description: 'Markdown source (inline)' }),
    bodyHTML: t.exposeString('bodyHTML'),
    author: t.field({ type: UserRef, resolve: (c) => c.authorId.toHexString() }),
    score: t.exposeInt('score'),
    createdAt: t.field({ type: 'DateTime', resolve: (c) => c.createdAt }),
    editedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.editedAt ?? null }),
    isDeleted: t.boolean({ resolve: (c) => !!c.deletedAt }),
    attribution: t.field({ type: AttributionRef, nullable: true, resolve: (c) => c.attribution ?? null }),
    post: t.field({
      type: PostInterface,
      nullable: true,
      // a deleted post stays hidden from those who may not see it, also through its comments
      resolve: async (c, _a, ctx) => {
        return visiblePostLoader(ctx).load(c.postId.toHexString());
      },
    }),
    viewerCanEdit: t.boolean({ resolve: (c, _a, ctx) => canEditComment(ctx.viewer, c) }),
    viewerCanDelete: t.boolean({ resolve: (c, _a, ctx) => canDeleteComment(ctx.viewer, c) }),
  }),
});

builder.relayMutationField(
  'addComment',
  {
    inputFields: (t) => ({
      subjectId: t.id({ description: 'The question or answer' }),
      body: t.string({ description: '15–600 characters' }),
    }),
  },
  {
    ...needsScope('write:comments'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        comment: await addComment(ctx, { subjectId: rawId(input.subjectId, ['Question', 'Answer'], 'subjectId'), body: input.body }),
      })),
  },
  {
    outputFields: (t) => ({
      comment: t.field({ type: CommentRef, nullable: true, resolve: (p) => p.comment ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'updateComment',
  { inputFields: (t) => ({ commentId: t.id(), body: t.string() }) },
  {
    ...needsScope('write:comments'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        comment: await updateComment(ctx, { commentId: rawId(input.commentId, ['Comment'], 'commentId'), body: input.body }),
      })),
  },
  {
    outputFields: (t) => ({
      comment: t.field({ type: CommentRef, nullable: true, resolve: (p) => p.comment ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'deleteComment',
  { inputFields: (t) => ({ commentId: t.id() }) },
  {
    ...needsScope('write:comments'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ comment: await deleteComment(ctx, rawId(input.commentId, ['Comment'], 'commentId')) })),
  },
  {
    outputFields: (t) => ({
      deletedCommentId: t.id({
        nullable: true,
        resolve: (p) => (p.comment ? Buffer.from(`Comment:${p.comment._id.toHexString()}`).toString('base64') : null),
      }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);
