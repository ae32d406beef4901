// Badges.xml → badges (of imported members; a badge Colloquy also awards keeps its catalogue key).
import { badgeTier, seObjectId } from '../se-mapping.js';
import { BADGE_CATALOGUE } from '../../badge/badge.catalogue.js';
import { DEFAULT_LICENSE, type ImportContext, type StepStats, skip } from './context.js';

export async function badgesStep(ctx: ImportContext, write: boolean, stats: StepStats): Promise<void> {
  const badges = ctx.writer('badges', write);
  const flushAll = async () => void (await ctx.flush(badges, stats, 'badge'));
  await ctx.read(
    'Badges',
    'Badges',
    async (row) => {
      stats.rows++;
      const userId = ctx.userOid(row.UserId);
      if (!userId || !row.Name) {
        skip(stats, userId ? 'badge without a name' : 'badge of a member who is not imported');
        return;
      }
      stats.imported++;
      ctx.counts.badges++;
      if (!write) return;
      const at = row.Date ?? new Date();
      const full = badges.add({
        _id: seObjectId(ctx.site, 'badge', row.Id),
        userId,
        name: row.Name,
        key: row.TagBased ? null : (BADGE_CATALOGUE.get(row.Name) ?? null),
        tier: badgeTier(row.Class),
        tagBased: row.TagBased ?? false,
        awardedAt: at,
        imported: true,
        attribution: {
          site: ctx.site,
          originalId: String(row.Id),
          url: `https://${ctx.site}/users/${row.UserId}?tab=badges`,
          authorName: ctx.maps.userNames.get(row.UserId!) ?? null,
          authorUrl: `https://${ctx.site}/users/${row.UserId}`,
          license: DEFAULT_LICENSE,
        },
        createdAt: at,
        updatedAt: at,
      });
      if (full) await flushAll();
    },
    flushAll,
  );
}
