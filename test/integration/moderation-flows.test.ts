// Moderation end to end over the API: new-member limits; six spam flags hide a post, the
// moderator's queue shows it with counts, confirming deletes it and penalises its author, and the
// audit log records each step with its actor; declined flags show the post again and weigh on
// the flaggers; a suspended member signs in and reads but cannot write, sees the reason and end;
// moderator messages wait for acknowledgement; verify recounts drifted flag counters.
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyConsistency } from '../../server/src/modules/maintenance/verify.service.js';
import {
  ANSWER_BODY,
  BODY,
  ERRORS,
  Q,
  answer,
  ask,
  createSpace,
  member,
  payloadErrors,
  rawOf,
  userReputation,
  type Member,
} from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { M, setReputation } from '../factories/moderation.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { MODERATION_RULES: '' } });
});
afterAll(async () => {
  await h?.close();
});

let admin: Member;
let mod: Member;
let spammer: Member;
const flaggers: Member[] = [];

beforeAll(async () => {
  admin = await member(h, 'admin2', { role: 'ADMIN' });
  mod = await member(h, 'mod2', { role: 'MODERATOR' });
  spammer = await member(h, 'spammer2');
  for (let i = 0; i < 6; i++) {
    const f = await member(h, `flagger${i}`);
    await setReputation(h, f.id, 100);
    flaggers.push(f);
  }
  await createSpace(admin);
}, 60_000);

const LOG = `query($actorId: ID, $targetId: ID, $action: String, $after: String) {
  moderationLog(first: 50, actorId: $actorId, targetId: $targetId, action: $action, after: $after) {
    nodes { action actor { handle } targetType reason data }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('new-member limits', () => {
  it('refuses three links with the limit and when it lifts; no images; a few questions a day', async () => {
    const newbie = await member(h, 'newbie1');
    const links = `${BODY(1)} See https://a.example/x and https://b.example/y and https://c.example/z for details.`;
    const r = await newbie.gql(Q.ask, {
      input: { spaceSlug: 'widgets', title: 'A question with far too many links in it', body: links, tags: ['frobnicator'] },
    });
    const [e] = payloadErrors(r.data);
    expect(e).toMatchObject({ code: 'VALIDATION', field: 'body' });
    expect(e!.message).toMatch(
      /at most 2 links in a post \(this one has 3\)\. The limit lifts at 10 reputation or once your account is 24 hours old/,
    );
    const img = await newbie.gql(Q.ask, {
      input: {
        spaceSlug: 'widgets',
        title: 'A question with an image in it here',
        body: `${BODY(2)} ![x](https://a.example/x.png)`,
        tags: ['frobnicator'],
      },
    });
    expect(payloadErrors(img.data)[0]!.message).toMatch(/New members cannot post images/);
    const before = await mongoose.connection.db!.collection('posts').countDocuments({});
    expect(before).toBe(0);
    for (let i = 0; i < 3; i++) await ask(newbie, { title: `Allowed question number ${i} from a newbie`, body: BODY(i) });
    const fourth = await newbie.gql(Q.ask, {
      input: { spaceSlug: 'widgets', title: 'The fourth question of the day', body: BODY(4), tags: ['frobnicator'] },
    });
    const [limit] = payloadErrors(fourth.data);
    expect(limit).toMatchObject({ code: 'FORBIDDEN' });
    expect(limit!.message).toMatch(/New members can ask 3 questions per day\. You can post again at .* UTC\./);
    // an established member is not limited
    h.clock.advance(2 * 86_400_000);
    const links3 = await flaggers[0]!.gql(Q.ask, {
      input: { spaceSlug: 'widgets', title: 'A question with three useful links', body: links, tags: ['frobnicator'] },
    });
    expect(payloadErrors(links3.data)).toEqual([]);
  });
});

