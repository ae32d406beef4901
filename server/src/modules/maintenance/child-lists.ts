// Fills in the child lists (a question's answerIds, a post's commentIds; see post.model.ts) from
// their facts: used after a bulk import, whose writer streams posts before it has seen their
// answers and comments. One pass over answers and comments (their ids are kept in memory, 12
// bytes each), then one $addToSet by _id per post that misses something. Appends only, so it
// is safe to run at any time and again.
import type { Types } from 'mongoose';
import type { VerifyStore } from './verify-store.js';

export interface ChildListsResult {
  /** posts examined */
  posts: number;
  /** posts whose lists were completed or created */
  updated: number;
}

export async function fillChildLists(store: VerifyStore, onProgress?: (done: number) => void): Promise<ChildListsResult> {
  const answersOf = new Map<string, Types.ObjectId[]>();
  for await (const row of store.scanAnswerQuestionIds()) {
    if (!row.questionId) continue;
    const key = row.questionId.toHexString();
    const list = answersOf.get(key);
    if (list) list.push(row._id);
    else answersOf.set(key, [row._id]);
  }
  const commentsOf = new Map<string, Types.ObjectId[]>();
  for await (const row of store.scanCommentPostIds()) {
    const key = row.postId.toHexString();
    const list = commentsOf.get(key);
    if (list) list.push(row._id);
    else commentsOf.set(key, [row._id]);
  }
  let posts = 0;
  let updated = 0;
  for await (const post of store.scanPostChildLists()) {
    posts++;
    const add: Record<string, { $each: Types.ObjectId[] }> = {};
    const missing = (list: Types.ObjectId[] | undefined, facts: Types.ObjectId[]) => {
      const have = new Set((list ?? []).map((id) => id.toHexString()));
      return { absent: list === undefined, ids: facts.filter((id) => !have.has(id.toHexString())) };
    };
    const key = post._id.toHexString();
    const comments = missing(post.commentIds, commentsOf.get(key) ?? []);
    if (comments.absent || comments.ids.length) add.commentIds = { $each: comments.ids };
    if (post.type === 'question') {
      const answers = missing(post.answerIds, answersOf.get(key) ?? []);
      if (answers.absent || answers.ids.length) add.answerIds = { $each: answers.ids };
    }
    if (Object.keys(add).length) {
      await store.appendChildIds(post._id, add);
      updated++;
    }
    if (posts % 1000 === 0) onProgress?.(posts);
  }
  onProgress?.(posts);
  return { posts, updated };
}
