// Verify: spaces' and tags' question counts against their questions.
import { batches, hex, type Tally } from './verify-checks.js';
import type { VerifyStore } from './verify-store.js';

/** Each space's questionCount = its non-deleted questions. */
export async function checkSpaces(store: VerifyStore, tally: Tally, repair: boolean, size: number) {
  for await (const spaces of batches(store.spacePage, size)) {
    tally.seen('space questionCount', spaces.length);
    const questions = await store.liveQuestionsInSpaces(spaces.map((s) => s._id));
    const counts = new Map<string, number>();
    for (const q of questions) counts.set(hex(q.spaceId), (counts.get(hex(q.spaceId)) ?? 0) + 1);
    for (const s of spaces) {
      const expected = counts.get(hex(s._id)) ?? 0;
      if (s.questionCount === expected) continue;
      tally.drift('space questionCount', `space ${s.slug}: ${s.questionCount} → ${expected}`);
      if (!repair) continue;
      const res = await store.setSpaceQuestionCountIf(s._id, s.questionCount, expected);
      if (res.modifiedCount === 1) tally.repaired('space questionCount');
    }
  }
}

/** Each tag's questionCount = the non-deleted questions carrying it. */
export async function checkTags(store: VerifyStore, tally: Tally, repair: boolean, size: number) {
  for await (const tags of batches(store.tagPage, size)) {
    tally.seen('tag questionCount', tags.length);
    const names = tags.map((t) => t._id);
    const questions = await store.liveQuestionsWithTags(names);
    const wanted = new Set(names);
    const counts = new Map<string, number>();
    for (const q of questions) for (const t of new Set(q.tags)) if (wanted.has(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const t of tags) {
      const expected = counts.get(t._id) ?? 0;
      if (t.questionCount === expected) continue;
      tally.drift('tag questionCount', `tag ${t._id}: ${t.questionCount} → ${expected}`);
      if (!repair) continue;
      const res = await store.setTagQuestionCountIf(t._id, t.questionCount, expected);
      if (res.modifiedCount === 1) tally.repaired('tag questionCount');
    }
  }
}
