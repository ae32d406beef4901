// Verify: the rollups pages read by `_id` against the facts they are made of —
//   tag stats       each stored tag_stats document (top askers and answerers) against the posts
//   user stats      each stored user_stats document (top tags) against the member's posts
//   users ranking   members by reputation in Redis (where it is in use) against the users
// A rollup not computed yet is no drift (its first reader computes it), nor is one marked for the
// worker (post/post.rollups.ts: the job recomputes it in a moment); a stored one that differs
// from its facts is, and a repair stores what the facts make. A ranking not built is no drift
// either (the database answers until a rebuild); an entry missing or wrong is, and so is an entry
// that stands for no member as they are.
import type { Types } from 'mongoose';
import { batches, hex, type Tally } from './verify-checks.js';
import type { VerifyStore } from './verify-store.js';

export async function checkTagStats(store: VerifyStore, tally: Tally, repair: boolean, size: number) {
  for await (const tags of batches(store.tagPage, size)) {
    tally.seen('tag stats', tags.length);
    const stored = new Map((await store.storedTagStats(tags.map((t) => t._id))).map((d) => [d._id, d]));
    if (stored.size === 0) continue;
    // the sequence before the facts: what the job would stamp a computation made now with
    const mark = await store.rollupSequence();
    const pending = await store.pendingRollups('tags', [...stored.keys()]);
    const names = [...stored.keys()].filter((name) => !pending.has(name));
    for (const expected of await store.expectedTagStats(names, mark ?? 0)) {
      const doc = stored.get(expected._id)!;
      if (store.sameTagStats(doc, expected)) continue;
      tally.drift('tag stats', `tag ${expected._id}: its top askers/answerers differ from its posts`);
      if (!repair) continue;
      // a stored mark beyond the sequence can only be corruption: replaced regardless
      await store.storeTagStats(expected, mark === null || doc.mark > mark);
      tally.repaired('tag stats');
    }
  }
}

export async function checkUserStats(store: VerifyStore, tally: Tally, repair: boolean, size: number) {
  for await (const users of batches(store.userPage, size)) {
    tally.seen('user stats', users.length);
    const stored = new Map((await store.storedUserStats(users.map((u) => u._id))).map((d) => [hex(d._id), d]));
    if (stored.size === 0) continue;
    const mark = await store.rollupSequence();
    const pending = await store.pendingRollups('users', [...stored.keys()]);
    const handles = new Map(users.map((u) => [hex(u._id), u.handle]));
    const ids = [...stored.values()].filter((d) => !pending.has(hex(d._id))).map((d) => d._id as Types.ObjectId);
    for (const expected of await store.expectedUserStats(ids, mark ?? 0)) {
      const doc = stored.get(hex(expected._id))!;
      if (store.sameUserStats(doc, expected)) continue;
      tally.drift('user stats', `@${handles.get(hex(expected._id))}: top tags differ from their posts`);
      if (!repair) continue;
      await store.storeUserStats(expected, mark === null || doc.mark > mark);
      tally.repaired('user stats');
    }
  }
}

export async function checkRanking(store: VerifyStore, tally: Tally, repair: boolean, size: number) {
  const ready = await store.rankingReady();
  for await (const users of batches(store.userPage, size)) {
    tally.seen('users ranking', users.length);
    if (!ready) continue;
    const wrong = await store.rankingMismatches(users);
    for (const u of wrong) tally.drift('users ranking', `@${u.handle}: not listed at reputation ${u.reputation}`);
    if (!repair || wrong.length === 0) continue;
    await store.repairRanking(wrong.map((u) => u._id));
    for (let i = 0; i < wrong.length; i++) tally.repaired('users ranking');
  }
  if (!ready) return;
  for (const entry of await store.rankingStrays(repair)) {
    tally.drift('users ranking', `entry ${entry} stands for no member as they are`);
    if (repair) tally.repaired('users ranking');
  }
}
