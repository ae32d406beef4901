// Fills in the child lists (a question's answerIds, a post's commentIds; see post.model.ts) from
// their facts: used after a bulk import, whose writer streams posts before it has seen their
// answers and comments. One pass over answers and comments (their ids are kept in memory, 12
// bytes each), then one $addToSet by _id per post that misses something. Appends only, so it
// is safe to run at any time and again.
import type { Types } from 'mongoose';
import { CommentModel } from '../comment/comment.model.js';
import { PostModel } from '../post/post.model.js';

export interface ChildListsResult {
  /** posts examined */
  posts: number;
  /** posts whose lists were completed or created */
  updated: number;
}

export async function fillChildLists(onProgress?: (done: number) => void): Promise<ChildListsResult> {
  const answersOf = new Map<string, Types.ObjectId[]>();
  for await (const a of PostModel.find({ type: 'answer' }).select('questionId').lean().cursor({ batchSize: 1000 })) {
    const row = a as { _id: Types.ObjectId; questionId: Types.ObjectId | null };
    if (!row.questionId) continue;
    const key = row.questionId.toHexString();
    const list = answersOf.get(key);
    if (list) list.push(row._id);
    else answersOf.set(key, [row._id]);
  }
  const commentsOf = new Map<string, Types.ObjectId[]>();
  for await (const c of CommentModel.find({}).select('postId').lean().cursor({ batchSize: 1000 })) {
    const row = c as { _id: Types.ObjectId; postId: Types.ObjectId };
    const key = row.postId.toHexString();
    const list = commentsOf.get(key);
    if (list) list.push(row._id);
    else commentsOf.set(key, [row._id]);
  }
  let posts = 0;
  let updated = 0;
  const cursor = PostModel.find({}).select('type answerIds commentIds').lean().cursor({ batchSize: 1000 });
  for await (const p of cursor) {
    const post = p as { _id: Types.ObjectId; type: string; answerIds?: Types.ObjectId[]; commentIds?: Types.ObjectId[] };
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
      await PostModel.updateOne({ _id: post._id }, { $addToSet: add }, { timestamps: false });
      updated++;
    }
    if (posts % 1000 === 0) onProgress?.(posts);
  }
  onProgress?.(posts);
  return { posts, updated };
}
