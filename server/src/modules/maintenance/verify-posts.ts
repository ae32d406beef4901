// Verify: posts' counters (answerCount, isAnswered, commentCount) and child lists (answerIds,
// commentIds) against their answers and comments.
import type { Types } from 'mongoose';
import { batches, hex, type Tally } from './verify-checks.js';
import type { VerifyStore, Guard, PostRow } from './verify-store.js';

/** Sets drifted post fields, guarded by the values read; the post is then re-indexed. */
export async function fixPost(
  store: VerifyStore,
  post: PostRow,
  set: Partial<Record<'score' | 'upVotes' | 'downVotes' | 'answerCount' | 'commentCount' | 'isAnswered', number | boolean>>,
  changedPosts: Set<string>,
): Promise<boolean> {
  // guarded by the values read: a concurrent change wins (a later run catches up)
  const guard: Guard = {};
  for (const k of Object.keys(set)) guard[k] = post[k as keyof typeof set];
  const res = await store.setPostFieldsIf(post._id, guard, set);
  if (res.modifiedCount === 1) changedPosts.add(hex(post._id));
  return res.modifiedCount === 1;
}

/** Each post's commentCount and child lists; each question's answerCount and isAnswered. */
export async function checkPostCounters(store: VerifyStore, tally: Tally, repair: boolean, size: number, changedPosts: Set<string>) {
  for await (const posts of batches(store.postCounterPage, size)) {
    tally.seen('post commentCount', posts.length);
    tally.seen('post child lists', posts.length);
    const comments = await store.commentsOnPosts(posts.map((p) => p._id));
    const commentCounts = new Map<string, number>();
    const commentsOf = new Map<string, Types.ObjectId[]>();
    for (const c of comments) {
      commentsOf.set(hex(c.postId), [...(commentsOf.get(hex(c.postId)) ?? []), c._id]);
      if (!c.deletedAt) commentCounts.set(hex(c.postId), (commentCounts.get(hex(c.postId)) ?? 0) + 1);
    }

    const questions = posts.filter((p) => p.type === 'question');
    tally.seen('question answerCount', questions.length);
    tally.seen('question isAnswered', questions.length);
    const answers = questions.length ? await store.answersToQuestions(questions.map((q) => q._id)) : [];
    const answerFacts = new Map<string, { count: number; positive: boolean }>();
    const answersOf = new Map<string, Types.ObjectId[]>();
    for (const a of answers) {
      answersOf.set(hex(a.questionId), [...(answersOf.get(hex(a.questionId)) ?? []), a._id]);
      if (a.deletedAt) continue;
      const f = answerFacts.get(hex(a.questionId)) ?? { count: 0, positive: false };
      f.count++;
      if (a.score > 0) f.positive = true;
      answerFacts.set(hex(a.questionId), f);
    }

    for (const p of posts) {
      // child lists: complete, or created where missing (appends only: never drops an id)
      const lists: Array<['answerIds' | 'commentIds', Types.ObjectId[] | undefined, Types.ObjectId[]]> = [
        ['commentIds', p.commentIds, commentsOf.get(hex(p._id)) ?? []],
      ];
      if (p.type === 'question') lists.push(['answerIds', p.answerIds, answersOf.get(hex(p._id)) ?? []]);
      const add: Record<string, { $each: Types.ObjectId[] }> = {};
      const problems: string[] = [];
      for (const [field, list, facts] of lists) {
        const have = new Set((list ?? []).map(hex));
        const missing = facts.filter((id) => !have.has(hex(id)));
        if (list && missing.length === 0) continue;
        add[field] = { $each: missing };
        problems.push(`${field} ${list ? `misses ${missing.length}` : 'absent'}`);
      }
      if (problems.length) tally.drift('post child lists', `${p.type} ${hex(p._id)}: ${problems.join(', ')}`);
      if (repair && problems.length) {
        await store.addToPostChildLists(p._id, add);
        tally.repaired('post child lists');
      }

      const set: Partial<Record<'answerCount' | 'commentCount' | 'isAnswered', number | boolean>> = {};
      const commentCount = commentCounts.get(hex(p._id)) ?? 0;
      if (p.commentCount !== commentCount) {
        tally.drift('post commentCount', `${p.type} ${hex(p._id)}: ${p.commentCount} → ${commentCount}`);
        set.commentCount = commentCount;
      }
      if (p.type === 'question') {
        const facts = answerFacts.get(hex(p._id)) ?? { count: 0, positive: false };
        if (p.answerCount !== facts.count) {
          tally.drift('question answerCount', `question ${hex(p._id)}: ${p.answerCount} → ${facts.count}`);
          set.answerCount = facts.count;
        }
        const isAnswered = !!p.acceptedAnswerId || facts.positive;
        if (p.isAnswered !== isAnswered) {
          tally.drift('question isAnswered', `question ${hex(p._id)}: ${p.isAnswered} → ${isAnswered}`);
          set.isAnswered = isAnswered;
        }
      }
      if (!repair || Object.keys(set).length === 0) continue;
      if (await fixPost(store, p, set, changedPosts)) {
        if ('commentCount' in set) tally.repaired('post commentCount');
        if ('answerCount' in set) tally.repaired('question answerCount');
        if ('isAnswered' in set) tally.repaired('question isAnswered');
      }
    }
  }
}
