// `npm run verify`: bounties against their ledger steps and read models (registered in
// maintenance/verify.service.ts, before the users' reputation check: repairs move reputation).
//
//   bounty ledger  every bounty (not imported) has its offer debit `bounty:<id>:offer`; an awarded
//                  one has its credit `bounty:<id>:award`; an ACTIVE bounty whose credit exists
//                  (a crash after the ledger step, before the status write) is marked awarded
//                  from the ledger event
//   bounty state   a question's `activeId` names its ACTIVE bounty and nothing else; the featured
//                  set (Redis) lists exactly the questions with an active bounty
import { Types } from 'mongoose';
import type { Tally, VerifyDeps } from '../maintenance/verify-checks.js';
import type { BountyDoc } from './bounty.model.js';
import { rebuildFeatured } from './bounty.reads.js';
import { awardKey, offerKey, payOffer, settle, type BountyDeps } from './bounty.service.js';

export async function checkBounties(deps: VerifyDeps, tally: Tally, repair: boolean): Promise<void> {
  const { repos } = deps;
  const shared: BountyDeps = { repos, services: deps.services, log: deps.log };
  const active = new Map<string, BountyDoc>();
  for await (const bounty of repos.bounties.bounties.scan<BountyDoc>({})) {
    tally.seen('bounty ledger');
    const id = bounty._id.toHexString();
    if (!bounty.imported && !(await repos.reputation.findById(offerKey(bounty._id), '_id'))) {
      tally.drift('bounty ledger', `bounty ${id}: the offer's debit is missing`);
      if (repair) {
        await payOffer(shared, bounty);
        tally.repaired('bounty ledger');
      }
    }
    let current = bounty;
    if (bounty.status === 'ACTIVE' && !bounty.imported) {
      const credit = await repos.reputation.findById(awardKey(bounty._id));
      if (credit) {
        tally.drift('bounty ledger', `bounty ${id}: credited to an answer but still active`);
        if (repair) {
          const marked = await repos.bounties.bounties.updateIfReturning(
            bounty._id,
            { status: 'ACTIVE' },
            {
              $set: {
                status: 'AWARDED',
                awardedAnswerId: credit.subjectId,
                awardedTo: credit.userId,
                awardedAmount: credit.nominal,
                awardedAt: credit.at,
                awardedBy: credit.nominal === bounty.amount ? 'OFFERER' : 'AUTO',
              },
              $inc: { version: 1 },
            },
          );
          if (marked) {
            await settle(shared, marked);
            current = marked;
          }
          tally.repaired('bounty ledger');
        }
      }
    } else if (bounty.status === 'AWARDED' && bounty.awardedAmount > 0 && !bounty.imported) {
      if (!(await repos.reputation.findById(awardKey(bounty._id), '_id'))) {
        tally.drift('bounty ledger', `bounty ${id}: awarded but the answer's credit is missing`);
        if (repair) {
          await settle(shared, bounty);
          tally.repaired('bounty ledger');
        }
      }
    }
    if (current.status === 'ACTIVE') active.set(current.questionId.toHexString(), current);
  }

  // each question's slot
  const slots = new Set<string>();
  for await (const state of repos.bounties.questions.scan<{ _id: Types.ObjectId; activeId: Types.ObjectId | null }>({}, '_id activeId')) {
    tally.seen('bounty state');
    const qid = state._id.toHexString();
    slots.add(qid);
    const want = active.get(qid)?._id ?? null;
    const has = state.activeId ?? null;
    if (String(want) === String(has)) continue;
    tally.drift(
      'bounty state',
      `question ${qid}: active bounty ${has ? has.toHexString() : 'none'}, expected ${want ? want.toHexString() : 'none'}`,
    );
    if (repair) {
      await repos.bounties.questions.update(state._id, { $set: { activeId: want, ...(want ? { latestId: want } : {}) } });
      tally.repaired('bounty state');
    }
  }
  for (const [qid, bounty] of active) {
    if (slots.has(qid)) continue;
    tally.drift('bounty state', `question ${qid}: its active bounty ${bounty._id.toHexString()} has no slot`);
    if (repair) {
      const questionId = new Types.ObjectId(qid);
      await repos.bounties.questions.ensure(questionId);
      await repos.bounties.questions.update(questionId, {
        $set: { activeId: bounty._id, latestId: bounty._id },
        $push: { offers: { bountyId: bounty._id, offeredBy: bounty.offeredBy, amount: bounty.amount, at: bounty.startedAt } },
      });
      tally.repaired('bounty state');
    }
  }

  // the featured set
  const featured = repos.bounties.featured;
  if (!featured.enabled) return;
  const listed = new Map((await featured.all()).map((e) => [e.questionId, e.endsAt]));
  const wrong = listed.size !== active.size || [...active].some(([qid, b]) => listed.get(qid) !== new Date(b.endsAt).getTime());
  tally.seen('bounty state');
  if (wrong) {
    tally.drift('bounty state', `featured set: ${listed.size} listed, ${active.size} active bounties`);
    if (repair) {
      await rebuildFeatured(deps);
      tally.repaired('bounty state');
    }
  }
}
