import { describe, expect, it } from 'vitest';
import { unsubscribeToken, verifyUnsubscribeToken } from './mail.tokens.js';

const member = '0123456789abcdef01234567';

describe('unsubscribe tokens', () => {
  it('round-trips member and kind', () => {
    expect(verifyUnsubscribeToken('s3cret-s3cret-s3cret', unsubscribeToken('s3cret-s3cret-s3cret', member, 'ANSWER'))).toEqual({
      memberId: member,
      kind: 'ANSWER',
    });
  });
  it('refuses another secret, a tampered payload and garbage', () => {
    const token = unsubscribeToken('s3cret-s3cret-s3cret', member, 'ANSWER');
    expect(verifyUnsubscribeToken('other-secret-other', token)).toBeNull();
    const [, sig] = token.split('.');
    const forged = `${Buffer.from(`${member}:ALL`).toString('base64url')}.${sig}`;
    expect(verifyUnsubscribeToken('s3cret-s3cret-s3cret', forged)).toBeNull();
    expect(verifyUnsubscribeToken('s3cret-s3cret-s3cret', 'nonsense')).toBeNull();
  });
});
