// Badges in the API: the catalogue (`badges`, `badge`), a badge's holders, a member's badges and
// counters. Holders and a member's badges come from the Redis read models (badge.repository.ts),
// their awards by `_id`.
import { builder } from '../../graphql/builder.js';
import { encodeCursor, pageWindow, toConnection, type PageWindow } from '../../lib/connection.js';
import { ValidationError } from '../../lib/errors.js';
import { UserRef } from '../user/user.refs.js';
import type { AppDeps } from '../../context.js';
import { badgeIndexOf } from './badge.awards.js';
import type { BadgeDoc } from './badge.model.js';
import { BADGE_RULES, badgeSlug, RULES_BY_KEY, RULES_BY_NAME, tagBadgeDescription, type BadgeTier } from './badge.rules.js';

/** A badge (not an award): catalogue badges, tag badges and imported badges Colloquy does not award. */
export interface BadgeShape {
  slug: string;
  name: string;
  tier: BadgeTier;
  description: string;
  tagBased: boolean;
  awarded: boolean;
}

const TIERS = ['GOLD', 'SILVER', 'BRONZE'] as const;

function shapeOf(b: { name: string; key?: string | null; tier: string; tagBased?: boolean | null }): BadgeShape {
  const rule = b.key ? RULES_BY_KEY.get(b.key) : undefined;
  const tier = b.tier as BadgeTier;
  if (rule) return { slug: rule.key, name: rule.name, tier: rule.tier, description: rule.description, tagBased: false, awarded: true };
  return {
    slug: badgeSlug(b),
    name: b.name,
    tier,
    description: b.tagBased ? tagBadgeDescription(b.name, tier) : `${b.name} (imported from Stack Exchange)`,
    tagBased: Boolean(b.tagBased),
    awarded: Boolean(b.tagBased),
  };
}

/** The badge of a page slug: a catalogue key or `tag-<tier>-<name>`; null when unknown. */
export function badgeOfSlug(slug: string): BadgeShape | null {
  const rule = RULES_BY_KEY.get(slug);
  if (rule) return shapeOf({ name: rule.name, key: rule.key, tier: rule.tier });
  const m = /^tag-(gold|silver|bronze)-(.+)$/.exec(slug);
  if (m) return shapeOf({ name: m[2]!, tier: m[1]!.toUpperCase(), tagBased: true });
  return null;
}

const BadgeTierEnum = builder.enumType('BadgeTier', { values: TIERS });

const cursorOf = (a: BadgeDoc) => encodeCursor(new Date(a.awardedAt).getTime(), a._id.toHexString());

async function awardsPage(deps: AppDeps, ids: string[]): Promise<BadgeDoc[]> {
  const docs = await deps.repos.badges.findByIdsOrdered(ids, (id) => String(id));
  return docs.filter((d): d is BadgeDoc => d !== null);
}

function forwardOnly(window: PageWindow): { at: number; id: string } | null {
  if (window.backward) throw new ValidationError('this list pages forward only (first/after)', 'last');
  return window.cursor ? { at: Number(window.cursor.key), id: window.cursor.id } : null;
}

export const BadgeAwardRef = builder.objectRef<BadgeDoc>('BadgeAward');

export const BadgeRef = builder.objectRef<BadgeShape>('Badge').implement({
  description: 'A badge (Stack Overflow’s rules): gold, silver or bronze.',
  fields: (t) => ({
    id: t.id({ resolve: (b) => Buffer.from(`Badge:${b.slug}`).toString('base64') }),
    name: t.exposeString('name'),
    slug: t.exposeString('slug', { description: 'Its page: /badges/<slug>' }),
    tier: t.field({ type: BadgeTierEnum, resolve: (b) => b.tier }),
    description: t.exposeString('description'),
    tagBased: t.exposeBoolean('tagBased'),
    awardedByColloquy: t.boolean({ description: 'False for imported badges Colloquy does not award', resolve: (b) => b.awarded }),
    url: t.string({ resolve: (b) => `/badges/${encodeURIComponent(b.slug)}` }),
    awardedCount: t.int({
      description: 'How many times it was awarded',
      resolve: async (b, _a, ctx) => (await badgeIndexOf(ctx.deps).holderCount([b.slug]))[0] ?? 0,
    }),
    holders: t.connection({
      type: BadgeAwardRef,
      description: 'Its awards, newest first.',
      resolve: async (b, args, ctx) => {
        const window = pageWindow(args, 30);
        const ids = await badgeIndexOf(ctx.deps).holders(b.slug, window.limit, forwardOnly(window));
        return toConnection(await awardsPage(ctx.deps, ids), window, cursorOf);
      },
    }),
  }),
});

