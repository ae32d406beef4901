// counters: the space's question count; tag counts recomputed from every live question (tags
// are shared by all spaces: a tag that existed before the import counts both); the posts' child
// lists. The values only known once everything is written: single `$set`s of values recomputed
// from the facts.
import { fillChildLists } from '../../maintenance/child-lists.js';
import { verifyStore } from '../../maintenance/verify-store.js';
import type { ImportContext, StepStats } from './context.js';

export async function countersStep(ctx: ImportContext, _write: boolean, stats: StepStats): Promise<void> {
  ctx.progress({ step: 'counters', file: null, phase: 'start', bytesRead: 0, totalBytes: 0, rows: 0 });
  const { store } = ctx;
  const questions = await store.countLiveQuestions(ctx.spaceId);
  await store.setSpaceQuestionCount(ctx.spaceId, questions);
  const byTag = await store.questionCountsByTag();
  const existing = await store.storedTagQuestionCounts();
  for (const t of existing) {
    stats.rows++;
    const n = byTag.get(t._id) ?? 0;
    if (t.questionCount === n) continue;
    // only tags that other questions share (or that changed since): one update each
    await store.setTagQuestionCount(t._id, n);
    stats.imported++;
  }
  // the posts' child lists (answerIds, commentIds): the writer streamed posts before their
  // answers and comments; pages read answers and comments by id from these lists
  const lists = await fillChildLists(verifyStore(ctx.deps.repos));
  stats.rows += lists.posts;
  stats.imported += lists.updated;
  ctx.progress({ step: 'counters', file: null, phase: 'end', bytesRead: 0, totalBytes: 0, rows: stats.rows });
}
