import { Schema, model, type InferSchemaType } from 'mongoose';

import { DIGEST_FREQUENCIES, type DigestFrequency } from './mail.kinds.js';

export { MAIL_KINDS, DIGEST_FREQUENCIES, type MailKind, type DigestFrequency } from './mail.kinds.js';

/** One member's e-mail preferences (`_id` = the member id; absent: the defaults). */
const mailPrefsSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** immediate e-mail kinds turned off */
    mutedKinds: { type: [String], default: [] },
    digest: { type: String, enum: DIGEST_FREQUENCIES, default: 'NONE' },
    /** questions up to this time were in a digest already (idempotent digests) */
    lastDigestAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'mail_prefs' },
);
// the digest job finds the members who want one (worker only)
mailPrefsSchema.index({ digest: 1 });

export type MailPrefsDoc = InferSchemaType<typeof mailPrefsSchema> & { _id: string; digest: DigestFrequency };
export const MailPrefsModel = model('MailPrefs', mailPrefsSchema);

/** Settings of the mail module (`_id` = name): the generated unsubscribe secret when MAIL_SECRET is unset. */
const mailSettingSchema = new Schema(
  { _id: { type: String, required: true }, value: { type: String, required: true } },
  { collection: 'mail_settings' },
);
export const MailSettingModel = model('MailSetting', mailSettingSchema);
