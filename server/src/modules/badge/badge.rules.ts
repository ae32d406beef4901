// The badges Colloquy awards (Stack Overflow's rules): what each one is for, its tier, whether it
// repeats per subject (a post, a tag, a year) and the activity that can earn it. badge.awards.ts
// evaluates them on events and in the periodic job; nothing here touches a database.
import { BADGE_CATALOGUE } from './badge.catalogue.js';

export type BadgeTier = 'GOLD' | 'SILVER' | 'BRONZE';

/** What a rule is checked on: an activity of the member (as actor or as author), or the periodic job. */
export type BadgeTrigger = 'post-score' | 'vote-cast' | 'accept' | 'edit' | 'comment' | 'delete' | 'flag' | 'profile' | 'periodic' | 'tag';

export interface BadgeRule {
  key: string;
  name: string;
  tier: BadgeTier;
  description: string;
  /** awarded once per subject (post, tag, year) instead of once per member */
  perSubject: boolean;
  trigger: BadgeTrigger;
}

/** Stack Overflow's thresholds, in one place (tests and docs quote them). */
export const THRESHOLDS = {
  nice: 10,
  good: 25,
  great: 100,
  enlightened: 10,
  guru: 40,
  necromancerDays: 60,
  necromancerScore: 5,
  revivalDays: 30,
  revivalScore: 2,
  selfLearner: 3,
  populistAccepted: 10,
  reversalAnswer: 20,
  reversalQuestion: -5,
  commentator: 10,
  strunkAndWhite: 80,
  copyEditor: 500,
  civicDuty: 300,
  suffrage: 30,
  voxPopuli: 40,
  mortarboard: 200,
  peerPressure: -3,
  disciplined: 3,
  popularViews: 1000,
  notableViews: 2500,
  famousViews: 10000,
  yearlingRep: 200,
  tumbleweedDays: 7,
  tumbleweedViews: 50,
  tag: {
    BRONZE: { score: 100, answers: 20 },
    SILVER: { score: 400, answers: 80 },
    GOLD: { score: 1000, answers: 200 },
  },
} as const;

const T = THRESHOLDS;

function rule(name: string, tier: BadgeTier, trigger: BadgeTrigger, description: string, perSubject = false): BadgeRule {
  const key = BADGE_CATALOGUE.get(name);
  if (!key) throw new Error(`badge "${name}" is not in the catalogue`);
  return { key, name, tier, trigger, description, perSubject };
}

