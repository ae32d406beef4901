// The mail_prefs and mail_settings collections: the only code that touches them.
import { randomBytes } from 'node:crypto';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import { MailPrefsModel, MailSettingModel, type DigestFrequency, type MailKind, type MailPrefsDoc } from './mail.model.js';

export const DEFAULT_PREFS = { mutedKinds: [] as string[], digest: 'NONE' as DigestFrequency, lastDigestAt: null as Date | null };

export class MailRepository extends Repository<MailPrefsDoc> {
  constructor(storage: Storage) {
    super(storage, MailPrefsModel);
  }

  async prefsOf(memberId: string): Promise<Pick<MailPrefsDoc, 'mutedKinds' | 'digest' | 'lastDigestAt'>> {
    return (await this.findById(memberId)) ?? DEFAULT_PREFS;
  }

  /** Sets (part of) a member's preferences. */
  async setPrefs(memberId: string, set: { mutedKinds?: MailKind[]; digest?: DigestFrequency; lastDigestAt?: Date }): Promise<void> {
    await this.update(memberId, { $set: set }, { upsert: true });
  }

  /** Turns off one kind (or every kind and the digest: `ALL`). */
  async mute(memberId: string, kind: MailKind | 'DIGEST' | 'ALL', allKinds: readonly MailKind[]): Promise<void> {
    await this.storage.withLock(`mail-prefs:${memberId}`, async () => {
      const prefs = await this.prefsOf(memberId);
      if (kind === 'DIGEST') return this.setPrefs(memberId, { digest: 'NONE' });
      const muted = new Set(prefs.mutedKinds as MailKind[]);
      for (const k of kind === 'ALL' ? allKinds : [kind]) muted.add(k);
      await this.setPrefs(memberId, { mutedKinds: [...muted], ...(kind === 'ALL' ? { digest: 'NONE' as const } : {}) });
    });
  }

  /** Members who want a digest of this frequency (worker only). */
  async digestMembers(frequency: DigestFrequency): Promise<MailPrefsDoc[]> {
    return frequency === 'NONE' ? [] : this.findWhere({ digest: frequency });
  }

  /** The secret signing unsubscribe links when MAIL_SECRET is unset: made once, kept. */
  async generatedSecret(): Promise<string> {
    const found = (await MailSettingModel.findById('unsubscribe-secret').lean()) as { value: string } | null;
    if (found) return found.value;
    await MailSettingModel.updateOne(
      { _id: 'unsubscribe-secret' },
      { $setOnInsert: { value: randomBytes(32).toString('base64url') } },
      { upsert: true },
    );
    return ((await MailSettingModel.findById('unsubscribe-secret').lean()) as { value: string }).value;
  }
}
