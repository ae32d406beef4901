// Verify: close/reopen/delete vote tallies on the questions against the votes (modules/review),
// and the review queues in Redis against the open review tasks.
import type { Types } from 'mongoose';
import type { CloseVoteDoc } from '../review/review.model.js';
import { queueMembers, replaceQueue } from '../review/review.queues.js';
import { REVIEW_QUEUES } from '../review/review.rules.js';
import { hex, type Tally, type VerifyDeps } from './verify-checks.js';

/** A question's closeVoteCount/reopenVoteCount/roundVoterIds = its current round's votes; deleteVoteCount = its delete round's. */
export async function checkCloseVotes(deps: VerifyDeps, tally: Tally, repair: boolean) {
  const { posts, closeVotes } = deps.repos;
  for (const questionId of await closeVotes.questionIds()) {
    const q = await posts.findById(questionId);
    if (!q) continue;
    tally.seen('close vote tally');
    const round = q.voteRound ?? 0;
    const current: CloseVoteDoc[] = await closeVotes.ofRound(q._id, q.closedAt ? 'REOPEN' : 'CLOSE', round);
    const deletes: CloseVoteDoc[] = await closeVotes.ofRound(q._id, 'DELETE', q.deleteRound ?? 0);
    const expected = {
      closeVoteCount: q.closedAt ? 0 : current.length,
      reopenVoteCount: q.closedAt ? current.length : 0,
      deleteVoteCount: deletes.length,
    };
    const ids = (list: Array<Types.ObjectId | string> | null | undefined) => [...(list ?? [])].map(String).sort().join(',');
    const same =
      (q.closeVoteCount ?? 0) === expected.closeVoteCount &&
      (q.reopenVoteCount ?? 0) === expected.reopenVoteCount &&
      (q.deleteVoteCount ?? 0) === expected.deleteVoteCount &&
      ids(q.roundVoterIds) === ids(current.map((v) => v.voterId)) &&
      ids(q.deleteVoterIds) === ids(deletes.map((v) => v.voterId));
    if (same) continue;
    tally.drift(
      'close vote tally',
      `question ${hex(q._id)}: close/reopen/delete ${q.closeVoteCount ?? 0}/${q.reopenVoteCount ?? 0}/${q.deleteVoteCount ?? 0}, votes say ${expected.closeVoteCount}/${expected.reopenVoteCount}/${expected.deleteVoteCount}`,
    );
    if (!repair) continue;
    await posts.updateIf(
      q._id,
      { voteRound: round },
      {
        $set: { ...expected, roundVoterIds: current.map((v) => v.voterId), deleteVoterIds: deletes.map((v) => v.voterId) },
        $inc: { version: 1 },
      },
    );
    tally.repaired('close vote tally');
  }
}

/** Each queue's Redis sorted set lists exactly its open tasks. */
export async function checkReviewQueues(deps: VerifyDeps, tally: Tally, repair: boolean) {
  if (!deps.redis || !deps.config) return;
  const queueDeps = { redis: deps.redis, config: deps.config };
  for (const queue of REVIEW_QUEUES) {
    tally.seen('review queues');
    const open = await deps.repos.reviewTasks.openOf(queue);
    const listed = await queueMembers(queueDeps, queue);
    const want = new Set(open.map((t) => t._id));
    const missing = open.filter((t) => !listed.has(t._id)).length;
    const extra = [...listed.keys()].filter((id) => !want.has(id)).length;
    if (missing === 0 && extra === 0) continue;
    tally.drift('review queues', `${queue}: ${missing} open task(s) not listed, ${extra} listed task(s) not open`);
    if (!repair) continue;
    await replaceQueue(queueDeps, queue, open);
    tally.repaired('review queues');
  }
}
