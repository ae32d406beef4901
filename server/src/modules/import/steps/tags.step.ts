// Tags.xml → tags, with their wiki (excerpt + body) and question counts; and the tags the
// questions use that Tags.xml does not list.
import { excerpt, renderMarkdown } from '../../../lib/markdown.js';
import { cleanTags, type ImportContext, type StepStats, skip } from './context.js';

export async function tagsStep(ctx: ImportContext, write: boolean, stats: StepStats): Promise<void> {
  const { tagCounts, wikiTexts } = ctx.maps;
  const tags = ctx.writer('tags', write);
  const now = new Date();
  const seen = new Set<string>();
  const flushAll = async () => void (await ctx.flush(tags, stats, 'tag'));
  await ctx.read(
    'Tags',
    'Tags',
    async (row) => {
      stats.rows++;
      const name = cleanTags(row.TagName ? [row.TagName] : [])[0];
      if (!name || seen.has(name)) {
        skip(stats, name ? 'duplicate tag name' : 'tag name not valid');
        return;
      }
      seen.add(name);
      stats.imported++;
      ctx.counts.tags++;
      if (!write) return;
      const wiki = row.WikiPostId !== undefined ? wikiTexts.get(row.WikiPostId) : undefined;
      const summary = row.ExcerptPostId !== undefined ? wikiTexts.get(row.ExcerptPostId) : undefined;
      const full = tags.add({
        _id: name,
        description: wiki ?? '',
        descriptionHTML: wiki ? renderMarkdown(wiki) : '',
        excerpt: summary ? excerpt(summary, 500) : '',
        synonymOf: null,
        synonyms: [],
        questionCount: tagCounts.get(name) ?? 0,
        createdAt: now,
        updatedAt: now,
      });
      if (full) await flushAll();
    },
    async () => {
      // tags the questions use that Tags.xml does not list
      for (const [name, n] of tagCounts) {
        if (seen.has(name)) continue;
        seen.add(name);
        if (
          tags.add({
            _id: name,
            description: '',
            descriptionHTML: '',
            excerpt: '',
            synonymOf: null,
            synonyms: [],
            questionCount: n,
            createdAt: now,
            updatedAt: now,
          })
        )
          await flushAll();
      }
      await flushAll();
    },
  );
}
