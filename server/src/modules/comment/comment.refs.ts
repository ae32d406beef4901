import { builder } from '../../graphql/builder.js';
import { noteReads } from '../../graphql/request-scoped.js';
import { NotFoundError } from '../../lib/errors.js';
import { toObjectId } from '../../lib/ids.js';
import { visibleComments } from '../post/post.visibility.js';
import { reposOf } from '../services.js';
import type { CommentDoc } from './comment.model.js';
import { canSeeComment } from './comment.policy.js';

export const CommentRef = builder.loadableNodeRef<CommentDoc, string, string>('Comment', {
  id: { resolve: (c) => c._id.toHexString() },
  load: async (ids, ctx) => {
    noteReads(
      ctx,
      ids.map((id) => `comments:${id}`),
    );
    const { posts, comments } = reposOf(ctx);
    const docs = await comments.findManyByIds(ids.map((id) => toObjectId(id)).filter((id) => id !== null));
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    const visible = await visibleComments(
      posts,
      canSeeComment,
      ctx.viewer,
      ids.map((id) => byId.get(id) ?? null),
    );
    return visible.map((c) => c ?? new NotFoundError('The comment'));
  },
  // no `sort`: load() already answers in input order, and Pothos' sort step rejects the whole
  // batch when any entry is an Error (one hidden post would hide every post loaded with it)
});
