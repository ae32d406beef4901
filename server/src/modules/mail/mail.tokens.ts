// Signed one-click unsubscribe tokens: `<base64url(memberId:kind)>.<HMAC-SHA256>` — they work
// without a session, name exactly one member and one kind of mail, and cannot be forged without
// the secret (MAIL_SECRET, or the generated one). Pure (unit-tested beside it).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const UNSUBSCRIBE_KINDS = ['ANSWER', 'MENTION', 'MODERATOR_MESSAGE', 'DIGEST', 'ALL'] as const;
export type UnsubscribeKind = (typeof UNSUBSCRIBE_KINDS)[number];

const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(`unsubscribe:${payload}`).digest('base64url');

export function unsubscribeToken(secret: string, memberId: string, kind: UnsubscribeKind): string {
  const payload = `${memberId}:${kind}`;
  return `${Buffer.from(payload).toString('base64url')}.${sign(secret, payload)}`;
}

/** The member and kind a token names, or null when it is not one we signed. */
export function verifyUnsubscribeToken(secret: string, token: string): { memberId: string; kind: UnsubscribeKind } | null {
  const m = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const payload = Buffer.from(m[1]!, 'base64url').toString('utf8');
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(m[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const [memberId, kind] = payload.split(':');
  if (!memberId || !/^[0-9a-f]{24}$/.test(memberId) || !UNSUBSCRIBE_KINDS.includes(kind as UnsubscribeKind)) return null;
  return { memberId, kind: kind as UnsubscribeKind };
}
