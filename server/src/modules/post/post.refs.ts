import type { Context } from '../../context.js';
import { builder } from '../../graphql/builder.js';
import { noteReads } from '../../graphql/request-scoped.js';
import { NotFoundError } from '../../lib/errors.js';
import type { PostDoc } from './post.model.js';
import { visiblePosts } from './post.visibility.js';

/**
 * Questions and answers load through the same batch; what a viewer may not see (deleted
 * posts of others, wrong type) is NOT_FOUND — the same rule for `question(id)` and `node(id)`.
 */
function postLoader(type: 'question' | 'answer') {
  return async (ids: readonly string[], ctx: Pick<Context, 'viewer' | 'deps' | 'cache'>) => {
    noteReads(
      ctx,
      ids.map((id) => `posts:${id}`),
    );
    const posts = ctx.deps.repos.posts;
    const docs = await visiblePosts(
      posts,
      ctx.viewer,
      (await posts.findPostsByIds(ids)).map((d) => (d?.type === type ? d : null)),
    );
    return docs.map((d) => d ?? new NotFoundError(type === 'question' ? 'The question' : 'The answer'));
  };
}

export const QuestionRef = builder.loadableNodeRef<PostDoc, string, string>('Question', {
  id: { resolve: (p) => p._id.toHexString() },
  load: (ids, ctx) => postLoader('question')(ids, ctx),
  // no `sort`: load() already answers in input order, and Pothos' sort step rejects the whole
  // batch when any entry is an Error (one hidden post would hide every post loaded with it)
});

export const AnswerRef = builder.loadableNodeRef<PostDoc, string, string>('Answer', {
  id: { resolve: (p) => p._id.toHexString() },
  load: (ids, ctx) => postLoader('answer')(ids, ctx),
  // no `sort`: load() already answers in input order, and Pothos' sort step rejects the whole
  // batch when any entry is an Error (one hidden post would hide every post loaded with it)
});
