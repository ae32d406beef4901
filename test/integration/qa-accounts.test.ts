// Accounts over GraphQL: sign-up, sign-in, sessions, profiles, API tokens, and the admin command.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../../scripts/lib/paths.js';
import { ERRORS, PASSWORD, Q, countAll, createSpace, member, payloadErrors, snapshot, type ErrorData } from '../factories/qa.js';
import { startHarness, type Agent, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.reset();
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const db = () => mongoose.connection.db!;
const VIEWER = `{ viewer { id handle role affiliation reputation } }`;
const RATE_ERRORS = `errors { __typename code message ... on ValidationError { field path } ... on RateLimitedError { retryAfterSeconds } }`;

const signUpInput = (handle: string, extra: Record<string, string> = {}) => ({
  handle,
  email: `${handle}@example.test`,
  password: `correct horse ${handle} battery`.replace(handle, 'stapler'),
  displayName: `The ${handle}`,
  ...extra,
});

async function signUp(agent: Agent, input: Record<string, string>) {
  const r = await agent.gql<{ signUp: { viewer: { id: string; handle: string } | null; errors: ErrorData[] } }>(Q.signUp, { input });
  expect(r.errors).toBeUndefined();
  return r.data.signUp;
}

async function signIn(agent: Agent, login: string, password: string) {
  const r = await agent.gql<{
    signIn: { viewer: { id: string; handle: string } | null; errors: Array<ErrorData & { retryAfterSeconds?: number }> };
  }>(`mutation($input: SignInInput!) { signIn(input: $input) { viewer { id handle } ${RATE_ERRORS} } }`, { input: { login, password } });
  expect(r.errors).toBeUndefined();
  return { ...r.data.signIn, setCookie: r.headers.getSetCookie() };
}

async function viewerOf(agent: Agent) {
  const r = await agent.gql<{
    viewer: { id: string; handle: string; role: string; affiliation: string | null; reputation: number } | null;
  }>(VIEWER);
  expect(r.errors).toBeUndefined();
  return r.data.viewer;
}

describe('signUp', () => {
  it('creates a member with reputation 1, a hashed password and a session', async () => {
    const agent = h.agent();
    const payload = await signUp(agent, signUpInput('alice'));
    expect(payload.errors).toEqual([]);
    expect(payload.viewer?.handle).toBe('alice');
    const me = await viewerOf(agent);
    expect(me).toMatchObject({ handle: 'alice', role: 'MEMBER', reputation: 1 });
    const user = await db().collection('users').findOne({ handleKey: 'alice' });
    expect(user?.passwordHash).toMatch(/^\$argon2id\$v=19\$/);
    const params = String(user?.passwordHash).split('$')[3]!.split(',').sort();
    expect(params).toEqual(['m=19456', 'p=1', 't=2']); // OWASP baseline: 19 MiB, t = 2, p = 1
    expect(JSON.stringify(user)).not.toContain('stapler');
    // the opening ledger event
    expect(
      await db()
        .collection('reputation_events')
        .findOne({ _id: `join:${String(user!._id)}` as never }),
    ).toMatchObject({ delta: 1, balance: 1, reason: 'JOINED' });
  });

  it.each([
    ['handle', { handle: 'a!' }],
    ['handle', { handle: 'xy' }],
    ['email', { email: 'not-an-email' }],
    ['password', { password: 'short' }],
    ['password', { password: 'my-name-is-carol-ok' }],
    ['displayName', { displayName: '   ' }],
    ['displayName', { displayName: 'x'.repeat(61) }],
  ])('names the field %s on a VALIDATION failure (%o) and writes nothing', async (field, override) => {
    const before = await countAll();
    const input = { ...signUpInput('carol'), ...override };
    const agent = h.agent();
    const payload = await signUp(agent, input);
    expect(payload.viewer).toBeNull();
    expect(payload.errors.length).toBeGreaterThan(0);
    expect(payload.errors[0]).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field, path: ['input', field] });
    expect(await countAll()).toEqual(before);
    expect(agent.cookie).toBe('');
  });

  it('refuses a taken handle or email (case-insensitively) and writes nothing', async () => {
    await member(h, 'alice');
    const before = await countAll();
    const byHandle = await signUp(h.agent(), signUpInput('ALICE', { email: 'other@example.test' }));
    expect(byHandle.viewer).toBeNull();
    expect(byHandle.errors).toEqual([expect.objectContaining({ code: 'VALIDATION', field: 'handle' })]);
    const byEmail = await signUp(h.agent(), signUpInput('alice2', { email: 'Alice@Example.TEST' }));
    expect(byEmail.viewer).toBeNull();
    expect(byEmail.errors).toEqual([expect.objectContaining({ code: 'VALIDATION', field: 'email' })]);
    expect(await countAll()).toEqual(before);
  });
});

