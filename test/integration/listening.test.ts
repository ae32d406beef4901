// Listening: a staff watch for "data loss" matches a new post (the activity handler), and an
// edited one, never an older or a deleted one; evaluating the same event again adds nothing.
// Customers and plain members never see watches or matches.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureListeningIndex, listeningHandler } from '../../server/src/modules/listening/listening.service.js';
import type { ActivityEvent } from '../../server/src/modules/activity/activity.js';
import { ask, answer, member, payloadErrors, Q } from '../factories/qa.js';
import { recordActivity, S, supportWorld, type SupportWorld } from '../factories/support.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

let w: SupportWorld;
beforeEach(async () => {
  await h.reset();
  w = await supportWorld(h);
});

const L = {
  create: `mutation($input: CreateListeningWatchInput!) { createListeningWatch(input: $input) { watch { id name query } errors { code message } } }`,
  watches: `query { listeningWatches { id name query owner { handle } } }`,
  matches: `query($watchId: String) { listeningMatches(watchId: $watchId, first: 20) { totalCount nodes { id watchId question { id } answer { id } space { slug } revision day excerpt } } }`,
};

const BODY_LOSS = 'After upgrading the cluster we noticed data loss on two replicas. Is this a known issue?';

describe('listening', () => {
  it('matches new and edited posts, never older or deleted ones; idempotent', async () => {
    const [eng1, eng2] = w.engineers;
    // posted before the watch exists: never matched
    const older = await ask(w.carol, { spaceSlug: 'db', title: 'Older question about data loss in replicas', body: BODY_LOSS });
    const doomed = await ask(w.dave, {
      spaceSlug: 'db',
      title: 'Another question, to be deleted soon',
      body: 'Nothing relevant in here at all, just words and more words.',
    });
    const events = recordActivity(h);
    const created = await eng1.must<{ createListeningWatch: { watch: { id: string } } }>(L.create, {
      input: { name: 'Data loss', query: '"data loss"' },
    });
    const watchId = created.createListeningWatch.watch.id;

    const fresh = await ask(w.carol, { spaceSlug: 'db', title: 'Replicas lose rows after the 4.0 upgrade', body: BODY_LOSS });
    await answer(w.mia, fresh.id, 'Nothing about that here; did you check the replication lag setting first?');
    const reply = await answer(eng2, older.id, 'We are tracking this data loss report as a defect; a fix ships in 4.0.1.');
    // deleted before the handler could see it: the (late) event finds a deleted post
    await w.dave.must(Q.deleteQuestion, { input: { questionId: doomed.id } });
    const late: ActivityEvent = {
      id: 'late-1',
      type: 'question.updated',
      at: h.clock.now().toISOString(),
      actorId: null,
      subjectId: raw(doomed.id),
    };
    await listeningHandler.handle(h.deps, late);

    let r = await eng2.gql<{ listeningMatches: { totalCount: number; nodes: Array<Record<string, any>> } }>(L.matches, { watchId });
    expect(r.errors).toBeUndefined();
    const ids = r.data.listeningMatches.nodes.map((n) => n.question.id).sort();
    expect(ids).toEqual([fresh.id, older.id].sort()); // the fresh question and the new answer on the older one
    const onAnswer = r.data.listeningMatches.nodes.find((n) => n.answer);
    expect(onAnswer).toMatchObject({ answer: { id: reply.id }, space: { slug: 'db' }, revision: 1, day: '2026-01-05' });
    expect(r.data.listeningMatches.nodes.every((n) => n.question.id !== doomed.id)).toBe(true);

    // the same events again (a worker restart re-running jobs): nothing new
    for (const e of events) await listeningHandler.handle(h.deps, e);
    r = await eng2.gql(L.matches, { watchId });
    expect(r.data.listeningMatches.totalCount).toBe(2);

    // an edit that brings the phrase in matches (a new revision)
    const edited = await ask(w.carol, {
      spaceSlug: 'db',
      title: 'Backups take very long on large tables',
      body: 'The nightly backup of our biggest table takes six hours now.',
    });
    r = await eng2.gql(L.matches, {});
    expect(r.data.listeningMatches.totalCount).toBe(2);
    await w.carol.must(Q.updateQuestion, { input: { questionId: edited.id, body: `${BODY_LOSS} Also backups are slow.` } });
    r = await eng2.gql(L.matches, {});
    expect(r.data.listeningMatches.totalCount).toBe(3);
    expect(r.data.listeningMatches.nodes[0]).toMatchObject({ question: { id: edited.id }, revision: 2 });
  });

  it('is for the vendor’s staff only', async () => {
    const [eng1, eng2] = w.engineers;
    await eng1.must(L.create, { input: { name: 'CVE', query: 'CVE [security]' } });
    expect((await eng2.gql<{ listeningWatches: unknown[] }>(L.watches)).data.listeningWatches).toHaveLength(1);
    for (const agent of [w.carol, w.dave, w.mia, h.agent()]) {
      const list = await agent.gql(L.watches);
      expect(['FORBIDDEN', 'UNAUTHENTICATED']).toContain(list.errors?.[0]?.extensions?.code);
      const matches = await agent.gql(L.matches, {});
      expect(['FORBIDDEN', 'UNAUTHENTICATED']).toContain(matches.errors?.[0]?.extensions?.code);
      const made = await agent.gql(L.create, { input: { name: 'Mine', query: 'data' } });
      expect(['FORBIDDEN', 'UNAUTHENTICATED']).toContain(payloadErrors(made.data)[0]?.code ?? made.errors?.[0]?.extensions?.code);
    }
    const bad = await eng1.gql(L.create, { input: { name: 'Bad', query: 'score:lots' } });
    expect(payloadErrors(bad.data)[0]).toMatchObject({ code: 'VALIDATION' });
  });
});

