// PostLinks.xml → duplicateOf / relatedIds (id maps only: written with the posts).
import { skip, type ImportContext, type StepStats } from './context.js';

export async function postLinksStep(ctx: ImportContext, _write: boolean, stats: StepStats): Promise<void> {
  const { duplicateOf, related } = ctx.maps;
  await ctx.read(
    'PostLinks',
    'PostLinks',
    (row) => {
      stats.rows++;
      ctx.counts.postLinks++;
      const from = row.PostId;
      const to = row.RelatedPostId;
      if (from === undefined || to === undefined || from === to || !ctx.isImportedPost(from) || !ctx.isImportedPost(to)) {
        skip(stats, 'link to or from a post that is not imported');
        return;
      }
      if (row.LinkTypeId === 3 && ctx.isQuestion(from) && ctx.isQuestion(to)) {
        duplicateOf.set(from, to);
        stats.imported++;
      } else if (row.LinkTypeId === 1 && ctx.isQuestion(from)) {
        const list = related.get(from) ?? [];
        if (!list.includes(to)) list.push(to);
        related.set(from, list);
        stats.imported++;
      } else {
        skip(stats, row.LinkTypeId === 3 ? 'duplicate link between non-questions' : `link type ${row.LinkTypeId} from an answer`);
      }
    },
    async () => undefined,
  );
}
