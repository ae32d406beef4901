// The kinds of inbox entries (shared by the model, the handler and the API).
/** What a notification is about (the GraphQL enum NotificationKind). */
export const NOTIFICATION_KINDS = [
  'ANSWER',
  'COMMENT',
  'MENTION',
  'ACCEPTED',
  'UNACCEPTED',
  'VERIFIED',
  'EDIT',
  'FOLLOWED_ACTIVITY',
  'MODERATOR_MESSAGE',
  'BOUNTY_AWARDED',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
