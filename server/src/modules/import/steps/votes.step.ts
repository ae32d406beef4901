// Votes.xml → tallies (scores), vote documents for the votes that name their voter, and the
// day each accepted answer was accepted.
//
// Only up/down votes whose voter the dump names become vote documents (`imported: true`: they
// award no reputation, see users.step.ts); anonymous ones stay in the post's scoreBase (SCORES in
// posts.step.ts).
import { emptyTally } from './import-maps.js';
import { skip, type ImportContext, type StepStats } from './context.js';

export async function votesStep(ctx: ImportContext, write: boolean, stats: StepStats): Promise<void> {
  const { posts, tallies, acceptedAt } = ctx.maps;
  const votes = ctx.writer('votes', write);
  const seen = new Set<string>();
  const flushAll = async () => void (await ctx.flush(votes, stats, 'vote'));
  await ctx.read(
    'Votes',
    'Votes',
    async (row) => {
      stats.rows++;
      ctx.counts.votes++;
      const postId = row.PostId;
      const type = row.VoteTypeId;
      if (type === 1 && ctx.isImportedPost(postId)) {
        // acceptance: AcceptedAnswerId says which answer; the vote says on which day
        if (row.CreationDate) acceptedAt.set(postId!, row.CreationDate);
        stats.imported++;
        return;
      }
      if ((type !== 2 && type !== 3) || !ctx.isImportedPost(postId)) {
        skip(stats, type !== 2 && type !== 3 ? `vote type ${type} (not an up or down vote)` : 'vote on a post that is not imported');
        return;
      }
      const post = posts.get(postId!)!;
      const value = type === 2 ? 1 : -1;
      const tally = tallies.get(postId!) ?? emptyTally();
      if (value > 0) tally.up++;
      else tally.down++;
      tallies.set(postId!, tally);
      stats.imported++;
      const voterId = ctx.userOid(row.UserId);
      if (!voterId) return;
      const _id = `${voterId.toHexString()}:${ctx.postOid(postId!).toHexString()}`;
      // one vote per member and post: the first one the dump lists is kept
      if (seen.has(_id)) return;
      seen.add(_id);
      tally.named += value;
      if (value > 0) tally.namedUp++;
      else tally.namedDown++;
      ctx.counts.materialisedVotes++;
      const at = row.CreationDate ?? post.created ?? new Date();
      const full = votes.add({
        _id,
        userId: voterId,
        postId: ctx.postOid(postId!),
        postAuthorId: ctx.userOid(post.owner) ?? ctx.placeholderId,
        postType: post.type === 1 ? 'question' : 'answer',
        value,
        version: 1,
        authorRep: 0,
        voterRep: 0,
        imported: true,
        createdAt: at,
        updatedAt: at,
      });
      if (full) await flushAll();
    },
    flushAll,
  );
}
