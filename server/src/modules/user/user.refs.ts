import { builder } from '../../graphql/builder.js';
import { noteReads } from '../../graphql/request-scoped.js';
import type { Context } from '../../context.js';
import { toObjectId } from '../../lib/ids.js';
import type { UserDoc } from './user.model.js';

export async function findUsersByIds(ctx: Pick<Context, 'deps' | 'cache'>, ids: readonly string[]): Promise<Array<UserDoc | Error>> {
  noteReads(
    ctx,
    ids.map((id) => `users:${id}`),
  );
  const objectIds = ids.map((id) => toObjectId(id)).filter((id) => id !== null);
  const docs = await ctx.deps.repos.users.findManyByIds(objectIds);
  const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
  return ids.map((id) => byId.get(id) ?? new Error(`User ${id} not found`));
}

export const UserRef = builder.loadableNodeRef<UserDoc, string, string>('User', {
  id: { resolve: (u) => u._id.toHexString() },
  load: (ids, ctx) => findUsersByIds(ctx, ids),
  // no `sort`: load() already answers in input order, and Pothos' sort step rejects the whole
  // batch when any entry is an Error (one hidden post would hide every post loaded with it)
});
