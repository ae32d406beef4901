// Votes.xml bounty votes → bounties (modules/bounty), as far as the dump tells:
//   VoteTypeId 8 (BountyStart): on the question, by UserId, BountyAmount offered;
//   VoteTypeId 9 (BountyClose): on the answer that received it, BountyAmount awarded.
// A start is paired with the first unused close on an answer of the same question within the
// bounty's 8 days (7 + the grace): AWARDED (by the offerer when the whole amount went, else
// automatically), else EXPIRED. Imported bounties move no reputation (`imported: true`): the
// dump's balances already include them (users.step.ts opens each ledger at the dump's
// reputation), so `npm run verify` stays clean. Deterministic ids: a second run writes nothing.
import { Types } from 'mongoose';
import { bountyWindow } from '../../bounty/bounty.rules.js';
import { seObjectId } from '../se-mapping.js';
import { skip, type ImportContext, type StepStats } from './context.js';

interface Start {
  voteId: number;
  questionId: number;
  userId: number | undefined;
  amount: number;
  at: Date;
}
interface Close {
  voteId: number;
  questionId: number;
  answerId: number;
  amount: number;
  at: Date;
  used: boolean;
}

const GRACE_END_MS = 8 * 24 * 3600_000;
/** dump dates of votes are truncated to the day: a close may carry the start's day */
const DAY_MS = 24 * 3600_000;

export async function bountiesStep(ctx: ImportContext, write: boolean, stats: StepStats): Promise<void> {
  const starts: Start[] = [];
  const closes = new Map<number, Close[]>();
  await ctx.read(
    'Bounties',
    'Votes',
    (row) => {
      const type = row.VoteTypeId;
      if (type !== 8 && type !== 9) return;
      stats.rows++;
      const at = row.CreationDate;
      const amount = row.BountyAmount ?? 0;
      if (type === 8) {
        if (!ctx.isQuestion(row.PostId)) return skip(stats, 'bounty start on a post that is not an imported question');
        if (!at || amount <= 0) return skip(stats, 'bounty start without a date or an amount');
        starts.push({ voteId: row.Id, questionId: row.PostId!, userId: row.UserId, amount, at });
        return;
      }
      // a close on the question itself: the bounty ended without an award (its start becomes EXPIRED)
      if (ctx.isQuestion(row.PostId)) {
        stats.imported++;
        return;
      }
      if (!at || amount <= 0) return skip(stats, 'bounty close on an answer without a date or an amount');
      const answer = row.PostId === undefined ? undefined : ctx.maps.posts.get(row.PostId);
      if (!answer || answer.type !== 2 || !ctx.isImportedPost(row.PostId))
        return skip(stats, 'bounty close on a post that is not an imported answer');
      const list = closes.get(answer.parent) ?? [];
      list.push({ voteId: row.Id, questionId: answer.parent, answerId: row.PostId!, amount, at, used: false });
      closes.set(answer.parent, list);
    },
    async () => undefined,
  );

  const bounties = ctx.deps.repos.bounties.bounties.insertBatch({ size: ctx.batchSize, enabled: write, trusted: true });
  const states = ctx.deps.repos.bounties.questions.insertBatch({ size: ctx.batchSize, enabled: write, trusted: true });
  const offers = new Map<number, Array<{ bountyId: Types.ObjectId; offeredBy: Types.ObjectId; amount: number; at: Date }>>();
  starts.sort((a, b) => a.at.getTime() - b.at.getTime() || a.voteId - b.voteId);
  for (const start of starts) {
    const offeredBy = ctx.userOid(start.userId);
    if (!offeredBy) {
      skip(stats, 'bounty start by a member who is not imported');
      continue;
    }
    const window = bountyWindow(start.at);
    const close = (closes.get(start.questionId) ?? []).find(
      (c) => !c.used && c.at.getTime() >= start.at.getTime() - DAY_MS && c.at.getTime() <= start.at.getTime() + GRACE_END_MS,
    );
    if (close) close.used = true;
    const answer = close ? ctx.maps.posts.get(close.answerId) : undefined;
    const awardedTo = answer ? ctx.userOid(answer.owner) : null;
    const _id = seObjectId(ctx.site, 'bounty', start.voteId);
    const questionId = ctx.postOid(start.questionId);
    stats.imported++;
    if (close) stats.imported++; // the close vote, folded into its bounty
    const full = bounties.add({
      _id,
      questionId,
      offeredBy,
      amount: start.amount,
      ...window,
      status: close ? 'AWARDED' : 'EXPIRED',
      awardedAnswerId: close ? ctx.postOid(close.answerId) : null,
      awardedTo: close ? awardedTo : null,
      awardedAmount: close?.amount ?? 0,
      awardedAt: close?.at ?? window.graceEndsAt,
      awardedBy: close ? (close.amount >= start.amount ? 'OFFERER' : 'AUTO') : null,
      imported: true,
      version: 1,
      createdAt: start.at,
      updatedAt: close?.at ?? start.at,
    });
    if (full) await ctx.flush(bounties, stats, 'bounty');
    const list = offers.get(start.questionId) ?? [];
    list.push({ bountyId: _id, offeredBy, amount: start.amount, at: start.at });
    offers.set(start.questionId, list);
  }
  for (const list of closes.values())
    for (const c of list) if (!c.used) skip(stats, 'bounty close without a matching bounty start in the dump');
  await ctx.flush(bounties, stats, 'bounty');
  for (const [questionId, list] of offers) {
    const full = states.add({
      _id: ctx.postOid(questionId),
      activeId: null,
      latestId: list[list.length - 1]!.bountyId,
      offers: list,
      createdAt: list[0]!.at,
      updatedAt: list[list.length - 1]!.at,
    });
    if (full) await ctx.flush(states, stats, 'question bounties');
  }
  await ctx.flush(states, stats, 'question bounties');
}
