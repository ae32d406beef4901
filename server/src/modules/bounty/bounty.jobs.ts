// The worker's bounty job (server/src/worker.ts, each maintenance round): every active bounty
// whose grace period is over (by the injected clock, `deps.services.clock`) is settled — half of
// it to the highest-scored answer (score ≥ 2) posted after it started, else nobody
// (bounty.rules.ts). Idempotent: the status moves once (a write guarded on ACTIVE) and the credit
// has a deterministic ledger key, so a second run, or two workers at once, move nothing more.
import type { AppDeps } from '../../context.js';
import { publishActivity } from '../activity/activity.js';
import type { BountyDoc } from './bounty.model.js';
import { autoAwardAmount, autoAwardWinner } from './bounty.rules.js';
import { rebuildFeatured } from './bounty.reads.js';
import { settle } from './bounty.service.js';

const BATCH = 100;

/** One pass: returns how many bounties were auto-awarded and how many expired without an award. */
export async function runBountyExpiry(deps: AppDeps): Promise<{ awarded: number; expired: number }> {
  const { repos } = deps;
  // the featured read model after a flushed Redis (the lists' "+N" badges read it)
  if (repos.bounties.featured.enabled && !(await repos.bounties.featured.isBuilt())) await rebuildFeatured(deps);
  const now = deps.services.clock.now();
  let awarded = 0;
  let expired = 0;
  for (;;) {
    const due = await repos.bounties.bounties.dueBy(now, BATCH);
    let moved = 0;
    for (const bounty of due) {
      const result = await expireOne(deps, bounty, now);
      if (result === 'awarded') awarded++;
      if (result === 'expired') expired++;
      if (result) moved++;
    }
    // a full batch where nothing moved (others settle them concurrently) must not spin
    if (due.length < BATCH || moved === 0) break;
  }
  return { awarded, expired };
}

async function expireOne(deps: AppDeps, bounty: BountyDoc, now: Date): Promise<'awarded' | 'expired' | null> {
  const { posts } = deps.repos;
  const question = await posts.findPost(bounty.questionId);
  const [answers = []] = question && !question.deletedAt ? await posts.findAnswersOfQuestions([question], true) : [[]];
  const winner = autoAwardWinner(
    answers.map((a) => ({
      id: a._id.toHexString(),
      authorId: a.authorId.toHexString(),
      score: a.score,
      createdAt: a.createdAt,
      deleted: Boolean(a.deletedAt),
    })),
    { startedAt: bounty.startedAt, offeredBy: bounty.offeredBy.toHexString() },
  );
  const answer = winner ? answers.find((a) => a._id.toHexString() === winner.id)! : null;
  const updated = await deps.repos.bounties.bounties.updateIfReturning(
    bounty._id,
    { status: 'ACTIVE' },
    {
      $set: answer
        ? {
            status: 'AWARDED',
            awardedAnswerId: answer._id,
            awardedTo: answer.authorId,
            awardedAmount: autoAwardAmount(bounty.amount),
            awardedAt: now,
            awardedBy: 'AUTO',
          }
        : { status: 'EXPIRED', awardedAmount: 0, awardedAt: now, awardedBy: null },
      $inc: { version: 1 },
    },
  );
  if (!updated) return null; // settled meanwhile (an award, another worker)
  await settle(deps, updated);
  await publishActivity(
    { deps },
    {
      type: answer ? 'bounty.awarded' : 'bounty.expired',
      actorId: null,
      subjectId: answer ? answer._id.toHexString() : bounty.questionId.toHexString(),
      questionId: bounty.questionId.toHexString(),
      spaceId: question?.spaceId?.toHexString() ?? null,
      data: { bountyId: bounty._id.toHexString(), amount: updated.awardedAmount, awardedBy: answer ? 'AUTO' : null },
    },
  );
  return answer ? 'awarded' : 'expired';
}