describe('listening across vendors and a lost Redis', () => {
  it('keeps each vendor’s watches and matches to itself', async () => {
    const [eng1] = w.engineers;
    const made = await eng1.must<{ createListeningWatch: { watch: { id: string } } }>(L.create, {
      input: { name: 'Data loss', query: '"data loss"' },
    });
    const watchId = made.createListeningWatch.watch.id;
    await ask(w.carol, { spaceSlug: 'db', title: 'Replicas lose rows after the 4.0 upgrade', body: BODY_LOSS });
    expect((await eng1.gql<{ listeningMatches: { totalCount: number } }>(L.matches, {})).data.listeningMatches.totalCount).toBe(1);

    const v2 = await w.admin.must<{ createOrganization: { organization: { id: string } } }>(S.createOrg, {
      input: { slug: 'other-vendor', name: 'Other Vendor', kind: 'VENDOR' },
    });
    const otherEng = await member(h, 'oeng', { role: 'STAFF' });
    await w.admin.must(S.addMember, { input: { organizationId: v2.createOrganization.organization.id, handle: 'oeng' } });
    const plainStaff = await member(h, 'freelancer', { role: 'STAFF' });

    // the other vendor's engineer: their own (empty) scope; this vendor's watch is not found
    expect((await otherEng.gql<{ listeningWatches: unknown[] }>(L.watches)).data.listeningWatches).toEqual([]);
    expect((await otherEng.gql<{ listeningMatches: { totalCount: number } }>(L.matches, {})).data.listeningMatches.totalCount).toBe(0);
    expect((await otherEng.gql(L.matches, { watchId })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const del = await otherEng.gql(DELETE, { input: { watchId } });
    expect(payloadErrors(del.data)[0]?.code).toBe('NOT_FOUND');
    // STAFF of no vendor: no listening at all; a site admin has the site's own scope
    expect((await plainStaff.gql(L.watches)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await w.admin.gql<{ listeningWatches: unknown[] }>(L.watches)).data.listeningWatches).toEqual([]);
    // the watch is still there for its vendor
    expect((await eng1.gql<{ listeningWatches: unknown[] }>(L.watches)).data.listeningWatches).toHaveLength(1);
  });

  it('rebuilds its Redis read models from the collections; evaluating events again adds nothing', async () => {
    const [eng1] = w.engineers;
    const events = recordActivity(h);
    await eng1.must(L.create, { input: { name: 'Data loss', query: '"data loss"' } });
    const first = await ask(w.carol, { spaceSlug: 'db', title: 'Replicas lose rows after the 4.0 upgrade', body: BODY_LOSS });
    const before = await eng1.gql<{ listeningMatches: { nodes: Array<{ id: string }> } }>(L.matches, {});
    expect(before.data.listeningMatches.nodes).toHaveLength(1);

    // Redis loses the listening keys (a flush): the next evaluation rebuilds them first
    const keys = await h.deps.redis.keys(`${h.deps.config.redisPrefix}listening:*`);
    await h.deps.redis.del(...keys);
    h.clock.advance(60_000);
    const second = await ask(w.dave, { spaceSlug: 'db', title: 'Data loss when the disk fills up during backup', body: BODY_LOSS });
    let after = await eng1.gql<{ listeningMatches: { totalCount: number; nodes: Array<{ id: string; question: { id: string } }> } }>(
      L.matches,
      {},
    );
    expect(after.data.listeningMatches.nodes.map((n) => n.question.id)).toEqual([second.id, first.id]);
    expect(after.data.listeningMatches.nodes[1]!.id).toBe(before.data.listeningMatches.nodes[0]!.id);
    expect(await ensureListeningIndex(h.deps)).toBe(false); // built

    // a worker restart running the same jobs again: nothing new
    for (const e of events) await listeningHandler.handle(h.deps, e);
    after = await eng1.gql(L.matches, {});
    expect(after.data.listeningMatches.totalCount).toBe(2);
  });
});

const DELETE = `mutation($input: DeleteListeningWatchInput!) { deleteListeningWatch(input: $input) { deletedWatchId errors { code message } } }`;

const raw = (globalId: string) => {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
};
