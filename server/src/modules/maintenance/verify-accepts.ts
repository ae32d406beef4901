// Verify: acceptances against their ledger events (accept reputation; see post.service.ts
// acceptAnswer / reverseAccept).
import type { Types } from 'mongoose';
import { batches, hex, type LedgerStep, type Tally, type VerifyDeps } from './verify-checks.js';
import type { VerifyStore } from './verify-store.js';

const ACCEPT_ROLES = ['answerer', 'acceptor'] as const;

/**
 * Generation g of a question's acceptance writes `accept:<q>:<g>:answerer|acceptor` (not for a
 * self-answer); withdrawing it (unaccept, another accept, deleting the question or the answer)
 * writes `…:undo` with the opposite delta. Generation 0 is an imported acceptance, settled by
 * the opening balance. A crash between the question's write and the ledger's leaves a step out.
 */
export async function checkAccepts(store: VerifyStore, deps: VerifyDeps, tally: Tally, repair: boolean, size: number) {
  const rules = deps.services.reputationRules;
  for await (const questions of batches(store.acceptedQuestionPage, size)) {
    tally.seen('accept reputation', questions.length);
    const keys = questions.flatMap((q) =>
      Array.from({ length: q.acceptGen }, (_, i) =>
        ACCEPT_ROLES.flatMap((role) => [`accept:${hex(q._id)}:${i + 1}:${role}`, `accept:${hex(q._id)}:${i + 1}:${role}:undo`]),
      ).flat(),
    );
    const events = new Map((await store.ledgerEventsByKeys(keys)).map((e) => [e._id, e]));
    const standingIds = questions.filter((q) => q.acceptedAnswerId && !q.deletedAt).map((q) => q.acceptedAnswerId!);
    const answers = new Map((standingIds.length ? await store.answersByIds(standingIds) : []).map((a) => [hex(a._id), a]));
    const at = deps.services.clock.now();
    for (const q of questions) {
      const answer = q.acceptedAnswerId && !q.deletedAt ? answers.get(hex(q.acceptedAnswerId)) : undefined;
      const standing = answer && !answer.deletedAt ? answer : undefined;
      const steps: Array<LedgerStep & { subjectId: Types.ObjectId }> = [];
      for (let g = 1; g <= q.acceptGen; g++) {
        const base = `accept:${hex(q._id)}:${g}`;
        const current = g === q.acceptGen && standing !== undefined;
        if (current && !standing.authorId.equals(q.authorId)) {
          // the standing acceptance: both awards exist (and are not undone)
          const who = { answerer: standing.authorId, acceptor: q.authorId };
          const nominal = { answerer: rules.answerAccepted, acceptor: rules.acceptorBonus };
          const reason = { answerer: 'ANSWER_ACCEPTED', acceptor: 'ACCEPTED_ANSWER' } as const;
          for (const role of ACCEPT_ROLES) {
            if (!events.has(`${base}:${role}`) && nominal[role] !== 0)
              steps.push({
                key: `${base}:${role}`,
                userId: who[role],
                nominal: nominal[role],
                reason: reason[role],
                subjectId: standing._id,
              });
          }
        } else if (!current) {
          // a withdrawn acceptance: whatever it awarded is reversed
          for (const role of ACCEPT_ROLES) {
            const award = events.get(`${base}:${role}`);
            if (award && award.delta !== 0 && !events.has(`${base}:${role}:undo`))
              steps.push({
                key: `${base}:${role}:undo`,
                userId: award.userId,
                nominal: -award.delta,
                reason: 'ACCEPT_REVERSED',
                subjectId: award.subjectId ?? q._id,
              });
          }
        }
      }
      if (steps.length === 0) continue;
      tally.drift('accept reputation', `question ${hex(q._id)}: missing ${steps.map((s) => s.key).join(', ')}`);
      if (!repair) continue;
      for (const { subjectId, ...step } of steps) await store.applyLedgerStep(deps, { ...step, subjectId, subjectType: 'Answer', at });
      tally.repaired('accept reputation');
    }
  }
}
