// Posts.xml index, read before every step (no writes): one small record per post — type,
// parent, owner, score — and, from them, each question's imported answers, whether one has a
// positive score, and whether its accepted answer is valid.
import type { ImportContext } from './context.js';

export async function indexPostsFile(ctx: ImportContext): Promise<void> {
  const { posts, answerIdsOf } = ctx.maps;
  const t0 = performance.now();
  await ctx.read(
    'index',
    'Posts',
    (row) => {
      posts.set(row.Id, {
        type: row.PostTypeId ?? 0,
        parent: row.ParentId ?? 0,
        owner: row.OwnerUserId,
        score: row.Score ?? 0,
        answers: 0,
        positive: false,
        accepted: row.AcceptedAnswerId ?? 0,
        created: row.CreationDate,
        deleted: row.DeletionDate !== undefined,
      });
    },
    async () => undefined,
  );
  for (const [id, p] of posts) {
    if (p.type !== 2 || p.deleted) continue;
    const q = posts.get(p.parent);
    if (!q || q.type !== 1 || q.deleted) continue;
    q.answers++;
    const listed = answerIdsOf.get(p.parent);
    if (listed) listed.push(id);
    else answerIdsOf.set(p.parent, [id]);
    if (p.score > 0) q.positive = true;
  }
  for (const [id, p] of posts) {
    if (p.type !== 1 || !p.accepted) continue;
    const a = posts.get(p.accepted);
    if (!a || a.type !== 2 || a.parent !== id || a.deleted) p.accepted = 0;
  }
  ctx.counts.posts = posts.size;
  for (const id of posts.keys()) {
    if (!ctx.isImportedPost(id)) continue;
    if (posts.get(id)!.type === 1) ctx.counts.questions++;
    else ctx.counts.answers++;
  }
  ctx.log(`indexed ${posts.size} posts of Posts.xml in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
