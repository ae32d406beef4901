import { z } from 'zod';

/**
 * Review queues, close/reopen/delete votes, protection (Stack Overflow's defaults). Override any
 * of them with the REVIEW_RULES variable, a JSON object of the keys below, e.g.
 * REVIEW_RULES='{"closeVotes":3,"reviewers":3}'. See docs/moderation.md.
 */
export const reviewRulesSchema = z
  .object({
    /** close votes that close a question (a moderator's vote, or the asker's duplicate confirmation, is binding) */
    closeVotes: z.number().int().min(1),
    /** reopen votes that reopen it */
    reopenVotes: z.number().int().min(1),
    /** delete votes (members with trustedUser) that delete a closed question… */
    deleteVotes: z.number().int().min(1),
    /** …whose score is at most this */
    deleteMaxScore: z.number().int(),
    /** reviews completing a task (one moderator's review always does) */
    reviewers: z.number().int().min(1),
    /** an answer this many days after its question goes to the late-answers queue */
    lateAnswerDays: z.number().min(0),
    /** a post voted down to this score goes to the low-quality queue */
    lowQualityScore: z.number().int(),
    /** reputation earned on the site a member needs to answer a protected question */
    protectedAnswerReputation: z.number().int().min(0),
    /** reputation an approved suggested edit earns its author */
    suggestedEditReputation: z.number().int().min(0),
  })
  .strict();

export type ReviewRules = z.infer<typeof reviewRulesSchema>;

export const DEFAULT_REVIEW_RULES: ReviewRules = Object.freeze({
  closeVotes: 5,
  reopenVotes: 5,
  deleteVotes: 3,
  deleteMaxScore: -3,
  reviewers: 2,
  lateAnswerDays: 30,
  lowQualityScore: -2,
  protectedAnswerReputation: 10,
  suggestedEditReputation: 2,
});

export function loadReviewRules(json: string | undefined): ReviewRules {
  if (!json) return DEFAULT_REVIEW_RULES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('REVIEW_RULES must be a JSON object');
  }
  const partial = reviewRulesSchema.partial().safeParse(parsed);
  if (!partial.success) {
    const issue = partial.error.issues[0];
    throw new Error(`REVIEW_RULES: ${issue?.path.join('.')} ${issue?.message}`);
  }
  return Object.freeze({ ...DEFAULT_REVIEW_RULES, ...partial.data });
}

const loaded = new WeakMap<object, ReviewRules>();

/** The rules of one process's configuration (parsed once). */
export function reviewRulesOf(ctx: { deps: { config: { reviewRules?: string | undefined } } }): ReviewRules {
  const config = ctx.deps.config;
  let rules = loaded.get(config);
  if (!rules) {
    rules = loadReviewRules(config.reviewRules);
    loaded.set(config, rules);
  }
  return rules;
}

/** The review queues (Stack Overflow's). */
export const REVIEW_QUEUES = ['FIRST_POSTS', 'LATE_ANSWERS', 'LOW_QUALITY', 'CLOSE_VOTES', 'REOPEN_VOTES', 'SUGGESTED_EDITS'] as const;
export type ReviewQueue = (typeof REVIEW_QUEUES)[number];

/** What a reviewer may answer in each queue (SKIP records that they saw it and counts for nothing). */
export const QUEUE_OUTCOMES: Readonly<Record<ReviewQueue, readonly ReviewOutcome[]>> = Object.freeze({
  FIRST_POSTS: ['LOOKS_OK', 'RECOMMEND_DELETION', 'SKIP'],
  LATE_ANSWERS: ['LOOKS_OK', 'RECOMMEND_DELETION', 'SKIP'],
  LOW_QUALITY: ['LOOKS_OK', 'RECOMMEND_DELETION', 'SKIP'],
  CLOSE_VOTES: ['CLOSE', 'LEAVE_OPEN', 'SKIP'],
  REOPEN_VOTES: ['REOPEN', 'LEAVE_CLOSED', 'SKIP'],
  SUGGESTED_EDITS: ['APPROVE', 'REJECT', 'SKIP'],
});

export const REVIEW_OUTCOMES = [
  'LOOKS_OK',
  'RECOMMEND_DELETION',
  'CLOSE',
  'LEAVE_OPEN',
  'REOPEN',
  'LEAVE_CLOSED',
  'APPROVE',
  'REJECT',
  'SKIP',
] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/** The privilege each queue needs (SO: first posts and late answers at 500, close/reopen at 3,000, low quality at 10,000). */
export const QUEUE_PRIVILEGE = Object.freeze({
  FIRST_POSTS: 'reviewFirstPosts',
  LATE_ANSWERS: 'reviewFirstPosts',
  LOW_QUALITY: 'moderatorTools',
  CLOSE_VOTES: 'closeReopenVotes',
  REOPEN_VOTES: 'closeReopenVotes',
  SUGGESTED_EDITS: 'editWithoutReview',
} as const);

/**
 * The decision a task's reviews reach: a moderator's non-skip review decides alone; otherwise the
 * first outcome `needed` reviewers agree on. Null while undecided.
 */
export function decide(reviews: ReadonlyArray<{ outcome: ReviewOutcome; binding: boolean }>, needed: number): ReviewOutcome | null {
  const counted = reviews.filter((r) => r.outcome !== 'SKIP');
  const binding = counted.find((r) => r.binding);
  if (binding) return binding.outcome;
  const tally = new Map<ReviewOutcome, number>();
  for (const r of counted) {
    const n = (tally.get(r.outcome) ?? 0) + 1;
    tally.set(r.outcome, n);
    if (n >= needed) return r.outcome;
  }
  return null;
}
