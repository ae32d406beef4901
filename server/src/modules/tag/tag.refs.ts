import { builder } from '../../graphql/builder.js';
import { noteReads } from '../../graphql/request-scoped.js';
import type { TagDoc } from './tag.model.js';

/** Tags are nodes too; a tag that was never stored (no questions yet) resolves to an empty shell. */
export const TagRef = builder.loadableNodeRef<TagDoc, string, string>('Tag', {
  id: { resolve: (t) => t._id },
  load: async (names, ctx) => {
    noteReads(
      ctx,
      names.map((name) => `tags:${name}`),
    );
    const docs = await ctx.deps.repos.tags.findByIdsOrdered(names);
    return docs.map(
      (d, i) =>
        d ??
        ({
          _id: names[i]!,
          description: '',
          descriptionHTML: '',
          excerpt: '',
          synonymOf: null,
          synonyms: [],
          questionCount: 0,
          createdAt: new Date(0),
          updatedAt: new Date(0),
        } as TagDoc),
    );
  },
  sort: (t) => t._id,
});
