import { builder } from '../../graphql/builder.js';
import { noteReads } from '../../graphql/request-scoped.js';
import { toObjectId } from '../../lib/ids.js';
import type { SpaceDoc } from './space.model.js';

export const SpaceRef = builder.loadableNodeRef<SpaceDoc, string, string>('Space', {
  id: { resolve: (s) => s._id.toHexString() },
  load: async (ids, ctx) => {
    noteReads(
      ctx,
      ids.map((id) => `spaces:${id}`),
    );
    const docs = await ctx.deps.repos.spaces.findManyByIds(ids.map((id) => toObjectId(id)).filter((id) => id !== null));
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    return ids.map((id) => byId.get(id) ?? new Error(`Space ${id} not found`));
  },
  // no `sort`: load() already answers in input order, and Pothos' sort step rejects the whole
  // batch when any entry is an Error (one hidden post would hide every post loaded with it)
});
