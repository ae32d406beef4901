import { Schema, model, type InferSchemaType } from 'mongoose';
import { TOKEN_SCOPES } from '../../lib/scopes.js';

/** A sign-in session. `_id` is the SHA-256 of the opaque session id (the cookie value). */
const sessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
    userAgent: { type: String, default: null },
    ip: { type: String, default: null },
    lastSeenAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'sessions' },
);
sessionSchema.index({ userId: 1 });
sessionSchema.index({ expiresAt: 1 });

export type SessionDoc = InferSchemaType<typeof sessionSchema>;
export const SessionModel = model('Session', sessionSchema);

/** A personal API token (Bearer). Only its SHA-256 is stored. */
const apiTokenSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    /** lib/scopes.ts TOKEN_SCOPES; `write` on tokens made before them (= every write:*) */
    scopes: { type: [String], enum: [...TOKEN_SCOPES, 'write'], required: true },
    tokenHash: { type: String, required: true },
    /** the first characters of the token, shown to help people recognise it */
    prefix: { type: String, required: true },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    /** null: never expires */
    expiresAt: { type: Date, default: null },
    /** an organisation's token: made by one of its admins, acts as that member, listed and revoked by its admins */
    organizationId: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, collection: 'api_tokens' },
);
apiTokenSchema.index({ tokenHash: 1 }, { unique: true });
apiTokenSchema.index({ userId: 1, createdAt: -1 });
apiTokenSchema.index({ organizationId: 1, createdAt: -1 });

export const ApiTokenModel = model('ApiToken', apiTokenSchema);
