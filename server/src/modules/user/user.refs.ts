import { builder } from '../../graphql/builder.js';
import { findByIds } from '../../infra/mongo.js';
import { toObjectId } from '../post/post.repository.js';
import { UserModel, type UserDoc } from './user.model.js';

export async function findUsersByIds(ids: readonly string[]): Promise<Array<UserDoc | Error>> {
  const objectIds = ids.map((id) => toObjectId(id)).filter((id) => id !== null);
  const docs = await findByIds<UserDoc>(UserModel, objectIds);
  const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
  return ids.map((id) => byId.get(id) ?? new Error(`User ${id} not found`));
}

export const UserRef = builder.loadableNodeRef<UserDoc, string, string>('User', {
  id: { resolve: (u) => u._id.toHexString() },
  load: (ids) => findUsersByIds(ids),
  // no `sort`: load() already answers in input order, and Pothos' sort step rejects the whole
  // batch when any entry is an Error (one hidden post would hide every post loaded with it)
});