describe('flags', () => {
  it('six spam flags hide the post; the moderator confirms: deleted, author penalised, every step audited', async () => {
    await setReputation(h, spammer.id, 250);
    h.clock.advance(2 * 86_400_000);
    const q = await ask(spammer, { title: 'Buy cheap widgets at the best price now', body: `${BODY(7)} Visit https://spam.example now.` });
    for (const [i, f] of flaggers.entries()) {
      const r = await f.must<{ flag: { flag: { status: string } } }>(M.flag, { input: { subjectId: q.id, reason: 'SPAM' } });
      expect(r.flag.flag.status).toBe('ACTIVE');
      if (i === 0) {
        // one flag per member per subject
        const again = await f.gql(M.flag, { input: { subjectId: q.id, reason: 'RUDE_OR_ABUSIVE' } });
        expect(payloadErrors(again.data)[0]).toMatchObject({ code: 'CONFLICT' });
      }
      const visible = await h.agent().gql<{ node: { id: string } | null }>(`query($id: ID!) { node(id: $id) { id } }`, { id: q.id });
      // hidden from everyone but its author and moderators once the sixth flag lands
      expect(visible.data.node === null).toBe(i === 5);
    }
    expect(
      (await spammer.gql<{ node: { id: string } | null }>(`query($id: ID!) { node(id: $id) { id } }`, { id: q.id })).data.node,
    ).not.toBeNull();

    const queue = await mod.must<{
      flags: {
        totalCount: number;
        nodes: Array<{
          subjectId: string;
          activeCount: number;
          spamOrRudeCount: number;
          isHidden: boolean;
          reasonCounts: Array<{ reason: string; count: number }>;
          flags: Array<{ flagger: { handle: string } }>;
        }>;
      };
    }>(
      `{ flags(first: 10) { totalCount nodes { subjectId activeCount spamOrRudeCount isHidden reasonCounts { reason count } flags { flagger { handle } } } } }`,
    );
    const item = queue.flags.nodes.find((n) => n.subjectId === q.id)!;
    expect(item).toMatchObject({ activeCount: 6, spamOrRudeCount: 6, isHidden: true, reasonCounts: [{ reason: 'SPAM', count: 6 }] });
    expect(item.flags.map((f) => f.flagger.handle).sort()).toEqual(flaggers.map((f) => f.handle).sort());
    // members cannot read the queue
    const denied = await flaggers[0]!.gql(`{ flags(first: 10) { totalCount } }`);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const repBefore = await userReputation('spammer2');
    await mod.must(M.handle, { input: { subjectId: q.id, resolution: 'DELETE', note: 'Spam' } });
    expect(await userReputation('spammer2')).toBe(repBefore - 100);
    const post = await mongoose.connection.db!.collection('posts').findOne({ _id: new Types.ObjectId(rawOf(q.id)) });
    expect(post?.deletedAt).toBeInstanceOf(Date);
    const left = await mod.must<{ flags: { nodes: Array<{ subjectId: string }> } }>(`{ flags(first: 10) { nodes { subjectId } } }`);
    expect(left.flags.nodes.map((n) => n.subjectId)).not.toContain(q.id);

    const log = await mod.must<{
      moderationLog: { nodes: Array<{ action: string; actor: { handle: string } | null; data: string | null }> };
    }>(LOG, { targetId: q.id });
    const steps = log.moderationLog.nodes.map((n) => `${n.action}:${n.actor?.handle ?? 'system'}`).reverse();
    expect(steps).toEqual([...flaggers.map((f) => `flag.raised:${f.handle}`), 'post.hidden:system', 'flags.confirmed:mod2']);
    expect(JSON.parse(log.moderationLog.nodes[0]!.data!)).toMatchObject({ penalty: -100 });
    // filter by actor and by action
    const byMod = await mod.must<{ moderationLog: { nodes: Array<{ action: string }> } }>(LOG, { actorId: mod.id });
    expect(byMod.moderationLog.nodes.map((n) => n.action)).toEqual(['flags.confirmed']);
    const byAction = await mod.must<{ moderationLog: { nodes: Array<{ action: string }> } }>(LOG, { action: 'post.hidden' });
    expect(byAction.moderationLog.nodes).toHaveLength(1);
    // the flaggers' weight
    const weight = await flaggers[1]!.must<{ viewer: { flagWeight: { helpful: number; declined: number } } }>(
      `{ viewer { flagWeight { helpful declined } } }`,
    );
    expect(weight.viewer.flagWeight).toEqual({ helpful: 1, declined: 0 });
    // the log is for moderators only
    expect((await flaggers[0]!.gql(LOG, {})).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('declined flags show the hidden post again and count against the flaggers', async () => {
    const author = await member(h, 'honest2');
    await setReputation(h, author.id, 50);
    const q = await ask(author, { title: 'An honest question about frobnicators', body: BODY(8) });
    for (const f of flaggers) await f.must(M.flag, { input: { subjectId: q.id, reason: 'RUDE_OR_ABUSIVE' } });
    expect((await h.agent().gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: q.id })).data.node).toBeNull();
    await mod.must(M.handle, { input: { subjectId: q.id, resolution: 'DECLINE', note: 'Not rude' } });
    expect((await h.agent().gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: q.id })).data.node).not.toBeNull();
    expect(await userReputation('honest2')).toBe(50);
    const weight = await flaggers[2]!.must<{ viewer: { flagWeight: { helpful: number; declined: number } } }>(
      `{ viewer { flagWeight { helpful declined } } }`,
    );
    expect(weight.viewer.flagWeight).toEqual({ helpful: 1, declined: 1 });
    const log = await mod.must<{ moderationLog: { nodes: Array<{ action: string }> } }>(LOG, { targetId: q.id });
    expect(log.moderationLog.nodes.slice(0, 2).map((n) => n.action)).toEqual(['flags.declined', 'post.unhidden']);
  });

  it('a hidden post leaves listings, search and its page for readers; its author and moderators still see it, marked hidden', async () => {
    const author = await member(h, 'hidden3');
    await setReputation(h, author.id, 50);
    const q = await ask(author, { title: 'Zorblax configuration keeps resetting every night', body: BODY(10) });
    const listed = async (agent: Pick<Member, 'gql'>) =>
      (
        await agent.gql<{ questions: { nodes: Array<{ id: string } | null> } }>(
          `{ questions(first: 50, orderBy: NEWEST) { nodes { id } } }`,
        )
      ).data.questions.nodes.map((n) => n?.id);
    const found = async (agent: Pick<Member, 'gql'>) =>
      (
        await agent.gql<{ search: { nodes: Array<{ question: { id: string } | null }> } }>(
          `{ search(query: "zorblax") { nodes { question { id } } } }`,
        )
      ).data.search.nodes.map((n) => n.question?.id);
    const page = async (agent: Pick<Member, 'gql'>) =>
      (await agent.gql<{ question: { isHidden: boolean } | null }>(`query($id: ID!) { question(id: $id) { isHidden } }`, { id: q.id })).data
        .question;
    const reader = flaggers[5]!;
    expect(await listed(h.agent())).toContain(q.id);
    expect(await found(h.agent())).toContain(q.id);
    expect(await page(h.agent())).toEqual({ isHidden: false });

    for (const f of flaggers) await f.must(M.flag, { input: { subjectId: q.id, reason: 'SPAM' } });
    for (const who of [h.agent(), reader]) {
      expect(await listed(who)).not.toContain(q.id);
      expect(await found(who)).not.toContain(q.id);
      expect(await page(who)).toBeNull();
    }
    // its author and the moderators read it with the "hidden pending review" mark
    for (const who of [author, mod]) expect(await page(who)).toEqual({ isHidden: true });

    // the flags handled as helpful but the post kept: it shows again
    await mod.must(M.handle, { input: { subjectId: q.id, resolution: 'HELPFUL' } });
    expect(await listed(h.agent())).toContain(q.id);
    expect(await found(h.agent())).toContain(q.id);
    expect(await page(reader)).toEqual({ isHidden: false });
  });

  it('validates reasons: duplicate needs a target, moderator attention needs details, no flagging yourself', async () => {
    const f = flaggers[3]!;
    const q = await ask(flaggers[4]!, { title: 'Yet another frobnicator question here', body: BODY(9) });
    const dup = await f.gql(M.flag, { input: { subjectId: q.id, reason: 'DUPLICATE' } });
    expect(payloadErrors(dup.data)[0]).toMatchObject({ code: 'VALIDATION', field: 'targetId' });
    const attention = await f.gql(M.flag, { input: { subjectId: q.id, reason: 'NEEDS_MODERATOR_ATTENTION' } });
    expect(payloadErrors(attention.data)[0]).toMatchObject({ code: 'VALIDATION', field: 'details' });
    const own = await flaggers[4]!.gql(M.flag, { input: { subjectId: q.id, reason: 'SPAM' } });
    expect(payloadErrors(own.data)[0]).toMatchObject({ code: 'FORBIDDEN', message: 'You cannot flag your own content.' });
    const user = await f.gql(M.flag, {
      input: { subjectId: spammer.id, reason: 'NEEDS_MODERATOR_ATTENTION', details: 'Posts spam links in every answer' },
    });
    expect(payloadErrors(user.data)).toEqual([]);
  });
});

