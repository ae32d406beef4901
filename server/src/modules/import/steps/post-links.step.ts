// PostLinks.xml → duplicateOf / relatedIds (id maps: written with the posts, the link's source)
// and, for the link's target, its `question_links` document (modules/links): the questions that
// link to it. Both ends are then shown on each other's page ("Linked"), each read by `_id`.
import type { Types } from 'mongoose';
import { skip, type ImportContext, type StepStats } from './context.js';

export async function postLinksStep(ctx: ImportContext, write: boolean, stats: StepStats): Promise<void> {
  const { duplicateOf, related } = ctx.maps;
  /** target question → the questions linking to it (Stack Exchange ids) and the latest link's date */
  const inbound = new Map<number, { from: number[]; at: Date }>();
  const addInbound = (to: number, from: number, at: Date | undefined) => {
    const entry = inbound.get(to) ?? { from: [], at: at ?? new Date(0) };
    if (!entry.from.includes(from)) entry.from.push(from);
    if (at && at > entry.at) entry.at = at;
    inbound.set(to, entry);
  };
  const links = ctx.writer('questionLinks', write);
  const flushAll = async () => {
    if (!write) return;
    // one document per target, whole (insert-only: a re-run finds it there and changes nothing)
    for (const [to, { from, at }] of inbound) {
      const full = links.add({
        _id: ctx.postOid(to),
        inboundIds: from.map((id): Types.ObjectId => ctx.postOid(id)),
        createdAt: at,
        updatedAt: at,
      });
      if (full) await ctx.flush(links, stats, 'question links');
    }
    inbound.clear();
    await ctx.flush(links, stats, 'question links');
  };
  await ctx.read(
    'PostLinks',
    'PostLinks',
    (row) => {
      stats.rows++;
      ctx.counts.postLinks++;
      const from = row.PostId;
      const to = row.RelatedPostId;
      if (from === undefined || to === undefined) {
        skip(stats, 'link without a PostId or RelatedPostId');
        return;
      }
      if (from === to) {
        skip(stats, 'link from a post to itself');
        return;
      }
      if (!ctx.isImportedPost(from) || !ctx.isImportedPost(to)) {
        skip(stats, 'link to or from a post that is not in the dump (deleted or of another site)');
        return;
      }
      // a link from or to an answer is shown on the answer's question
      const [source, target] = [questionOf(ctx, from), questionOf(ctx, to)];
      if (source === target) {
        skip(stats, 'link between a question and its own answer');
        return;
      }
      if (row.LinkTypeId === 3) {
        duplicateOf.set(source, target);
        addInbound(target, source, row.CreationDate);
        stats.imported++;
      } else if (row.LinkTypeId === 1) {
        const list = related.get(source) ?? [];
        if (!list.includes(target)) list.push(target);
        related.set(source, list);
        addInbound(target, source, row.CreationDate);
        stats.imported++;
      } else {
        skip(stats, `link type ${row.LinkTypeId} (only 1 linked and 3 duplicate exist)`);
      }
    },
    flushAll,
  );
}

/** A post's question: itself, or an answer's question (both imported: checked by the caller). */
function questionOf(ctx: ImportContext, id: number): number {
  const post = ctx.maps.posts.get(id)!;
  return post.type === 2 ? post.parent : id;
}
