import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

import { NOTIFICATION_KINDS, type NotificationKind } from './notification.kinds.js';

export { NOTIFICATION_KINDS, type NotificationKind };

/**
 * One inbox entry of one member. Entries of the same kind on the same question group while
 * unread ("3 new answers on …"): `subjectIds` lists the answers/comments/posts it stands for,
 * `eventIds` the activity events already counted (handlers are idempotent on them). Read by `_id`
 * only at request time; each member's inbox is a Redis sorted set of these ids
 * (notification.repository.ts), rebuilt from this collection by `rebuildInboxes`.
 */
const notificationSchema = new Schema(
  {
    recipientId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: NOTIFICATION_KINDS, required: true },
    /** `<kind>:<questionId>` while unread (grouping); null once read or gone */
    groupKey: { type: String, default: null },
    questionId: { type: Schema.Types.ObjectId, default: null },
    /** the post the entry links to (the newest answer, the commented post, the mentioning post) */
    postId: { type: Schema.Types.ObjectId, default: null },
    /** the answers / comments / posts this entry stands for (removed when they are deleted) */
    subjectIds: { type: [String], default: [] },
    actorIds: { type: [Schema.Types.ObjectId], default: [] },
    eventIds: { type: [String], default: [] },
    count: { type: Number, default: 1 },
    /** the time of the newest event it counts (the inbox's order) */
    at: { type: Date, required: true },
    /** a short text (moderator messages) */
    text: { type: String, default: null },
    readAt: { type: Date, default: null },
    /** the source was deleted: hidden from the inbox */
    goneAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'notifications' },
);
// worker / maintenance only: removal when a source is deleted, inbox rebuilds
notificationSchema.index({ subjectIds: 1 });
notificationSchema.index({ postId: 1 });
notificationSchema.index({ questionId: 1 });
notificationSchema.index({ recipientId: 1, at: -1 });

export type NotificationDoc = InferSchemaType<typeof notificationSchema> & {
  _id: Types.ObjectId;
  kind: NotificationKind;
  createdAt: Date;
  updatedAt: Date;
};
export const NotificationModel = model('Notification', notificationSchema);

/**
 * Who was already mentioned by one post or comment (`_id` = its id): an edit notifies only the
 * members it newly mentions.
 */
const mentionSchema = new Schema(
  {
    _id: { type: String, required: true },
    memberIds: { type: [String], default: [] },
  },
  { timestamps: true, collection: 'mentions' },
);
export type MentionDoc = InferSchemaType<typeof mentionSchema> & { _id: string };
export const MentionModel = model('Mention', mentionSchema);
