// Verify: each built question thread (post/thread.repository.ts) against the posts and comments
// it is made of. A thread that is not built yet is no drift (the first reader builds it); a stale
// or corrupted one is, and a repair rebuilds it.
import { batches, hex, type Tally } from './verify-checks.js';
import type { VerifyStore } from './verify-store.js';

/** What a thread must agree on: each post's and comment's id, version and state. */
function signature(thread: { answers: unknown[]; comments: Map<string, unknown[]> | Record<string, unknown[]> }): string {
  const post = (p: unknown) => {
    const d = p as Record<string, unknown>;
    return [String(d._id), d.version, d.score, d.body, d.deletedAt ? 1 : 0, d.verifiedAt ? 1 : 0, d.commentCount].join('|');
  };
  const comment = (c: unknown) => {
    const d = c as Record<string, unknown>;
    return [String(d._id), d.body, d.deletedAt ? 1 : 0, d.score ?? 0].join('|');
  };
  const lists = thread.comments instanceof Map ? [...thread.comments] : Object.entries(thread.comments);
  const comments = lists
    .filter(([, list]) => list.length > 0)
    .map(([id, list]) => `${id}:${list.map(comment).join(',')}`)
    .sort();
  return JSON.stringify([thread.answers.map(post), comments]);
}

export async function checkThreads(store: VerifyStore, tally: Tally, repair: boolean, size: number) {
  for await (const questions of batches(store.questionPage, size)) {
    const threads = await store.threadsOf(questions.map((q) => q._id));
    tally.seen('question thread', threads.filter((t) => t !== null).length);
    for (const [i, q] of questions.entries()) {
      const thread = threads[i];
      if (!thread) continue;
      const expected = await store.expectedThread(q);
      if (signature(thread) === signature(expected)) continue;
      tally.drift('question thread', `question ${hex(q._id)}: its thread differs from its answers and comments`);
      if (!repair) continue;
      await store.rebuildThread(q._id);
      tally.repaired('question thread');
    }
  }
}