describe('suspensions and messages', () => {
  it('a suspended member reads but cannot write; sees the reason and the end; unsuspended, writes again', async () => {
    const troll = await member(h, 'troll2');
    await setReputation(h, troll.id, 300);
    const q = await ask(flaggers[5]!, { title: 'A question the troll wants to answer', body: BODY(10) });
    await mod.must(M.suspend, { input: { userId: troll.id, days: 3, reason: 'Abusive comments toward other members' } });
    const me = await troll.must<{ viewer: { handle: string; suspendedUntil: string; suspensionReason: string } }>(
      `{ viewer { handle suspendedUntil suspensionReason } }`,
    );
    expect(me.viewer.suspensionReason).toBe('Abusive comments toward other members');
    expect(new Date(me.viewer.suspendedUntil).getTime()).toBe(h.clock.now().getTime() + 3 * 86_400_000);
    // others do not see it
    const other = await flaggers[0]!.must<{ user: { suspendedUntil: string | null } }>(`{ user(handle: "troll2") { suspendedUntil } }`);
    expect(other.user.suspendedUntil).toBeNull();
    for (const [doc, input] of [
      [Q.answer, { questionId: q.id, body: ANSWER_BODY(3) }],
      [Q.vote, { subjectId: q.id, direction: 'UP' }],
      [Q.comment, { subjectId: q.id, body: 'A comment that will never be written down.' }],
      [M.flag, { subjectId: q.id, reason: 'SPAM' }],
    ] as const) {
      const r = await troll.gql(doc, { input });
      const [e] = payloadErrors(r.data);
      expect(e?.code).toBe('FORBIDDEN');
      expect(e?.message).toMatch(/suspended until .* UTC: Abusive comments toward other members\. You can sign in and read/);
    }
    const list = await mod.must<{ suspendedMembers: Array<{ member: { handle: string } }> }>(`{ suspendedMembers { member { handle } } }`);
    expect(list.suspendedMembers.map((s) => s.member.handle)).toContain('troll2');
    await mod.must(M.unsuspend, { input: { userId: troll.id, reason: 'Served' } });
    await answer(troll, q.id, ANSWER_BODY(4));
    // the suspension also ends by itself
    await mod.must(M.suspend, { input: { userId: troll.id, days: 1, reason: 'One more day to cool down' } });
    h.clock.advance(86_400_000 + 1000);
    await troll.must(Q.vote, { input: { subjectId: q.id, direction: 'UP' } });
  });

  it('a silenced member cannot post but can vote', async () => {
    const loud = await member(h, 'loud2');
    await setReputation(h, loud.id, 300);
    const q = await ask(flaggers[5]!, { title: 'Another question for the silenced member', body: BODY(11) });
    await mod.must(M.silence, { input: { userId: loud.id, hours: 6, reason: 'Too many off-topic answers' } });
    const r = await loud.gql(Q.answer, { input: { questionId: q.id, body: ANSWER_BODY(5) } });
    expect(payloadErrors(r.data)[0]!.message).toMatch(/You are silenced until .*: Too many off-topic answers/);
    await loud.must(Q.vote, { input: { subjectId: q.id, direction: 'UP' } });
  });

  it('moderator messages wait until the member acknowledges them', async () => {
    const warned = await member(h, 'warned2');
    const sent = await mod.must<{ sendModeratorMessage: { message: { id: string } } }>(M.message, {
      input: { userId: warned.id, subject: 'A word about your answers', body: 'Please do not post the same answer to several questions.' },
    });
    const pending = await warned.must<{ viewer: { moderatorMessages: Array<{ id: string; subject: string }> } }>(
      `{ viewer { moderatorMessages { id subject } } }`,
    );
    expect(pending.viewer.moderatorMessages).toEqual([{ id: sent.sendModeratorMessage.message.id, subject: 'A word about your answers' }]);
    // someone else cannot acknowledge it
    const ack = `mutation($input: AcknowledgeModeratorMessageInput!) { acknowledgeModeratorMessage(input: $input) { message { acknowledgedAt } ${ERRORS} } }`;
    expect(
      payloadErrors((await flaggers[0]!.gql(ack, { input: { messageId: sent.sendModeratorMessage.message.id } })).data)[0],
    ).toMatchObject({ code: 'NOT_FOUND' });
    await warned.must(ack, { input: { messageId: sent.sendModeratorMessage.message.id } });
    const after = await warned.must<{ viewer: { moderatorMessages: unknown[] } }>(`{ viewer { moderatorMessages { id } } }`);
    expect(after.viewer.moderatorMessages).toEqual([]);
  });
});

