import { z } from 'zod';

/**
 * Moderation rules (Stack Overflow's and Discourse's defaults): privilege thresholds, new-member
 * limits and flag handling. Override any of them with the MODERATION_RULES variable, a JSON object
 * of the keys below (nested objects merge), e.g. MODERATION_RULES='{"privileges":{"voteDown":100}}'.
 * See docs/moderation.md for the table.
 */
export const PRIVILEGE_NAMES = [
  'voteUp',
  'flag',
  'commentEverywhere',
  'voteDown',
  'reviewFirstPosts',
  'seeVoteCounts',
  'editWithoutReview',
  'closeReopenVotes',
  'moderatorTools',
  'protectQuestions',
  'trustedUser',
] as const;
export type PrivilegeName = (typeof PRIVILEGE_NAMES)[number];

const threshold = z.number().int().min(0);

export const moderationRulesSchema = z
  .object({
    privileges: z
      .object(Object.fromEntries(PRIVILEGE_NAMES.map((n) => [n, threshold])) as Record<PrivilegeName, typeof threshold>)
      .strict(),
    newMember: z
      .object({
        /** below this reputation a member is new… */
        reputationBelow: z.number().int().min(0),
        /** …or while their account is younger than this */
        accountAgeHours: z.number().min(0),
        maxLinksPerPost: z.number().int().min(0),
        imagesAllowed: z.boolean(),
        questionsPerDay: z.number().int().min(1),
        answersPerHour: z.number().int().min(1),
        commentsPerHour: z.number().int().min(1),
      })
      .strict(),
    flags: z
      .object({
        /** distinct spam / rude flags that hide a post pending review */
        autoHideAt: z.number().int().min(1),
        /** reputation the author loses when a moderator confirms spam or abuse */
        spamPenalty: z.number().int().max(0),
      })
      .strict(),
  })
  .strict();

export type ModerationRules = z.infer<typeof moderationRulesSchema>;

export const DEFAULT_MODERATION_RULES: ModerationRules = Object.freeze({
  privileges: Object.freeze({
    voteUp: 15,
    flag: 15,
    commentEverywhere: 50,
    voteDown: 125,
    reviewFirstPosts: 500,
    seeVoteCounts: 1000,
    editWithoutReview: 2000,
    closeReopenVotes: 3000,
    moderatorTools: 10000,
    protectQuestions: 15000,
    trustedUser: 20000,
  }),
  newMember: Object.freeze({
    reputationBelow: 10,
    accountAgeHours: 24,
    maxLinksPerPost: 2,
    imagesAllowed: false,
    questionsPerDay: 3,
    answersPerHour: 5,
    commentsPerHour: 10,
  }),
  flags: Object.freeze({ autoHideAt: 6, spamPenalty: -100 }),
});

export function loadModerationRules(json: string | undefined): ModerationRules {
  if (!json) return DEFAULT_MODERATION_RULES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('MODERATION_RULES must be a JSON object');
  }
  const partial = z
    .object({
      privileges: moderationRulesSchema.shape.privileges.partial().optional(),
      newMember: moderationRulesSchema.shape.newMember.partial().optional(),
      flags: moderationRulesSchema.shape.flags.partial().optional(),
    })
    .strict()
    .safeParse(parsed);
  if (!partial.success) {
    const issue = partial.error.issues[0];
    throw new Error(`MODERATION_RULES: ${issue?.path.join('.')} ${issue?.message}`);
  }
  const d = DEFAULT_MODERATION_RULES;
  return Object.freeze({
    privileges: Object.freeze({ ...d.privileges, ...partial.data.privileges }),
    newMember: Object.freeze({ ...d.newMember, ...partial.data.newMember }),
    flags: Object.freeze({ ...d.flags, ...partial.data.flags }),
  });
}

const loaded = new WeakMap<object, ModerationRules>();

/** The rules of one process's configuration (parsed once). */
export function moderationRulesOf(ctx: { deps: { config: { moderationRules?: string | undefined } } }): ModerationRules {
  const config = ctx.deps.config;
  let rules = loaded.get(config);
  if (!rules) {
    rules = loadModerationRules(config.moderationRules);
    loaded.set(config, rules);
  }
  return rules;
}