describe('signIn and sessions', () => {
  const password = PASSWORD;

  it('signs in by handle or email; unknown user and wrong password fail with the identical generic error', async () => {
    await member(h, 'alice');
    const byHandle = await signIn(h.agent(), 'alice', password);
    expect(byHandle.viewer?.handle).toBe('alice');
    const byEmail = await signIn(h.agent(), 'ALICE@example.test', password);
    expect(byEmail.viewer?.handle).toBe('alice');

    const wrong = await signIn(h.agent(), 'alice', 'not the password at all');
    const unknown = await signIn(h.agent(), 'nobody-here', 'not the password at all');
    const unknownEmail = await signIn(h.agent(), 'nobody@example.test', password);
    for (const r of [wrong, unknown, unknownEmail]) {
      expect(r.viewer).toBeNull();
      expect(r.setCookie).toEqual([]);
      expect(r.errors).toHaveLength(1);
    }
    expect(wrong.errors[0]).toEqual(unknown.errors[0]);
    expect(unknownEmail.errors[0]).toEqual(unknown.errors[0]);
    expect(unknown.errors[0]).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Incorrect handle/email or password.' });
  });

  it('rate-limits after 10 tries per login: the 11th is RATE_LIMITED even with the right password', async () => {
    await member(h, 'alice');
    for (let i = 0; i < 10; i++) {
      const r = await signIn(h.agent(), 'alice', `wrong password ${i}`);
      expect(r.errors[0]?.code).toBe('UNAUTHENTICATED');
    }
    const limited = await signIn(h.agent(), 'alice', password);
    expect(limited.viewer).toBeNull();
    expect(limited.setCookie).toEqual([]);
    expect(limited.errors[0]).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
    expect(limited.errors[0]!.retryAfterSeconds).toBeGreaterThan(0);
    // an unknown login is limited the same way (no enumeration through the limiter)
    for (let i = 0; i < 10; i++) await signIn(h.agent(), 'ghost', `wrong password ${i}`);
    expect((await signIn(h.agent(), 'ghost', 'whatever password')).errors[0]?.code).toBe('RATE_LIMITED');
    // another member is not affected
    await member(h, 'bob');
    expect((await signIn(h.agent(), 'bob', PASSWORD)).viewer?.handle).toBe('bob');
  });

  it('sets an HttpOnly, SameSite=Lax, Path=/ cookie with a fresh opaque id at each sign-in, stored hashed', async () => {
    await member(h, 'alice');
    const agent = h.agent();
    const first = await signIn(agent, 'alice', password);
    const firstCookie = agent.cookie;
    const second = await signIn(agent, 'alice', password);
    const secondCookie = agent.cookie;
    for (const r of [first, second]) {
      const header = r.setCookie.find((c) => c.startsWith('colloquy_session='));
      expect(header).toBeDefined();
      expect(header).toMatch(/;\s*HttpOnly/i);
      expect(header).toMatch(/;\s*SameSite=Lax/i);
      expect(header).toMatch(/;\s*Path=\/(;|$)/);
      expect(header).toMatch(/;\s*Expires=/);
      expect(header).not.toMatch(/;\s*Secure/i); // plain http in tests; Secure behind TLS
    }
    expect(firstCookie).not.toBe(secondCookie);
    const ids = [firstCookie, secondCookie].map((c) => c.slice('colloquy_session='.length));
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{43,}$/); // >= 256 random bits, base64url
      expect(
        await db()
          .collection('sessions')
          .findOne({ _id: id as never }),
      ).toBeNull();
      expect(
        await db()
          .collection('sessions')
          .findOne({ _id: sha256(id) as never }),
      ).not.toBeNull();
    }
    expect((await viewerOf(agent))?.handle).toBe('alice');
  });

  it('signOut revokes the session: the old cookie no longer authenticates', async () => {
    const alice = await member(h, 'alice');
    expect((await viewerOf(alice))?.handle).toBe('alice'); // also warms the identity cache
    const oldCookie = alice.cookie;
    const other = h.agent();
    await signIn(other, 'alice', password); // a second device
    const out = await alice.must<{ signOut: { ok: boolean } }>(Q.signOut);
    expect(out.signOut.ok).toBe(true);
    expect(alice.cookie).toBe('');
    const replay = h.agent();
    replay.cookie = oldCookie;
    expect(await viewerOf(replay)).toBeNull();
    const r = await replay.gql(`mutation { updateProfile(input: { displayName: "Hijacked" }) { user { id } ${ERRORS} } }`);
    expect(payloadErrors(r.data)[0]?.code).toBe('UNAUTHENTICATED');
    // the other device stays signed in
    expect((await viewerOf(other))?.handle).toBe('alice');
    const user = await db().collection('users').findOne({ handleKey: 'alice' });
    expect(user?.displayName).toBe('alice');
  });
});

