// Flag reasons and subject kinds (pure: the model, services and GraphQL share them).
export const FLAG_REASONS = [
  'SPAM',
  'RUDE_OR_ABUSIVE',
  'NEEDS_IMPROVEMENT',
  'NOT_AN_ANSWER',
  'DUPLICATE',
  'NEEDS_MODERATOR_ATTENTION',
] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];
/** reasons that count toward hiding a post pending review */
export const HIDING_REASONS: ReadonlySet<string> = new Set(['SPAM', 'RUDE_OR_ABUSIVE']);
export const FLAG_SUBJECT_TYPES = ['Question', 'Answer', 'Comment', 'User'] as const;
export type FlagSubjectType = (typeof FLAG_SUBJECT_TYPES)[number];
