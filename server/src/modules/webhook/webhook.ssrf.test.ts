import { describe, expect, it } from 'vitest';
import { webhookBackoff, retrySpanMs } from './webhook.queue.js';
import { canManageWebhooks, wantsEvent } from './webhook.policy.js';
import { assertSafeTarget, isPrivateAddress, UnsafeTargetError } from './webhook.ssrf.js';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    'not-an-ip',
  ])('%s is refused', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );
});

describe('assertSafeTarget', () => {
  const publicDns = async () => ['93.184.216.34'];
  const rebinding = async () => ['93.184.216.34', '10.0.0.7'];

  it('accepts public http(s) targets', async () => {
    await expect(assertSafeTarget('https://hooks.example.com/x', { allowPrivate: false, resolve: publicDns })).resolves.toBeInstanceOf(URL);
  });

  it.each([
    ['http://127.0.0.1/', 'private'],
    ['http://0x7f000001/', 'private'],
    ['http://[::ffff:169.254.169.254]/', 'private'],
    ['http://localhost:3000/', 'localhost'],
    ['ftp://example.com/', 'http'],
    ['http://user:pw@example.com/', 'password'],
    ['not a url', 'absolute'],
  ])('refuses %s', async (url, reason) => {
    await expect(assertSafeTarget(url, { allowPrivate: false, resolve: publicDns })).rejects.toThrow(new RegExp(reason));
  });

  it('refuses a name with any private address', async () => {
    await expect(assertSafeTarget('https://hooks.example.com/', { allowPrivate: false, resolve: rebinding })).rejects.toBeInstanceOf(
      UnsafeTargetError,
    );
  });

  it('allows private targets only with the dev setting (still http(s) only)', async () => {
    await expect(assertSafeTarget('http://127.0.0.1:9/', { allowPrivate: true })).resolves.toBeInstanceOf(URL);
    await expect(assertSafeTarget('file:///etc/passwd', { allowPrivate: true })).rejects.toBeInstanceOf(UnsafeTargetError);
  });
});

describe('policy', () => {
  const viewer = (role: 'MEMBER' | 'ADMIN', via: 'session' | 'token', scopes: string[] = []) =>
    ({ id: 'x', handle: 'x', role, via, scopes }) as never;

  it('admins manage webhooks: sessions, or tokens with admin:webhooks', () => {
    expect(canManageWebhooks(null)).toBe(false);
    expect(canManageWebhooks(viewer('MEMBER', 'session'))).toBe(false);
    expect(canManageWebhooks(viewer('ADMIN', 'session'))).toBe(true);
    expect(canManageWebhooks(viewer('ADMIN', 'token', ['read', 'write']))).toBe(false);
    expect(canManageWebhooks(viewer('ADMIN', 'token', ['admin:webhooks']))).toBe(true);
    expect(canManageWebhooks(viewer('MEMBER', 'token', ['admin:webhooks']))).toBe(false);
  });

  it('a webhook wants active, subscribed events of its scope', () => {
    const site = { active: true, events: ['question.created'], spaceId: null };
    const space = { ...site, spaceId: 'a' };
    expect(wantsEvent(site, { type: 'question.created', spaceId: 'b' })).toBe(true);
    expect(wantsEvent(site, { type: 'answer.created', spaceId: 'b' })).toBe(false);
    expect(wantsEvent({ ...site, active: false }, { type: 'question.created' })).toBe(false);
    expect(wantsEvent(space, { type: 'question.created', spaceId: 'a' })).toBe(true);
    expect(wantsEvent(space, { type: 'question.created', spaceId: 'b' })).toBe(false);
  });
});

describe('backoff', () => {
  it('grows 3× per retry and spans about a day with the defaults', () => {
    expect([1, 2, 3].map((n) => webhookBackoff(100, n))).toEqual([100, 300, 900]);
    const hours = retrySpanMs(10_000, 10) / 3600_000;
    expect(hours).toBeGreaterThan(20);
    expect(hours).toBeLessThan(30);
  });
});