describe('updateProfile', () => {
  const UPDATE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) {
    user { displayName bio bioHTML location websiteUrl socialLinks { label url } expertiseTags } ${ERRORS} } }`;

  it('updates the profile and renders the bio as sanitized HTML', async () => {
    const alice = await member(h, 'alice');
    const r = await alice.must<{ updateProfile: { user: Record<string, unknown> } }>(UPDATE, {
      input: {
        displayName: 'Alice A.',
        bio: 'I build **widgets**. <script>alert(1)</script>',
        location: 'Lisbon',
        websiteUrl: 'https://alice.example',
        socialLinks: [{ label: 'GitHub', url: 'https://github.com/alice' }],
        expertiseTags: ['TypeScript', 'node.js', 'typescript'],
      },
    });
    const user = r.updateProfile.user;
    expect(user).toMatchObject({
      displayName: 'Alice A.',
      location: 'Lisbon',
      websiteUrl: 'https://alice.example',
      socialLinks: [{ label: 'GitHub', url: 'https://github.com/alice' }],
    });
    expect(user.bioHTML).toContain('<strong>widgets</strong>');
    expect(String(user.bioHTML)).not.toMatch(/<script/i);
    expect([...(user.expertiseTags as string[])].sort()).toEqual(['node.js', 'typescript']);
  });

  it.each([
    ['websiteUrl', { websiteUrl: 'not a url' }],
    ['websiteUrl', { websiteUrl: 'javascript:alert(1)' }],
    ['socialLinks.0.url', { socialLinks: [{ label: 'x', url: 'ftp://files.example' }] }],
    ['expertiseTags', { expertiseTags: Array.from({ length: 11 }, (_, i) => `tag${i}`) }],
    ['expertiseTags.0', { expertiseTags: ['C++ Lang!'] }],
    ['bio', { bio: 'x'.repeat(3001) }],
  ])('rejects a bad %s with a VALIDATION error naming it and changes nothing', async (field, input) => {
    const alice = await member(h, 'alice');
    const before = await snapshot(['users']);
    const r = await alice.gql(UPDATE, { input: { displayName: 'Changed', ...input } });
    expect(r.errors).toBeUndefined();
    expect(r.data.updateProfile.user).toBeNull();
    expect(payloadErrors(r.data)[0]).toMatchObject({ code: 'VALIDATION', field });
    expect(await snapshot(['users'])).toBe(before);
  });

  it('requires a signed-in member', async () => {
    const r = await h.agent().gql(UPDATE, { input: { displayName: 'Anon' } });
    expect(payloadErrors(r.data)[0]?.code).toBe('UNAUTHENTICATED');
  });
});

describe('API tokens', () => {
  const CREATE = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id name scopes prefix lastUsedAt revokedAt } ${ERRORS} } }`;
  const REVOKE = `mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { apiToken { id revokedAt } ${ERRORS} } }`;
  const PROFILE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { displayName } ${ERRORS} } }`;

  async function createToken(agent: Agent, name: string, scopes: Array<'READ' | 'WRITE'>) {
    const r = await agent.must<{
      createApiToken: {
        token: string;
        apiToken: { id: string; name: string; scopes: string[]; prefix: string; lastUsedAt: string | null };
      };
    }>(CREATE, { input: { name, scopes } });
    return r.createApiToken;
  }

  it('shows the secret once, stores only its hash, and lets a Bearer token read', async () => {
    const alice = await member(h, 'alice');
    const created = await createToken(alice, 'ci', ['READ']);
    expect(created.token).toMatch(/^cq_[A-Za-z0-9_-]{43}$/);
    expect(created.apiToken).toMatchObject({ name: 'ci', scopes: ['READ'], prefix: created.token.slice(0, 7), lastUsedAt: null });
    const stored = await db().collection('api_tokens').findOne({});
    expect(stored?.tokenHash).toBe(sha256(created.token));
    expect(JSON.stringify(stored)).not.toContain(created.token);
    // later listings never show the secret again
    const listed = await alice.gql(`{ viewer { apiTokens { id name prefix scopes } } }`);
    expect(listed.data.viewer.apiTokens).toEqual([
      { id: created.apiToken.id, name: 'ci', prefix: created.token.slice(0, 7), scopes: ['READ'] },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const bot = h.agent();
    bot.token = created.token;
    expect((await viewerOf(bot))?.handle).toBe('alice');
    // lastUsedAt is recorded (asynchronously, at most once a minute)
    await vi.waitFor(
      async () => {
        expect((await db().collection('api_tokens').findOne({ _id: stored!._id }))?.lastUsedAt).toBeInstanceOf(Date);
      },
      { timeout: 10_000 },
    );
    const after = await alice.gql(`{ viewer { apiTokens { lastUsedAt } } }`);
    expect(after.data.viewer.apiTokens[0].lastUsedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const garbage = h.agent();
    garbage.token = `${created.token.slice(0, -2)}xx`;
    // an unknown token is refused (401), never served as anonymous
    const refused = await garbage.gql(`{ viewer { handle } }`);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a read-only token cannot mutate (FORBIDDEN); a write token can; tokens cannot mint tokens', async () => {
    const alice = await member(h, 'alice');
    const read = await createToken(alice, 'reader', ['READ']);
    const write = await createToken(alice, 'writer', ['WRITE']);
    expect(write.apiToken.scopes.sort()).toEqual(['READ', 'WRITE']);
    const reader = h.agent();
    reader.token = read.token;
    const denied = await reader.gql(PROFILE, { input: { displayName: 'From reader' } });
    expect(denied.data.updateProfile.user).toBeNull();
    expect(payloadErrors(denied.data)[0]).toMatchObject({ code: 'FORBIDDEN' });
    expect((await db().collection('users').findOne({ handleKey: 'alice' }))?.displayName).toBe('alice');

    const writer = h.agent();
    writer.token = write.token;
    // the profile is session-only (test/integration/api-scopes.test.ts has the whole scope matrix)
    const profile = await writer.gql(PROFILE, { input: { displayName: 'From writer' } });
    expect(payloadErrors(profile.data)[0]).toMatchObject({
      code: 'FORBIDDEN',
      message: 'API tokens cannot do this: sign in to the site instead.',
    });
    // … while the legacy write scope passes write:votes (the question does not exist: NOT_FOUND, not FORBIDDEN)
    const voted = await writer.gql(
      `mutation { vote(input: { subjectId: "UXVlc3Rpb246NjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw", direction: UP }) { errors { code } } }`,
    );
    expect(payloadErrors(voted.data)[0]?.code).toBe('NOT_FOUND');

    const mint = await writer.gql(CREATE, { input: { name: 'nested', scopes: ['WRITE'] } });
    expect(payloadErrors(mint.data)[0]?.code).toBe('FORBIDDEN');
    expect(await db().collection('api_tokens').countDocuments({})).toBe(2);
  });

  it('revoking a token stops it working at once; others cannot revoke it', async () => {
    const alice = await member(h, 'alice');
    const bob = await member(h, 'bob');
    const created = await createToken(alice, 'ci', ['WRITE']);
    const bot = h.agent();
    bot.token = created.token;
    expect((await viewerOf(bot))?.handle).toBe('alice'); // cached identity now

    const stolen = await bob.gql(REVOKE, { input: { apiTokenId: created.apiToken.id } });
    expect(payloadErrors(stolen.data)[0]?.code).toBe('NOT_FOUND');
    expect((await viewerOf(bot))?.handle).toBe('alice');

    const revoked = await alice.must<{ revokeApiToken: { apiToken: { revokedAt: string } } }>(REVOKE, {
      input: { apiTokenId: created.apiToken.id },
    });
    expect(revoked.revokeApiToken.apiToken.revokedAt).toBeTruthy();
    // a revoked token is refused (401) for reads and writes alike
    const read = await bot.gql(`{ viewer { handle } }`);
    expect(read.status).toBe(401);
    expect(read.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const r = await bot.gql(PROFILE, { input: { displayName: 'After revoke' } });
    expect(r.status).toBe(401);
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('validates the token input', async () => {
    const alice = await member(h, 'alice');
    const noScope = await alice.gql(CREATE, { input: { name: 'x', scopes: [] } });
    expect(payloadErrors(noScope.data)[0]).toMatchObject({ code: 'VALIDATION', field: 'scopes' });
    const noName = await alice.gql(CREATE, { input: { name: '  ', scopes: ['READ'] } });
    expect(payloadErrors(noName.data)[0]).toMatchObject({ code: 'VALIDATION', field: 'name' });
    expect(await db().collection('api_tokens').countDocuments({})).toBe(0);
  });
});

describe('scripts/admin.ts', () => {
  let searchDir: string;
  beforeAll(() => {
    searchDir = mkdtempSync(join(tmpdir(), 'colloquy-admin-search-'));
  });
  afterAll(() => rmSync(searchDir, { recursive: true, force: true }));

  function admin(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'scripts/admin.ts'), ...args],
        {
          cwd: repoRoot,
          timeout: 60_000,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            MONGODB_URL: h.deps.config.mongodbUrl,
            REDIS_URL: h.deps.config.redisUrl,
            REDIS_PREFIX: h.deps.config.redisPrefix,
            SEARCH_DATA_DIR: searchDir,
            LOG_LEVEL: 'silent',
            ...env,
          },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it('create-admin creates an ADMIN who can sign in and create spaces; refuses a taken handle', async () => {
    const r = await admin(['create-admin', '--handle', 'root', '--email', 'root@example.test', '--password', 'a long admin password']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/created admin @root/);
    const agent = h.agent();
    expect((await signIn(agent, 'root', 'a long admin password')).viewer?.handle).toBe('root');
    expect(await viewerOf(agent)).toMatchObject({ role: 'ADMIN', reputation: 1 });
    expect((await createSpace(agent, 'acme')).slug).toBe('acme');

    const again = await admin(['create-admin', '--handle', 'ROOT', '--email', 'other@example.test', '--password', 'a long admin password']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/handle is taken/);
    expect(await db().collection('users').countDocuments({})).toBe(1);
  });

  it('create-admin reads the password from COLLOQUY_ADMIN_PASSWORD and validates its input', async () => {
    const r = await admin(['create-admin', '--handle', 'ops', '--email', 'ops@example.test'], {
      COLLOQUY_ADMIN_PASSWORD: 'password from env',
    });
    expect(r.code).toBe(0);
    expect((await signIn(h.agent(), 'ops', 'password from env')).viewer?.handle).toBe('ops');
    const bad = await admin(['create-admin', '--handle', 'x', '--email', 'nope', '--password', 'short']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--handle: /);
    expect(bad.stderr).toMatch(/--email: /);
    expect(bad.stderr).toMatch(/--password: /);
    const usage = await admin(['create-admin', '--email', 'a@example.test']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/needs --handle/);
    expect(await db().collection('users').countDocuments({})).toBe(1);
  });

  it('grant sets roles (STAFF with an affiliation) effective at once; clear errors for unknown handle or role', async () => {
    const bob = await member(h, 'bob');
    expect((await viewerOf(bob))?.role).toBe('MEMBER'); // warms the session cache
    const staff = await admin(['grant', '--handle', 'bob', '--role', 'STAFF', '--affiliation', 'Acme']);
    expect(staff.code).toBe(0);
    expect(staff.stdout).toMatch(/@bob is now STAFF \(Acme\)/);
    expect(await viewerOf(bob)).toMatchObject({ role: 'STAFF', affiliation: 'Acme' });
    const pub = await h.agent().gql(`{ user(handle: "bob") { role affiliation } }`);
    expect(pub.data.user).toEqual({ role: 'STAFF', affiliation: 'Acme' });

    const mod = await admin(['grant', '--handle', 'BOB', '--role', 'moderator']);
    expect(mod.code).toBe(0);
    expect(await viewerOf(bob)).toMatchObject({ role: 'MODERATOR', affiliation: null });

    const unknownUser = await admin(['grant', '--handle', 'nobody', '--role', 'ADMIN']);
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toMatch(/User "nobody" was not found/);
    const unknownRole = await admin(['grant', '--handle', 'bob', '--role', 'GOD']);
    expect(unknownRole.code).toBe(1);
    expect(unknownRole.stderr).toMatch(/unknown role "GOD": use one of MEMBER, STAFF, MODERATOR, ADMIN/);
    expect((await viewerOf(bob))?.role).toBe('MODERATOR');
  });
});
