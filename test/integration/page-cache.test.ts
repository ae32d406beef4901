// The web's anonymous page cache (web/src/lib/server/page-cache.ts) against the real Redis: one
// rebuild per key under a stampede, freshness by the api's read-model versions (bumped through
// the server's own Versions class, and by real writes over GraphQL), stale copies while another
// request rebuilds, and pages that still render while Redis is unreachable.
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Versions } from '../../server/src/infra/versions.js';
import { PageCache, type PageDraft, type Rendered } from '../../web/src/lib/server/page-cache.js';
import { READS_HEADER, parseReadsHeader } from '../../web/src/lib/server/page-cache-policy.js';
import { answer, ask, createSpace, member, type Member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const PREFIX = `colloquy-test-page-cache-${process.pid}:`;

let redis: Redis;
beforeAll(async () => {
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await deletePrefix(PREFIX);
  redis?.disconnect();
});
beforeEach(async () => {
  await deletePrefix(PREFIX);
});

async function deletePrefix(prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
}

function page(body: string, reads: string[] = ['posts:1', 'list:posts']): Rendered<never> {
  const draft: PageDraft = { status: 200, headers: [['content-type', 'text/html']], body, reads };
  return { page: draft };
}

/** A render that counts its calls and takes `ms`. */
function counted(body: () => string, ms = 0, reads?: string[]) {
  const render = async () => {
    render.calls++;
    if (ms) await sleep(ms);
    return page(body(), reads);
  };
  render.calls = 0;
  return render;
}

const bodyOf = (served: Awaited<ReturnType<PageCache['serve']>>) => ('page' in served ? served.page.body : undefined);

describe('the page cache', () => {
  it('rebuilds once under a stampede: 50 concurrent misses on one key, one render, 50 bodies', async () => {
    const cache = new PageCache(redis, { prefix: PREFIX, ttlSeconds: 60 });
    const render = counted(() => '<p>the page</p>', 300);
    const served = await Promise.all(Array.from({ length: 50 }, () => cache.serve('stampede', render)));
    expect(render.calls).toBe(1);
    expect(served.map(bodyOf)).toEqual(Array(50).fill('<p>the page</p>'));
    const outcomes = served.map((s) => s.outcome);
    expect(outcomes.filter((o) => o === 'miss')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'hit')).toHaveLength(49);
  });

  it('serves a page while the versions of what it read are unchanged, and rebuilds it after a write', async () => {
    const cache = new PageCache(redis, { prefix: PREFIX, ttlSeconds: 60 });
    const versions = new Versions(redis, PREFIX);
    let n = 0;
    const render = counted(() => `<p>version ${n}</p>`);
    expect((await cache.serve('q1', render)).outcome).toBe('miss');
    expect(await cache.serve('q1', render)).toMatchObject({ outcome: 'hit', page: { body: '<p>version 0</p>' } });
    expect(render.calls).toBe(1);

    // a write of something the page did not read changes nothing
    await versions.bump(['posts:2', 'users:9']);
    expect((await cache.serve('q1', render)).outcome).toBe('hit');

    for (const key of ['posts:1', 'list:posts', 'epoch']) {
      n++;
      await versions.bump([key]);
      expect(await cache.serve('q1', render), key).toMatchObject({ outcome: 'miss', page: { body: `<p>version ${n}</p>` } });
      expect((await cache.serve('q1', render)).outcome, key).toBe('hit');
    }
    expect(render.calls).toBe(4);
  });

  it('records the versions read before the render: a write during the rebuild leaves the entry stale', async () => {
    const cache = new PageCache(redis, { prefix: PREFIX, ttlSeconds: 60 });
    const versions = new Versions(redis, PREFIX);
    await cache.serve(
      'q2',
      counted(() => '<p>first</p>'),
    );
    await versions.bump(['posts:1']);
    const racing = async () => {
      const rendered = page('<p>read before the write</p>');
      await versions.bump(['posts:1']); // lands after the render read the post
      return rendered;
    };
    expect((await cache.serve('q2', racing)).outcome).toBe('miss');
    const next = counted(() => '<p>after the write</p>');
    expect(await cache.serve('q2', next)).toMatchObject({ outcome: 'miss', page: { body: '<p>after the write</p>' } });
    expect(next.calls).toBe(1);
  });

  it('serves the stale copy to others while one request rebuilds', async () => {
    const cache = new PageCache(redis, { prefix: PREFIX, ttlSeconds: 60 });
    await cache.serve(
      'q3',
      counted(() => '<p>old</p>'),
    );
    await new Versions(redis, PREFIX).bump(['posts:1']);
    const slow = counted(() => '<p>new</p>', 400);
    const rebuilding = cache.serve('q3', slow);
    while (!(await redis.exists(`${PREFIX}page-lock:q3`))) await sleep(5);
    const others = counted(() => '<p>should not render</p>');
    const during = await Promise.all(Array.from({ length: 5 }, () => cache.serve('q3', others)));
    expect(during.map((s) => [s.outcome, bodyOf(s)])).toEqual(Array(5).fill(['stale', '<p>old</p>']));
    expect(others.calls).toBe(0);
    expect(await rebuilding).toMatchObject({ outcome: 'miss', page: { body: '<p>new</p>' } });
    expect(await cache.serve('q3', others)).toMatchObject({ outcome: 'hit', page: { body: '<p>new</p>' } });
  });

  it('renders itself when the rebuild it waited for kept nothing', async () => {
    const cache = new PageCache(redis, { prefix: PREFIX, ttlSeconds: 60 });
    let calls = 0;
    const uncacheable = async (): Promise<Rendered<string>> => {
      calls++;
      await sleep(100);
      return { passed: `response ${calls}` };
    };
    const served = await Promise.all(Array.from({ length: 3 }, () => cache.serve('q4', uncacheable)));
    expect(served.every((s) => s.outcome === 'bypass' && 'passed' in s)).toBe(true);
    expect(calls).toBe(3);
    expect(await redis.exists(`${PREFIX}page:q4`)).toBe(0);
  });

  it('only looks up for HEAD requests (their render is never stored)', async () => {
    const cache = new PageCache(redis, { prefix: PREFIX, ttlSeconds: 60 });
    const render = counted(() => '<p>head</p>');
    expect((await cache.serve('q5', render, { store: false })).outcome).toBe('miss');
    expect(await redis.exists(`${PREFIX}page:q5`)).toBe(0);
    await cache.serve('q5', render);
    expect((await cache.serve('q5', render, { store: false })).outcome).toBe('hit');
    expect(render.calls).toBe(2);
  });

  it('keeps an entry at most its TTL', async () => {
    const cache = new PageCache(redis, { prefix: PREFIX, ttlSeconds: 120 });
    await cache.serve(
      'q6',
      counted(() => '<p>ttl</p>'),
    );
    const ttl = await redis.pttl(`${PREFIX}page:q6`);
    expect(ttl).toBeGreaterThan(110_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });

  it("serves the front's hits from the copy it keeps while the entry exists and its versions are current", async () => {
    const cache = new PageCache(redis, { prefix: PREFIX, ttlSeconds: 60 });
    const versions = new Versions(redis, PREFIX);
    const text = async (hash: string) => (await cache.fresh(hash))?.body.toString('utf8') ?? null;
    await cache.serve(
      'q8',
      counted(() => '<p>kept</p>'),
    );
    expect(await text('q8')).toBe('<p>kept</p>');
    // the kept copy answers without the entry's bytes: another body under the same key (as no
    // rebuild would store without a version change) does not show while the versions are current
    const stored = await redis.getBuffer(`${PREFIX}page:q8`);
    await redis.set(`${PREFIX}page:q8`, stored!.toString('latin1').replace('<p>kept<', '<p>KEPT<'), 'KEEPTTL');
    expect(await text('q8')).toBe('<p>kept</p>');
    // a write of what the page read: neither copy is fresh
    await versions.bump(['posts:1']);
    expect(await text('q8')).toBeNull();

    // an entry gone from Redis (expired, flushed, lost with a restart) is not served from the copy
    await cache.serve(
      'q9',
      counted(() => '<p>gone</p>'),
    );
    expect(await text('q9')).toBe('<p>gone</p>');
    await redis.del(`${PREFIX}page:q9`);
    expect(await text('q9')).toBeNull();

    // none kept (keepBytes 0): every hit reads the entry
    const unkept = new PageCache(redis, { prefix: PREFIX, ttlSeconds: 60, keepBytes: 0 });
    await unkept.serve(
      'q10',
      counted(() => '<p>read each time</p>'),
    );
    expect((await unkept.fresh('q10'))?.body.toString('utf8')).toBe('<p>read each time</p>');
    const again = await redis.getBuffer(`${PREFIX}page:q10`);
    await redis.set(`${PREFIX}page:q10`, again!.toString('latin1').replace('read each', 'read EACH'), 'KEEPTTL');
    expect((await unkept.fresh('q10'))?.body.toString('utf8')).toBe('<p>read EACH time</p>');
  });

  it('renders every page while Redis is unreachable, and reports it once', async () => {
    const down = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
    down.on('error', () => undefined);
    const errors: unknown[] = [];
    const cache = new PageCache(down, { prefix: PREFIX, ttlSeconds: 60, onError: (e) => errors.push(e) });
    const render = counted(() => '<p>no cache</p>');
    for (let i = 0; i < 3; i++)
      expect(await cache.serve('q7', render)).toMatchObject({ outcome: 'bypass', page: { body: '<p>no cache</p>' } });
    expect(render.calls).toBe(3);
    expect(errors).toHaveLength(1);
    down.disconnect();
  });
});

describe('the page cache in front of the api', () => {
  let h: Harness;
  let admin: Member;
  let alice: Member;
  beforeAll(async () => {
    h = await startHarness();
    await h.reset();
    admin = await member(h, 'admin', { role: 'ADMIN' });
    alice = await member(h, 'alice');
    await createSpace(admin, 'widgets', 'Widgets');
  });
  afterAll(async () => {
    await h?.close();
  });

  /** What a question page does: one api call, its `x-colloquy-reads` kept with the page. */
  function questionPage(id: string) {
    const render = async (): Promise<Rendered<never>> => {
      render.calls++;
      const res = await fetch(`${h.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'query($id: ID!) { question(id: $id) { title answers(first: 10) { nodes { body } } } }',
          variables: { id },
        }),
      });
      const reads = parseReadsHeader(res.headers.get(READS_HEADER));
      if (!reads) throw new Error(`the api answered without ${READS_HEADER}`);
      return { page: { status: 200, headers: [['content-type', 'text/html']], body: JSON.stringify(await res.json()), reads } };
    };
    render.calls = 0;
    return render;
  }

  it('keeps a question page until an answer is posted, then shows the answer', async () => {
    const cache = new PageCache(h.deps.redis, { prefix: h.deps.config.redisPrefix, ttlSeconds: 60 });
    const question = await ask(alice, { spaceSlug: 'widgets' });
    const render = questionPage(question.id);
    const first = await cache.serve(`question-${question.id}`, render);
    expect(first.outcome).toBe('miss');
    expect('page' in first && Object.keys(first.page.reads)).toEqual(expect.arrayContaining(['epoch', expect.stringMatching(/^posts:/)]));
    expect((await cache.serve(`question-${question.id}`, render)).outcome).toBe('hit');
    expect(render.calls).toBe(1);

    await answer(admin, question.id, 'Turn the frobnicator off and on again; that resets its state for good.');
    const after = await cache.serve(`question-${question.id}`, render);
    expect(after.outcome).toBe('miss');
    expect(bodyOf(after)).toContain('Turn the frobnicator off and on again');
  });
});
