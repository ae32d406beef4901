import { builder } from '../../graphql/builder.js';
import { NotFoundError } from '../../lib/errors.js';
import { op } from '../../lib/mongo-ops.js';
import { canSeeComment } from '../post/post.policy.js';
import { toObjectId } from '../post/post.repository.js';
import { CommentModel, type CommentDoc } from './comment.model.js';

export const CommentRef = builder.loadableNodeRef<CommentDoc, string, string>('Comment', {
  id: { resolve: (c) => c._id.toHexString() },
  load: async (ids, ctx) => {
    const docs = (await CommentModel.find({
      _id: op.in(ids.map((id) => toObjectId(id)).filter((id) => id !== null)),
    }).lean()) as CommentDoc[];
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    return ids.map((id) => {
      const c = byId.get(id);
      return c && canSeeComment(ctx.viewer, c) ? c : new NotFoundError('The comment');
    });
  },
  // no `sort`: load() already answers in input order, and Pothos' sort step rejects the whole
  // batch when any entry is an Error (one hidden post would hide every post loaded with it)
});
