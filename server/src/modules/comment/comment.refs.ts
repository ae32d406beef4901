import { builder } from '../../graphql/builder.js';
import { NotFoundError } from '../../lib/errors.js';
import { findByIds } from '../../infra/mongo.js';
import { toObjectId } from '../post/post.repository.js';
import { visibleComments } from '../post/post.visibility.js';
import { CommentModel, type CommentDoc } from './comment.model.js';

export const CommentRef = builder.loadableNodeRef<CommentDoc, string, string>('Comment', {
  id: { resolve: (c) => c._id.toHexString() },
  load: async (ids, ctx) => {
    const docs = await findByIds<CommentDoc>(
      CommentModel,
      ids.map((id) => toObjectId(id)).filter((id) => id !== null),
    );
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    const visible = await visibleComments(
      ctx.viewer,
      ids.map((id) => byId.get(id) ?? null),
    );
    return visible.map((c) => c ?? new NotFoundError('The comment'));
  },
  // no `sort`: load() already answers in input order, and Pothos' sort step rejects the whole
  // batch when any entry is an Error (one hidden post would hide every post loaded with it)
});