BadgeAwardRef.implement({
  description: 'A badge awarded to a member.',
  fields: (t) => ({
    id: t.id({ resolve: (a) => Buffer.from(`BadgeAward:${a._id.toHexString()}`).toString('base64') }),
    badge: t.field({ type: BadgeRef, resolve: (a) => shapeOf(a) }),
    name: t.exposeString('name'),
    tier: t.field({ type: BadgeTierEnum, resolve: (a) => a.tier as BadgeTier }),
    user: t.field({ type: UserRef, resolve: (a) => a.userId.toHexString() }),
    awardedAt: t.field({ type: 'DateTime', resolve: (a) => a.awardedAt }),
    subjectId: t.string({
      nullable: true,
      description: 'The post, tag or year it was earned for (badges that repeat)',
      resolve: (a) => a.subjectId ?? null,
    }),
    imported: t.boolean({ resolve: (a) => Boolean(a.imported) }),
  }),
});

const BadgeCountsRef = builder.objectRef<{ gold: number; silver: number; bronze: number }>('BadgeCounts').implement({
  fields: (t) => ({ gold: t.exposeInt('gold'), silver: t.exposeInt('silver'), bronze: t.exposeInt('bronze') }),
});

builder.objectFields(UserRef, (t) => ({
  badgeCounts: t.field({
    type: BadgeCountsRef,
    resolve: (u) => ({ gold: u.badgeCounts?.gold ?? 0, silver: u.badgeCounts?.silver ?? 0, bronze: u.badgeCounts?.bronze ?? 0 }),
  }),
  badges: t.connection({
    type: BadgeAwardRef,
    description: 'The member’s badges, newest first.',
    resolve: async (u, args, ctx) => {
      const window = pageWindow(args, 30);
      const ids = await badgeIndexOf(ctx.deps).ofUser(u._id.toHexString(), window.limit, forwardOnly(window));
      return toConnection(await awardsPage(ctx.deps, ids), window, cursorOf);
    },
  }),
}));

builder.queryFields((t) => ({
  badges: t.field({
    type: [BadgeRef],
    description: 'The badges Colloquy awards (tag badges are named after their tag: see `badge`).',
    args: { tier: t.arg({ type: BadgeTierEnum, required: false }) },
    resolve: (_r, { tier }) =>
      BADGE_RULES.filter((r) => !tier || r.tier === tier).map((r) => shapeOf({ name: r.name, key: r.key, tier: r.tier })),
  }),
  badge: t.field({
    type: BadgeRef,
    nullable: true,
    description: 'A badge by name (tag badges: the tag name and a tier) or by its page slug.',
    args: {
      name: t.arg.string({ required: false }),
      tier: t.arg({ type: BadgeTierEnum, required: false }),
      slug: t.arg.string({ required: false }),
    },
    resolve: (_r, { name, tier, slug }) => {
      if (slug) return badgeOfSlug(slug);
      if (!name) throw new ValidationError('pass a name or a slug', 'name');
      const rule = RULES_BY_NAME.get(name);
      if (rule) return shapeOf({ name: rule.name, key: rule.key, tier: rule.tier });
      return tier ? shapeOf({ name, tier, tagBased: true }) : null;
    },
  }),
}));