describe('verify', () => {
  it('finds drifted flag counters and a stale queue, and repairs them', async () => {
    expect(
      (await verifyConsistency(h.deps)).checks.filter(
        (c) => c.drift > 0 && ['flag counters', 'flag queue', 'audit listings'].includes(c.check),
      ),
    ).toEqual([]);
    const q = await ask(flaggers[1]!, { title: 'A question whose counters will drift', body: BODY(12) });
    await flaggers[2]!.must(M.flag, { input: { subjectId: q.id, reason: 'NEEDS_IMPROVEMENT' } });
    await mongoose.connection
      .db!.collection('flag_subjects')
      .updateOne({ _id: rawOf(q.id) as never }, { $set: { activeCount: 7, hidingCount: 3 } });
    await h.deps.redis.del(`${h.deps.config.redisPrefix}mod:flagqueue`);
    await h.deps.redis.del(`${h.deps.config.redisPrefix}audit:all`);
    const found = await verifyConsistency(h.deps);
    const drift = Object.fromEntries(found.checks.map((c) => [c.check, c.drift]));
    expect(drift).toMatchObject({ 'flag counters': 1, 'flag queue': 1, 'audit listings': 1 });
    await verifyConsistency(h.deps, { repair: true });
    const again = await verifyConsistency(h.deps);
    expect(again.checks.filter((c) => ['flag counters', 'flag queue', 'audit listings'].includes(c.check) && c.drift > 0)).toEqual([]);
    const subject = await mongoose.connection.db!.collection('flag_subjects').findOne({ _id: rawOf(q.id) as never });
    expect(subject).toMatchObject({ activeCount: 1, hidingCount: 0 });
    const queue = await mod.must<{ flags: { nodes: Array<{ subjectId: string }> } }>(`{ flags(first: 10) { nodes { subjectId } } }`);
    expect(queue.flags.nodes.map((n) => n.subjectId)).toContain(q.id);
  });
});
