// Comments.xml → comments (and each post's comment count and comment Ids, written with the
// posts).
import { renderInlineMarkdown } from '../../../lib/markdown.js';
import { licenseFor, seObjectId } from '../se-mapping.js';
import { EMPTY_BODY, type ImportContext, type StepStats, skip } from './context.js';

export async function commentsStep(ctx: ImportContext, write: boolean, stats: StepStats): Promise<void> {
  const { posts, commentCounts, commentIdsOf } = ctx.maps;
  const comments = ctx.writer('comments', write);
  const flushAll = async () => void (await ctx.flush(comments, stats, 'comment'));
  await ctx.read(
    'Comments',
    'Comments',
    async (row) => {
      stats.rows++;
      const postId = row.PostId;
      if (postId === undefined || !ctx.isImportedPost(postId)) {
        skip(stats, 'comment on a post that is not imported');
        return;
      }
      const info = posts.get(postId)!;
      stats.imported++;
      ctx.counts.comments++;
      commentCounts.set(postId, (commentCounts.get(postId) ?? 0) + 1);
      const listed = commentIdsOf.get(postId);
      if (listed) listed.push(row.Id);
      else commentIdsOf.set(postId, [row.Id]);
      if (!write) return;
      const text = row.Text?.trim() ? row.Text : EMPTY_BODY;
      const createdAt = row.CreationDate ?? info.created ?? new Date();
      const full = comments.add({
        _id: seObjectId(ctx.site, 'comment', row.Id),
        postId: ctx.postOid(postId),
        questionId: ctx.postOid(info.type === 1 ? postId : info.parent),
        authorId: ctx.userOid(row.UserId) ?? ctx.placeholderId,
        body: text,
        bodyHTML: renderInlineMarkdown(text),
        score: row.Score ?? 0,
        deletedAt: null,
        deletedById: null,
        editedAt: null,
        attribution: ctx.attribution(
          String(row.Id),
          `https://${ctx.site}/posts/comments/${row.Id}`,
          row.UserId,
          row.UserDisplayName ?? (row.UserId !== undefined ? `user${row.UserId}` : undefined),
          licenseFor(row.ContentLicense, row.CreationDate),
        ),
        createdAt,
        updatedAt: createdAt,
      });
      if (full) await flushAll();
    },
    flushAll,
  );
}
