import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/**
 * One moderation or administrative action (append-only: never updated, never deleted). Read by
 * `_id`; the listings (everything, per actor, per target, per action) are Redis sorted sets of ids
 * (audit.repository.ts) rebuilt from this collection by `npm run verify -- --repair`.
 */
const auditSchema = new Schema(
  {
    at: { type: Date, required: true },
    /** who did it (null: the system, e.g. an automatic hide) */
    actorId: { type: Schema.Types.ObjectId, default: null },
    /** e.g. "flag.helpful", "post.hidden", "member.suspended", "question.closed" */
    action: { type: String, required: true },
    /** Question, Answer, Comment, User, Tag… */
    targetType: { type: String, required: true },
    targetId: { type: String, required: true },
    reason: { type: String, default: null },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    data: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'audit_log', versionKey: false },
);
auditSchema.index({ actorId: 1, _id: -1 });
auditSchema.index({ targetId: 1, _id: -1 });
auditSchema.index({ action: 1, _id: -1 });

export type AuditDoc = InferSchemaType<typeof auditSchema> & { _id: Types.ObjectId };
export const AuditModel = model('AuditEntry', auditSchema);
