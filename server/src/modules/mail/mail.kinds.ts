// Kinds of e-mail and digest frequencies (shared by the model, the service and the API).
/** Kinds of immediate e-mail a member can turn off one by one (all on by default). */
export const MAIL_KINDS = ['ANSWER', 'MENTION', 'MODERATOR_MESSAGE'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export const DIGEST_FREQUENCIES = ['NONE', 'DAILY', 'WEEKLY'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];
