// Live updates across api processes: two createApp() instances on different ports, each with its
// own Redis pub/sub connections (graphql/pubsub.ts), share Redis. A subscriber (SSE) on one
// receives the events of mutations served by the other; every event is authorized per subscriber.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app.js';
import { createLiveUpdates, type LiveUpdates } from '../../server/src/graphql/pubsub.js';
import { ANSWER_BODY, accept, answer, ask, comment, createSpace, member, rawOf, type Member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let live2: LiveUpdates;
let server2: Server;
let url2: string;
let alice: Member;
let bob: Member;

beforeAll(async () => {
  h = await startHarness();
  const { config, log } = h.deps;
  // the second api process: the same database and Redis, its own pub/sub connections
  live2 = createLiveUpdates(config.redisUrl, config.redisPrefix, log);
  const app2 = createApp({ ...h.deps, services: { ...h.deps.services, live: live2 } });
  server2 = await new Promise((resolve) => {
    const s = app2.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url2 = `http://127.0.0.1:${(server2.address() as AddressInfo).port}`;
  const admin = await member(h, 'admin', { role: 'ADMIN' });
  alice = await member(h, 'alice');
  bob = await member(h, 'bob');
  await createSpace(admin, 'widgets', 'Widgets');
});
afterAll(async () => {
  server2?.closeAllConnections();
  await new Promise((r) => server2?.close(r));
  await live2?.close();
  await h?.close();
});

/** An SSE subscription on the second process; `next()` resolves with the next event's payload. */
async function subscribe(agent: Member | null, query: string, variables: Record<string, unknown>) {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream', 'content-type': 'application/json' };
  if (agent?.cookie) headers.cookie = agent.cookie;
  const res = await fetch(`${url2}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next(): Promise<{ data?: Record<string, any>; errors?: Array<{ extensions?: { code?: string } }> }> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          if (data) return JSON.parse(data);
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
      }
    },
    close: () => controller.abort(),
  };
}

/** Waits until the second process has subscribed to the channel in Redis (no event can be missed). */
async function subscribed(channel: string) {
  for (;;) {
    const [, n] = (await h.deps.redis.pubsub('NUMSUB', `${h.deps.config.redisPrefix}${channel}`)) as [string, number];
    if (Number(n) > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const QUESTION_UPDATED = `subscription($id: ID!) { questionUpdated(id: $id) { kind actor { handle } answer { id } comment { id } question { id answerCount } } }`;
const NOTIFICATION_ADDED = `subscription { notificationAdded { kind count url actors { handle } } }`;

describe('live updates across two api processes', () => {
  it('a question page subscriber on one process hears of answers, comments and accepts made on the other', async () => {
    const q = await ask(alice);
    const sub = await subscribe(null, QUESTION_UPDATED, { id: q.id });
    await subscribed(`live:question:${rawOf(q.id)}`);
    const a = await answer(bob, q.id, ANSWER_BODY(1));
    expect((await sub.next()).data?.questionUpdated).toEqual({
      kind: 'ANSWER_CREATED',
      actor: { handle: 'bob' },
      answer: { id: a.id },
      comment: null,
      question: { id: q.id, answerCount: 1 },
    });
    const c = await comment(alice, a.id, 'Thanks, trying this right now.');
    expect((await sub.next()).data?.questionUpdated).toMatchObject({ kind: 'COMMENT_CREATED', comment: { id: c.id } });
    await accept(alice, a.id);
    expect((await sub.next()).data?.questionUpdated).toMatchObject({ kind: 'ANSWER_ACCEPTED', answer: { id: a.id } });
    sub.close();
  });

  it('notificationAdded reaches only the recipient', async () => {
    const q = await ask(alice);
    const aliceSub = await subscribe(alice, NOTIFICATION_ADDED, {});
    await subscribed(`live:inbox:${rawOf(alice.id)}`);
    await answer(bob, q.id, ANSWER_BODY(2));
    expect((await aliceSub.next()).data?.notificationAdded).toMatchObject({ kind: 'ANSWER', count: 1, actors: [{ handle: 'bob' }] });
    aliceSub.close();
  });

  it('refuses what the subscriber may not see', async () => {
    const anon = await subscribe(null, NOTIFICATION_ADDED, {});
    expect((await anon.next()).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    anon.close();
    const missing = await subscribe(bob, QUESTION_UPDATED, { id: Buffer.from('Question:0123456789abcdef01234567').toString('base64') });
    expect((await missing.next()).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    missing.close();
  });
});
