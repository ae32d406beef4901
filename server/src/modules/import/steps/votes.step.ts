// Votes.xml → tallies (scores), vote documents for the votes that name their voter, and the
// day each accepted answer was accepted.
//
// Only up/down votes whose voter the dump names become vote documents (`imported: true`: they
// award no reputation, see users.step.ts); anonymous ones stay in the post's scoreBase (SCORES in
// posts.step.ts). Favourites (VoteTypeId 5, the only other kind that names its voter) become
// follows of the question (modules/follow: the member hears of its new answers). The other kinds
// are skipped, each with its reason in the summary.
import { emptyTally } from './import-maps.js';
import { skip, type ImportContext, type StepStats } from './context.js';

/** Why the vote types that are not imported are left out (the summary's reasons). */
const NOT_IMPORTED: Record<number, string> = {
  4: 'offensive vote (VoteTypeId 4): flags are not imported',
  6: 'close vote (VoteTypeId 6): the closure itself comes from PostHistory',
  7: 'reopen vote (VoteTypeId 7): the reopening itself comes from PostHistory',
  10: 'deletion vote (VoteTypeId 10): the dump holds no deleted posts; the deletion history comes from PostHistory',
  11: 'undeletion vote (VoteTypeId 11): the undeletion history comes from PostHistory',
  12: 'spam vote (VoteTypeId 12): flags are not imported',
  15: 'moderator review (VoteTypeId 15): review tasks are not imported',
  16: 'approved edit suggestion (VoteTypeId 16): the edit itself comes from PostHistory',
};

/** favourites turned into follows per write */
const FOLLOWS_PER_WRITE = 1000;

export async function votesStep(ctx: ImportContext, write: boolean, stats: StepStats): Promise<void> {
  const { posts, tallies, acceptedAt } = ctx.maps;
  const votes = ctx.writer('votes', write);
  const seen = new Set<string>();
  let favourites: Array<{ memberId: string; subject: string }> = [];
  const writeFollows = async () => {
    const batch = favourites;
    favourites = [];
    if (write && batch.length) ctx.counts.follows += await ctx.store.addFollows(batch);
  };
  const flushAll = async () => {
    await ctx.flush(votes, stats, 'vote');
    await writeFollows();
  };
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
      if (type === 5) {
        // a favourite: the member follows the question
        const memberId = ctx.userOid(row.UserId);
        if (!ctx.isQuestion(postId)) skip(stats, 'favourite of a post that is not an imported question');
        else if (!memberId) skip(stats, 'favourite of a member who is not imported');
        else {
          favourites.push({ memberId: memberId.toHexString(), subject: `question:${ctx.postOid(postId!).toHexString()}` });
          stats.imported++;
          if (favourites.length >= FOLLOWS_PER_WRITE) await writeFollows();
        }
        return;
      }
      if (type === 8 || type === 9) {
        // bounty start and close: the Bounties step turns them into bounties (steps/bounties.step.ts),
        // which reports its own skips
        stats.imported++;
        return;
      }
      if (type !== 1 && type !== 2 && type !== 3) {
        skip(stats, NOT_IMPORTED[type ?? 0] ?? `vote type ${type} (unknown to the importer)`);
        return;
      }
      if (!ctx.isImportedPost(postId)) {
        skip(stats, type === 1 ? 'acceptance of a post that is not imported' : 'vote on a post that is not imported');
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
