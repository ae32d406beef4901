// Verify: members' counters, opening ledger event and reputation (= Σ ledger deltas).
import { batches, hex, type Tally, type VerifyDeps } from './verify-checks.js';
import type { VerifyStore } from './verify-store.js';

/** Members' question/answer counts, their opening event and reputation = Σ ledger deltas. */
export async function checkUsers(store: VerifyStore, deps: VerifyDeps, tally: Tally, repair: boolean, size: number) {
  for await (const users of batches(store.userPage, size)) {
    const ids = users.map((u) => u._id);
    for (const check of ['user questionCount', 'user answerCount', 'user opening event', 'user reputation'] as const)
      tally.seen(check, users.length);

    // counters
    const posts = await store.livePostsByAuthors(ids);
    const counts = new Map<string, { questions: number; answers: number }>();
    for (const p of posts) {
      const c = counts.get(hex(p.authorId)) ?? { questions: 0, answers: 0 };
      if (p.type === 'question') c.questions++;
      else c.answers++;
      counts.set(hex(p.authorId), c);
    }
    for (const u of users) {
      const c = counts.get(hex(u._id)) ?? { questions: 0, answers: 0 };
      for (const [check, field, expected] of [
        ['user questionCount', 'questionCount', c.questions],
        ['user answerCount', 'answerCount', c.answers],
      ] as const) {
        if (u[field] === expected) continue;
        tally.drift(check, `@${u.handle}: ${u[field]} → ${expected}`);
        if (!repair) continue;
        const res = await store.setUserCounterIf(u._id, field, u[field], expected);
        if (res.modifiedCount === 1) tally.repaired(check);
      }
    }

    // the opening event
    const joins = new Set((await store.existingLedgerKeys(users.map((u) => `join:${hex(u._id)}`))).map((e) => e._id));
    for (const u of users) {
      if (joins.has(`join:${hex(u._id)}`)) continue;
      tally.drift('user opening event', `@${u.handle}: no join:${hex(u._id)}`);
      if (!repair) continue;
      await store.openMemberLedger(deps, u._id, u.createdAt ?? deps.services.clock.now());
      tally.repaired('user opening event');
    }

    // reputation = Σ deltas; the user document is not behind the last event
    const events = await store.ledgerEventsOfUsers(ids);
    const ledger = new Map<string, { sum: number; last: (typeof events)[number] | null }>();
    for (const e of events) {
      const l = ledger.get(hex(e.userId)) ?? { sum: 0, last: null };
      l.sum += e.delta;
      if (!l.last || e.seq > l.last.seq) l.last = e;
      ledger.set(hex(e.userId), l);
    }
    const fresh = repair ? new Map((await store.userReputationsByIds(ids)).map((u) => [hex(u._id), u])) : null;
    for (const u of users) {
      const l = ledger.get(hex(u._id));
      if (!l?.last) continue; // no events at all: reported above as a missing opening event
      // (a repair above may have moved the user: compare against what is stored now)
      const now = fresh?.get(hex(u._id)) ?? u;
      if (now.reputation === l.sum && now.repSeq === l.last.seq) continue;
      tally.drift(
        'user reputation',
        `@${u.handle}: reputation ${now.reputation} (seq ${now.repSeq}) but the ledger sums to ${l.sum} (seq ${l.last.seq})`,
      );
      if (!repair) continue;
      const res = await store.setUserReputationIf(u._id, now, { sum: l.sum, last: l.last });
      if (res.modifiedCount === 1) tally.repaired('user reputation');
    }
  }
}