export const BADGE_RULES: readonly BadgeRule[] = [
  rule('Student', 'BRONZE', 'post-score', 'First question with a score of 1 or more'),
  rule('Teacher', 'BRONZE', 'post-score', 'Answer a question with a score of 1 or more'),
  rule('Nice Question', 'BRONZE', 'post-score', `Question score of ${T.nice} or more`, true),
  rule('Good Question', 'SILVER', 'post-score', `Question score of ${T.good} or more`, true),
  rule('Great Question', 'GOLD', 'post-score', `Question score of ${T.great} or more`, true),
  rule('Nice Answer', 'BRONZE', 'post-score', `Answer score of ${T.nice} or more`, true),
  rule('Good Answer', 'SILVER', 'post-score', `Answer score of ${T.good} or more`, true),
  rule('Great Answer', 'GOLD', 'post-score', `Answer score of ${T.great} or more`, true),
  rule('Enlightened', 'SILVER', 'post-score', `First to answer and accepted with a score of ${T.enlightened} or more`, true),
  rule('Guru', 'SILVER', 'post-score', `Accepted answer with a score of ${T.guru} or more`, true),
  rule(
    'Necromancer',
    'SILVER',
    'post-score',
    `Answer a question more than ${T.necromancerDays} days later with a score of ${T.necromancerScore} or more`,
    true,
  ),
  rule(
    'Revival',
    'BRONZE',
    'post-score',
    `First answer, more than ${T.revivalDays} days after the question, with a score of ${T.revivalScore} or more`,
    true,
  ),
  rule('Self-Learner', 'BRONZE', 'post-score', `Answer your own question with a score of ${T.selfLearner} or more`, true),
  rule(
    'Populist',
    'GOLD',
    'post-score',
    `Answer that outscored an accepted answer with a score of ${T.populistAccepted} or more by 2×`,
    true,
  ),
  rule(
    'Reversal',
    'GOLD',
    'post-score',
    `Answer with a score of ${T.reversalAnswer} or more to a question with a score of ${T.reversalQuestion} or less`,
    true,
  ),
  rule('Mortarboard', 'BRONZE', 'post-score', `Earn ${T.mortarboard} reputation from votes in one day`),
  rule('Supporter', 'BRONZE', 'vote-cast', 'First upvote'),
  rule('Critic', 'BRONZE', 'vote-cast', 'First downvote'),
  rule('Civic Duty', 'SILVER', 'vote-cast', `Vote on ${T.civicDuty} or more posts`),
  rule('Suffrage', 'BRONZE', 'vote-cast', `Vote on ${T.suffrage} posts in one day`),
  rule('Vox Populi', 'BRONZE', 'vote-cast', `Vote on ${T.voxPopuli} posts in one day`),
  rule('Scholar', 'BRONZE', 'accept', 'Ask a question and accept an answer'),
  rule('Editor', 'BRONZE', 'edit', 'First edit'),
  rule('Strunk & White', 'SILVER', 'edit', `Edit ${T.strunkAndWhite} posts`),
  rule('Copy Editor', 'GOLD', 'edit', `Edit ${T.copyEditor} posts`),
  rule('Commentator', 'BRONZE', 'comment', `Leave ${T.commentator} comments`),
  rule('Peer Pressure', 'BRONZE', 'delete', `Delete your own post with a score of ${T.peerPressure} or less`),
  rule('Disciplined', 'BRONZE', 'delete', `Delete your own post with a score of ${T.disciplined} or more`),
  rule('Citizen Patrol', 'BRONZE', 'flag', 'First flagged post'),
  rule('Autobiographer', 'BRONZE', 'profile', 'Complete the “About me” section of your profile'),
  rule('Popular Question', 'BRONZE', 'periodic', `Question with ${T.popularViews} views`, true),
  rule('Notable Question', 'SILVER', 'periodic', `Question with ${T.notableViews} views`, true),
  rule('Famous Question', 'GOLD', 'periodic', `Question with ${T.famousViews} views`, true),
  rule('Yearling', 'SILVER', 'periodic', `Active member for a year, earning at least ${T.yearlingRep} reputation`, true),
  rule('Tumbleweed', 'BRONZE', 'periodic', `Question with no votes, no answers, no comments and few views for a week`, true),
];

export const RULES_BY_NAME: ReadonlyMap<string, BadgeRule> = new Map(BADGE_RULES.map((r) => [r.name, r]));
export const RULES_BY_KEY: ReadonlyMap<string, BadgeRule> = new Map(BADGE_RULES.map((r) => [r.key, r]));

/** Tag badges (named after their tag): the tiers a member's answers in a tag have reached. */
export function tagBadgeTiers(score: number, answers: number): BadgeTier[] {
  return (['BRONZE', 'SILVER', 'GOLD'] as const).filter((tier) => score >= T.tag[tier].score && answers >= T.tag[tier].answers);
}

export function tagBadgeDescription(tag: string, tier: BadgeTier): string {
  return `Earn at least ${T.tag[tier].score} total score for at least ${T.tag[tier].answers} non-community wiki answers in the ${tag} tag`;
}

/**
 * A badge's page slug: the catalogue key for catalogue badges, `tag-<tier>-<name>` for tag badges
 * and `x-<slug>` for imported badges Colloquy does not award.
 */
export function badgeSlug(b: { name: string; key?: string | null; tier: string; tagBased?: boolean | null }): string {
  if (b.key) return b.key;
  const slug = b.name
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9+#.]+/g, '-');
  return b.tagBased ? `tag-${b.tier.toLowerCase()}-${slug}` : `x-${slug}`;
}
