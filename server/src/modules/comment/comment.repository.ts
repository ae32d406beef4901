// The comments collection: the only code that touches it.
import type { Types } from 'mongoose';
import { op } from '../../lib/mongo-ops.js';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { CommentModel, type CommentDoc } from './comment.model.js';

export class CommentRepository extends Repository<CommentDoc> {
  constructor(storage: Storage) {
    super(storage, CommentModel, { versionKeys: (id) => [`comments:${String(id)}`] });
  }

  async create(doc: Record<string, unknown>): Promise<CommentDoc> {
    const comment = await CommentModel.create(doc);
    await this.touched(comment._id);
    return comment.toObject() as CommentDoc;
  }

  /**
   * Comments of several posts (in their order), oldest first: read by id from the posts' child
   * lists, with one query by parent for posts that have no list yet.
   */
  async findOfPosts(posts: ReadonlyArray<{ _id: Types.ObjectId; commentIds?: Types.ObjectId[] | null }>): Promise<CommentDoc[][]> {
    const listed = posts.filter((p) => Array.isArray(p.commentIds));
    const unlisted = posts.filter((p) => !Array.isArray(p.commentIds)).map((p) => p._id);
    const docs = [
      ...(await this.findManyByIds(listed.flatMap((p) => p.commentIds!))),
      ...(unlisted.length ? ((await CommentModel.find({ postId: op.in(unlisted) }).lean()) as CommentDoc[]) : []),
    ].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.toHexString().localeCompare(b._id.toHexString()));
    const groups = new Map<string, CommentDoc[]>();
    for (const d of docs) {
      const key = d.postId.toHexString();
      groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    return posts.map((p) => groups.get(p._id.toHexString()) ?? []);
  }

  /** Comments on the given posts (batch tools). */
  async onPosts<R = CommentDoc>(postIds: readonly Types.ObjectId[], select?: string): Promise<R[]> {
    const query = CommentModel.find({ postId: op.in(postIds) });
    if (select) query.select(select);
    return (await query.lean()) as R[];
  }
}
