// Verify: votes against their ledger events (vote reputation) and posts' scores against their
// votes (post score).
import { voteAwardToAuthor, voteCostToVoter } from '../reputation/reputation.rules.js';
import { batches, hex, type LedgerStep, type Tally, type VerifyDeps } from './verify-checks.js';
import { fixPost } from './verify-posts.js';
import type { VerifyStore, VoteRow } from './verify-store.js';

/**
 * Each vote's current version n has its ledger events (the undo of version n-1's, then its own);
 * once its post is deleted, their reversal; and the vote's authorRep/voterRep equal them.
 */
export async function checkVotes(store: VerifyStore, deps: VerifyDeps, tally: Tally, repair: boolean, size: number) {
  const rules = deps.services.reputationRules;
  for await (const votes of batches(store.votePage, size)) {
    const live = votes.filter((v) => !v.imported);
    tally.seen('vote reputation', live.length);
    if (live.length === 0) continue;
    const posts = new Map((await store.votedPostsByIds(live.map((v) => v.postId))).map((p) => [hex(p._id), p]));
    const keysOf = (v: VoteRow) => {
      const base = `vote:${v._id}:${v.version}`;
      return [
        `vote:${v._id}:${v.version - 1}:author`,
        `vote:${v._id}:${v.version - 1}:voter`,
        `${base}:author-undo`,
        `${base}:voter-undo`,
        `${base}:author`,
        `${base}:voter`,
        `delete:${v._id}:${v.version}:author`,
        `delete:${v._id}:${v.version}:voter`,
      ];
    };
    const events = new Map((await store.ledgerDeltasByKeys(live.flatMap(keysOf))).map((e) => [e._id, e.delta]));
    for (const v of live) {
      const post = posts.get(hex(v.postId));
      if (!post) continue;
      const n = v.version;
      const base = `vote:${v._id}:${n}`;
      const subjectType = post.type === 'question' ? ('Question' as const) : ('Answer' as const);
      // what settling version n must have written (see vote.service.ts settleReputation)
      const prevAuthor = events.get(`vote:${v._id}:${n - 1}:author`) ?? 0;
      const prevVoter = events.get(`vote:${v._id}:${n - 1}:voter`) ?? 0;
      const award = voteAwardToAuthor(rules, post.type, v.value);
      const cost = voteCostToVoter(rules, post.type, v.value);
      const steps: LedgerStep[] = [];
      // once the post's deletion reversed this version, the vote is closed: never settle it again
      const closed = !!post.deletedAt && (events.has(`delete:${v._id}:${n}:author`) || events.has(`delete:${v._id}:${n}:voter`));
      if (!closed && prevAuthor !== 0 && !events.has(`${base}:author-undo`))
        steps.push({ key: `${base}:author-undo`, userId: post.authorId, nominal: -prevAuthor, reason: 'VOTE_REVERSED' });
      if (!closed && prevVoter !== 0 && !events.has(`${base}:voter-undo`))
        steps.push({ key: `${base}:voter-undo`, userId: v.userId, nominal: -prevVoter, reason: 'VOTE_REVERSED' });
      if (!closed && award !== 0 && !events.has(`${base}:author`)) {
        steps.push({
          key: `${base}:author`,
          userId: post.authorId,
          nominal: award,
          reason: v.value > 0 ? (post.type === 'question' ? 'QUESTION_UPVOTED' : 'ANSWER_UPVOTED') : 'POST_DOWNVOTED',
          capped: v.value > 0,
        });
      }
      if (!closed && cost !== 0 && !events.has(`${base}:voter`))
        steps.push({ key: `${base}:voter`, userId: v.userId, nominal: cost, reason: 'DOWNVOTED_ANSWER' });
      const settledBeforeRepair = steps.length === 0;
      let authorNow = events.get(`${base}:author`) ?? 0;
      let voterNow = events.get(`${base}:voter`) ?? 0;
      const at = deps.services.clock.now();
      if (repair && steps.length) {
        for (const step of steps) {
          const delta = await store.applyLedgerStep(deps, { ...step, subjectId: post._id, subjectType, at });
          if (step.key === `${base}:author`) authorNow = delta;
          if (step.key === `${base}:voter`) voterNow = delta;
        }
      }
      // a deleted post's votes give nothing: its reputation was reversed
      const deletion: LedgerStep[] = [];
      if (post.deletedAt) {
        if (authorNow !== 0 && !events.has(`delete:${v._id}:${n}:author`))
          deletion.push({ key: `delete:${v._id}:${n}:author`, userId: post.authorId, nominal: -authorNow, reason: 'POST_DELETED' });
        if (voterNow !== 0 && !events.has(`delete:${v._id}:${n}:voter`))
          deletion.push({ key: `delete:${v._id}:${n}:voter`, userId: v.userId, nominal: -voterNow, reason: 'POST_DELETED' });
      }
      const expectedAuthor = post.deletedAt ? 0 : authorNow;
      const expectedVoter = post.deletedAt ? 0 : voterNow;
      const fieldsOk = (v.authorRep ?? 0) === expectedAuthor && (v.voterRep ?? 0) === expectedVoter;
      if (settledBeforeRepair && deletion.length === 0 && fieldsOk) continue;
      const problems = [
        ...steps.map((s) => `missing ${s.key}`),
        ...deletion.map((s) => `missing ${s.key}`),
        ...(fieldsOk ? [] : [`authorRep/voterRep ${v.authorRep}/${v.voterRep}, ledger says ${expectedAuthor}/${expectedVoter}`]),
      ];
      tally.drift('vote reputation', `vote ${v._id} v${n}: ${problems.join('; ')}`);
      if (!repair) continue;
      for (const step of deletion) await store.applyLedgerStep(deps, { ...step, subjectId: post._id, subjectType, at });
      if (!fieldsOk || steps.length) await store.setVoteReputation(v._id, n, expectedAuthor, expectedVoter);
      tally.repaired('vote reputation');
    }
  }
}

/** score = scoreBase + Σ vote values; upVotes/downVotes count the votes (unless the score was imported). */
export async function checkPostScores(store: VerifyStore, tally: Tally, repair: boolean, size: number, changedPosts: Set<string>) {
  for await (const posts of batches(store.postScorePage, size)) {
    tally.seen('post score', posts.length);
    const votes = await store.votesOnPosts(posts.map((p) => p._id));
    const sums = new Map<string, { score: number; up: number; down: number }>();
    for (const v of votes) {
      const s = sums.get(hex(v.postId)) ?? { score: 0, up: 0, down: 0 };
      s.score += v.value;
      if (v.value > 0) s.up++;
      if (v.value < 0) s.down++;
      sums.set(hex(v.postId), s);
    }
    for (const p of posts) {
      const s = sums.get(hex(p._id)) ?? { score: 0, up: 0, down: 0 };
      const scoreBase = p.scoreBase ?? 0;
      const expected: Partial<Record<'score' | 'upVotes' | 'downVotes', number>> = { score: scoreBase + s.score };
      // imported scores (scoreBase) come without vote documents: their up/down split is not a fact here
      if (scoreBase === 0) {
        expected.upVotes = s.up;
        expected.downVotes = s.down;
      }
      const wrong = Object.entries(expected).filter(([k, v]) => p[k as 'score'] !== v);
      if (wrong.length === 0) continue;
      tally.drift('post score', `${p.type} ${hex(p._id)}: ${wrong.map(([k, v]) => `${k} ${p[k as 'score']} → ${v}`).join(', ')}`);
      if (repair && (await fixPost(store, p, Object.fromEntries(wrong), changedPosts))) tally.repaired('post score');
    }
  }
}
