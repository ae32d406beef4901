// Verify (and repair) derived state against its facts. Writes are short sequences of
// single-document steps (no multi-document transactions); a crash between two steps leaves
// a counter or a ledger step behind. This recomputes every derived value from its facts:
//
//   vote reputation          the ledger events of a vote's current version (and of its post's
//                            deletion) all exist, and the vote's authorRep/voterRep equal them
//   accept reputation        the current acceptance (generation acceptGen) has its answerer and
//                            acceptor events; every earlier or withdrawn one has its undo events
//   bounty ledger, state     each bounty's offer debit and award credit exist; a question's active
//                            slot and the featured set name its active bounty (bounty/bounty.verify.ts)
//   post score               score = scoreBase + Σ vote values; upVotes/downVotes = vote counts
//   question answerCount     non-deleted answers
//   question isAnswered      an accepted answer, or a non-deleted answer with a positive score
//   post commentCount        non-deleted comments
//   post child lists         a question's answerIds and a post's commentIds list every answer and
//                            comment (deleted ones too); posts written without lists get them
//   space questionCount      non-deleted questions in the space
//   tag questionCount        non-deleted questions carrying the tag
//   user questionCount       non-deleted questions by the member
//   user answerCount         non-deleted answers by the member
//   user opening event       every member has the `join:<id>` ledger event
//   user reputation          users.reputation = Σ ledger deltas, and repSeq = the last event
//   tag stats, user stats    the stored rollups (top askers/answerers, top tags) are what the posts
//                            make; users ranking: members by reputation in Redis match the users
//
// Repairs are idempotent: ledger events use the same deterministic cause keys as the services
// (so a step is applied at most once) and counter writes are guarded by the values read.
//
// One checker per area: verify-votes.ts (vote reputation, post score), verify-accepts.ts (accept
// reputation), verify-posts.ts (post counters and child lists), verify-taxonomy.ts (space and tag
// counts), verify-users.ts (member counters, opening event, reputation), verify-rollups.ts (the
// rollups and the members ranking); verify-checks.ts holds what they share. Every database access
// goes through verify-store.ts (over the repositories).
import { checkAccepts } from './verify-accepts.js';
import { Tally, type VerifyDeps, type VerifyOptions, type VerifyResult } from './verify-checks.js';
import { checkPostCounters } from './verify-posts.js';
import { checkRanking, checkTagStats, checkUserStats } from './verify-rollups.js';
import { checkSpaces, checkTags } from './verify-taxonomy.js';
import { checkThreads } from './verify-threads.js';
import { checkUsers } from './verify-users.js';
import { checkPostScores, checkVotes } from './verify-votes.js';

import { verifyStore } from './verify-store.js';
import { checkBadges } from '../badge/badge.verify.js';
import { checkBounties } from '../bounty/bounty.verify.js';
import { checkCloseVotes, checkReviewQueues } from './verify-review.js';
import { checkFlags } from './verify-moderation.js';

export { CHECKS, type CheckName, type CheckResult, type VerifyDeps, type VerifyOptions, type VerifyResult } from './verify-checks.js';

const EXAMPLES = 5;

/** Recomputes derived state from its facts; with `repair`, fixes what drifted. */
export async function verifyConsistency(deps: VerifyDeps, options: VerifyOptions = {}): Promise<VerifyResult> {
  const repair = options.repair ?? false;
  const size = options.batchSize ?? 500;
  const tally = new Tally(options.examples ?? EXAMPLES);
  const changedPosts = new Set<string>();
  const store = verifyStore(deps.repos, deps.redis && deps.config ? { redis: deps.redis, config: deps.config } : null);
  // ledger steps first: they move users' reputation, which is checked last
  await checkVotes(store, deps, tally, repair, size);
  await checkAccepts(store, deps, tally, repair, size);
  await checkBounties(deps, tally, repair);
  await checkPostScores(store, tally, repair, size, changedPosts);
  await checkPostCounters(store, tally, repair, size, changedPosts);
  await checkThreads(store, tally, repair, size);
  await checkSpaces(store, tally, repair, size);
  await checkTags(store, tally, repair, size);
  await checkUsers(store, deps, tally, repair, size);
  // rollups last: from the facts as repaired above
  await checkTagStats(store, tally, repair, size);
  await checkUserStats(store, tally, repair, size);
  await checkRanking(store, tally, repair, size);
  await checkBadges(deps, tally, repair);
  await checkCloseVotes(deps, tally, repair);
  await checkReviewQueues(deps, tally, repair);
  await checkFlags(deps, tally, repair);
  if (changedPosts.size) {
    // the posts' versions were bumped (the search sweep catches up anyway); index them now
    const ids = [...changedPosts];
    for (let i = 0; i < ids.length; i += size) {
      await deps.services.events
        .postsChanged(ids.slice(i, i + size))
        .catch((error) => deps.log?.warn({ err: error }, 'verify: postsChanged failed'));
    }
  }
  const checks = [...tally.results.values()];
  return {
    checks,
    drift: checks.reduce((s, c) => s + c.drift, 0),
    repaired: checks.reduce((s, c) => s + c.repaired, 0),
    repair,
  };
}

// ---------------------------------------------------------------------------------------------
// report

/** A plain-text table of the checks (for the command line). */
export function formatVerifyReport(result: VerifyResult): string {
  const rows = result.checks.map((c) => [c.check, String(c.checked), String(c.drift), result.repair ? String(c.repaired) : '-']);
  const header = ['check', 'checked', 'drift', 'repaired'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const details = result.checks.filter((c) => c.examples.length);
  if (details.length) {
    out.push('');
    for (const c of details) {
      out.push(`${c.check}${c.drift > c.examples.length ? ` (first ${c.examples.length} of ${c.drift})` : ''}:`);
      for (const e of c.examples) out.push(`  ${result.repair ? 'fixed ' : ''}${e}`);
    }
  }
  out.push('');
  if (result.drift === 0) out.push('No drift: every derived value matches its facts.');
  else if (result.repair) out.push(`Drift in ${result.drift} item(s); repaired ${result.repaired}.`);
  else out.push(`Drift in ${result.drift} item(s). Run with --repair to fix it.`);
  return out.join('\n');
}
