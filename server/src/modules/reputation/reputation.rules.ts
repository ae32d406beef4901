import { z } from 'zod';

/**
 * Reputation rules (Stack Overflow's defaults). Override any of them with the REPUTATION_RULES
 * variable, a JSON object of the keys below, e.g. REPUTATION_RULES='{"dailyCap":300}'.
 *
 * | key                | default | meaning                                                        |
 * |--------------------|---------|----------------------------------------------------------------|
 * | initial            | 1       | reputation of a new member                                     |
 * | floor              | 1       | reputation never goes below this                               |
 * | questionUpvoted    | 10      | to the asker, per upvote on the question                       |
 * | answerUpvoted      | 10      | to the answerer, per upvote on the answer                      |
 * | postDownvoted      | -2      | to the author, per downvote on a question or answer            |
 * | answerDownvoter    | -1      | to the voter, per downvote cast on an answer                   |
 * | answerAccepted     | 15      | to the answerer when the asker accepts the answer              |
 * | acceptorBonus      | 2       | to the asker for accepting (not for accepting their own answer)|
 * | dailyCap           | 200     | most reputation gained from upvotes per member per UTC day     |
 *
 * Accepts are exempt from the cap. Undoing a vote or an accept, or deleting a post, reverses
 * exactly the reputation that was awarded (after cap and floor).
 */
export const reputationRulesSchema = z
  .object({
    initial: z.number().int().min(1),
    floor: z.number().int(),
    questionUpvoted: z.number().int().min(0),
    answerUpvoted: z.number().int().min(0),
    postDownvoted: z.number().int().max(0),
    answerDownvoter: z.number().int().max(0),
    answerAccepted: z.number().int().min(0),
    acceptorBonus: z.number().int().min(0),
    dailyCap: z.number().int().min(0),
  })
  .strict();

export type ReputationRules = z.infer<typeof reputationRulesSchema>;

export const DEFAULT_REPUTATION_RULES: ReputationRules = Object.freeze({
  initial: 1,
  floor: 1,
  questionUpvoted: 10,
  answerUpvoted: 10,
  postDownvoted: -2,
  answerDownvoter: -1,
  answerAccepted: 15,
  acceptorBonus: 2,
  dailyCap: 200,
});

export function loadReputationRules(json: string | undefined): ReputationRules {
  if (!json) return DEFAULT_REPUTATION_RULES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('REPUTATION_RULES must be a JSON object');
  }
  const result = reputationRulesSchema.partial().safeParse(parsed);
  if (!result.success) throw new Error(`REPUTATION_RULES: ${result.error.issues[0]?.path.join('.')} ${result.error.issues[0]?.message}`);
  return Object.freeze({ ...DEFAULT_REPUTATION_RULES, ...result.data });
}

/** Reputation the author of a post receives for one vote of `value` (+1, -1, 0). */
export function voteAwardToAuthor(rules: ReputationRules, postType: 'question' | 'answer', value: number): number {
  if (value > 0) return postType === 'question' ? rules.questionUpvoted : rules.answerUpvoted;
  if (value < 0) return rules.postDownvoted;
  return 0;
}

/** Reputation the voter pays for a vote (downvoting an answer costs the voter). */
export function voteCostToVoter(rules: ReputationRules, postType: 'question' | 'answer', value: number): number {
  return value < 0 && postType === 'answer' ? rules.answerDownvoter : 0;
}

/**
 * The delta actually applied for a nominal amount, given the member's balance and what they
 * already earned from upvotes today. Pure: the ledger and the randomized test share it.
 */
export function effectiveDelta(rules: ReputationRules, nominal: number, balance: number, earnedToday: number, capped: boolean): number {
  let delta = nominal;
  if (capped && delta > 0) delta = Math.min(delta, Math.max(0, rules.dailyCap - earnedToday));
  if (delta < 0) delta = Math.max(delta, Math.min(0, rules.floor - balance));
  return delta;
}
