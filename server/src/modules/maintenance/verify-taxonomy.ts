// Verify: spaces' and tags' question counts against their questions, and each master tag's kept
// list of synonyms against the synonyms' pointers.
import { batches, hex, type Tally } from './verify-checks.js';
import type { TagRow, VerifyStore } from './verify-store.js';

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
    await checkSynonymLists(store, tally, repair, tags);
  }
}

/** A master tag's `synonyms` (where kept) = the tags whose `synonymOf` names it. */
async function checkSynonymLists(store: VerifyStore, tally: Tally, repair: boolean, tags: TagRow[]) {
  const kept = tags.filter((t) => Array.isArray(t.synonyms));
  tally.seen('tag synonyms', kept.length);
  if (kept.length === 0) return;
  const expected = new Map<string, string[]>(kept.map((t) => [t._id, []]));
  for (const s of await store.synonymsPointingAt(kept.map((t) => t._id))) expected.get(s.synonymOf)?.push(s._id);
  for (const t of kept) {
    const want = expected.get(t._id)!.sort();
    const have = [...t.synonyms!].sort();
    if (want.join('\n') === have.join('\n')) continue;
    tally.drift('tag synonyms', `tag ${t._id}: [${have.join(', ')}] → [${want.join(', ')}]`);
    if (!repair) continue;
    await store.setTagSynonyms(t._id, want);
    tally.repaired('tag synonyms');
  }
}
