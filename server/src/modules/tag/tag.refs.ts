import { builder } from '../../graphql/builder.js';
import type { TagDoc } from './tag.model.js';
import { findTagsByNames } from './tag.service.js';

/** Tags are nodes too; a tag that was never stored (no questions yet) resolves to an empty shell. */
export const TagRef = builder.loadableNodeRef<TagDoc, string, string>('Tag', {
  id: { resolve: (t) => t._id },
  load: async (names) => {
    const docs = await findTagsByNames(names);
    return docs.map(
      (d, i) =>
        d ??
        ({
          _id: names[i]!,
          description: '',
          descriptionHTML: '',
          excerpt: '',
          synonymOf: null,
          questionCount: 0,
          createdAt: new Date(0),
          updatedAt: new Date(0),
        } as TagDoc),
    );
  },
  sort: (t) => t._id,
});
