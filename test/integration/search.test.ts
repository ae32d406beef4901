// Search: the GraphQL API over the embedded engine, sync convergence after a lost indexing step,
// and relevance on the real Stack Exchange dump.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedSearch } from '../../server/src/infra/search/embedded.adapter.js';
import type { SearchDocument, SearchPort } from '../../server/src/infra/search/search.port.js';
import { iterateDumpFile } from '../../server/src/modules/import/se-dump.reader.js';
import { PostModel, type PostDoc } from '../../server/src/modules/post/post.model.js';
import { buildSearchDocuments, sweep } from '../../server/src/modules/search/search.sync.js';
import { markdownToPlainText } from '../../server/src/lib/plain-text.js';
import { repoRoot } from '../../scripts/lib/paths.js';
import { member } from '../factories/qa.js';
import { startHarness, type Agent, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const ASK = `mutation($input: AskQuestionInput!) { askQuestion(input: $input) { question { id } errors { code message } } }`;
const ANSWER = `mutation($input: PostAnswerInput!) { postAnswer(input: $input) { answer { id } errors { code message } } }`;

async function community() {
  const admin = await member(h, 'admin1', { role: 'ADMIN' });
  await admin.must(`mutation { createSpace(input: { slug: "cloud", name: "Cloud" }) { space { id } errors { message } } }`);
  const alice = await member(h, 'alice');
  const bob = await member(h, 'bob');
  const ask = async (who: Agent, title: string, tags: string[], body = 'A body long enough to be accepted by the validation rules.') =>
    (await who.must<{ askQuestion: { question: { id: string } } }>(ASK, { input: { spaceSlug: 'cloud', title, body, tags } })).askQuestion
      .question.id;
  return { admin, alice, bob, ask };
}

describe('search API', () => {
  beforeEach(async () => h.reset());

  it('finds questions through a typo, filters by operators, returns facets, chips and highlights', async () => {
    const { alice, bob, ask } = await community();
    const q1 = await ask(alice, 'Kubernetes rolling deployment restarts every pod', ['kubernetes', 'deployment']);
    await ask(alice, 'Autoscaler never scales above two replicas', ['autoscaling']);
    await ask(bob, 'Configure <script> tags safely in templates', ['security']);
    await bob.must(ANSWER, { input: { questionId: q1, body: 'Set maxUnavailable to one in the deployment strategy of kubernetes.' } });

    const typo = await h.agent().gql(`{ search(query: "kubernets rolling") { totalCount nodes { type titleHighlight question { id } } } }`);
    expect(typo.errors).toBeUndefined();
    expect(typo.data.search.nodes[0].question.id).toBe(q1);
    expect(typo.data.search.nodes[0].titleHighlight).toContain('<mark>');

    const tagged = await h
      .agent()
      .gql(
        `{ search(query: "[kubernetes] is:question") { totalCount chips { kind value } nodes { type tags } facets { tags { value count } types { value count } } } }`,
      );
    expect(tagged.data.search.totalCount).toBe(1);
    expect(
      tagged.data.search.nodes.every((n: { type: string; tags: string[] }) => n.type === 'QUESTION' && n.tags.includes('kubernetes')),
    ).toBe(true);
    expect(tagged.data.search.chips).toEqual([
      { kind: 'tag', value: 'kubernetes' },
      { kind: 'is', value: 'question' },
    ]);

    const answers = await h
      .agent()
      .gql(`{ search(query: "maxUnavailable is:answer user:bob") { totalCount nodes { type answer { id } } } }`);
    expect(answers.data.search.totalCount).toBe(1);
    expect(answers.data.search.nodes[0].type).toBe('ANSWER');

    const escaped = await h.agent().gql(`{ search(query: "script templates") { nodes { titleHighlight } } }`);
    expect(escaped.data.search.nodes[0].titleHighlight).toContain('&lt;');
    expect(escaped.data.search.nodes[0].titleHighlight).not.toContain('<script>');

    const bad = await h.agent().gql(`{ search(query: "score:abc") { totalCount } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION');
    expect(bad.errors?.[0]?.message).toMatch(/score/);

    const similar = await h.agent().gql(`{ similarQuestions(title: "rolling deployment restarts pods") { id } }`);
    expect(similar.data.similarQuestions[0].id).toBe(q1);
  });

  it('never shows deleted content', async () => {
    const { alice, ask } = await community();
    const id = await ask(alice, 'Temporary question about ephemeral volumes', ['storage']);
    expect((await h.agent().gql(`{ search(query: "ephemeral volumes") { totalCount } }`)).data.search.totalCount).toBe(1);
    await alice.must(`mutation($id: ID!) { deleteQuestion(input: { questionId: $id }) { errors { message } } }`, { id });
    expect((await h.agent().gql(`{ search(query: "ephemeral volumes") { totalCount } }`)).data.search.totalCount).toBe(0);
  });
});

describe('search sync converges after lost indexing', () => {
  beforeEach(async () => h.reset());

  async function expectConverged(search: SearchPort) {
    const posts = (await PostModel.find({}).lean()) as PostDoc[];
    const { docs, remove } = await buildSearchDocuments(h.deps.repos, posts);
    const held = await search.versions(posts.map((p) => p._id.toHexString()));
    const missing = docs.filter((d) => !held.has(d.id));
    const stale = docs.filter((d) => held.has(d.id) && held.get(d.id) !== d.version);
    const extra = remove.filter((id) => held.has(id));
    let indexed = 0;
    for await (const ids of search.allIds()) indexed += ids.length;
    expect({ missing: missing.length, stale: stale.length, extra: extra.length, indexed }).toEqual({
      missing: 0,
      stale: 0,
      extra: 0,
      indexed: docs.length,
    });
  }

  it('a crash between the database write and the index update loses nothing: the sweep converges', async () => {
    const { alice, bob, ask } = await community();
    const keep = await ask(alice, 'Question indexed before the crash happens', ['crash']);
    const gone = await ask(alice, 'Question that will be deleted while indexing is down', ['crash']);
    // the indexing step now "crashes" after every database write
    const events = h.deps.services.events;
    h.deps.services.events = { postsChanged: async () => undefined };
    try {
      const fresh = await ask(bob, 'Question written while the indexer was down', ['outage']);
      await alice.must(
        `mutation($id: ID!) { updateQuestion(input: { questionId: $id, title: "Question edited while the indexer was down" }) { errors { message } } }`,
        { id: keep },
      );
      await alice.must(`mutation($id: ID!) { deleteQuestion(input: { questionId: $id }) { errors { message } } }`, { id: gone });
      await bob.must(`mutation($id: ID!) { vote(input: { subjectId: $id, direction: UP }) { errors { message } } }`, { id: keep });
      // the index is behind: the new question is missing, the edit stale, the deletion still visible
      expect((await h.agent().gql(`{ search(query: "indexer was down") { totalCount } }`)).data.search.totalCount).toBe(0);
      void fresh;
    } finally {
      h.deps.services.events = events;
    }
    const result = await sweep(h.deps.repos, h.deps.services.search);
    expect(result.indexed).toBeGreaterThanOrEqual(2);
    expect(result.removed).toBe(1);
    await expectConverged(h.deps.services.search);
    expect((await h.agent().gql(`{ search(query: "indexer was down") { totalCount } }`)).data.search.totalCount).toBe(2);
    // a second sweep has nothing to do
    expect(await sweep(h.deps.repos, h.deps.services.search)).toEqual({ indexed: 0, removed: 0 });
  });
});

const dumpDir = process.env.STACKEXCHANGE_DUMP_DIR || join(repoRoot, '..', 'shared', 'data', 'stackexchange', 'ai.stackexchange.com');
const hasDump = existsSync(join(dumpDir, 'Posts.xml'));
if (!hasDump) console.log(`search relevance test skipped: no Stack Exchange dump at ${dumpDir} (set STACKEXCHANGE_DUMP_DIR)`);

describe.skipIf(!hasDump)('search relevance on the ai.stackexchange.com dump', () => {
  let search: SearchPort;
  let dir: string;
  const questions: SearchDocument[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'colloquy-relevance-'));
    search = createEmbeddedSearch({ dir });
    await search.init();
    const docs: SearchDocument[] = [];
    const titles = new Map<number, { title: string; tags: string[] }>();
    for await (const { row } of iterateDumpFile(join(dumpDir, 'Posts.xml'), 'Posts')) {
      if (row.PostTypeId !== 1 && row.PostTypeId !== 2) continue;
      if (row.PostTypeId === 1) titles.set(row.Id, { title: row.Title ?? '', tags: row.Tags ?? [] });
      const parent = row.PostTypeId === 1 ? { title: row.Title ?? '', tags: row.Tags ?? [] } : titles.get(row.ParentId ?? -1);
      const id = row.Id.toString(16).padStart(24, '0');
      docs.push({
        id,
        type: row.PostTypeId === 1 ? 'question' : 'answer',
        questionId: (row.PostTypeId === 1 ? row.Id : (row.ParentId ?? 0)).toString(16).padStart(24, '0'),
        title: parent?.title ?? '',
        body: markdownToPlainText((row.Body ?? '').replace(/<[^>]+>/g, ' ')),
        tags: parent?.tags ?? [],
        space: 'ai',
        authorId: String(row.OwnerUserId ?? 0),
        authorHandle: '',
        score: row.Score ?? 0,
        answerCount: row.AnswerCount ?? 0,
        isAnswered: (row.AnswerCount ?? 0) > 0,
        hasAccepted: !!row.AcceptedAnswerId,
        isAccepted: false,
        isClosed: !!row.ClosedDate,
        createdAt: row.CreationDate?.getTime() ?? 0,
        lastActivityAt: row.LastActivityDate?.getTime() ?? 0,
        version: 1,
      });
    }
    await search.upsert(docs);
    questions.push(...docs.filter((d) => d.type === 'question'));
  }, 120_000);

  afterAll(async () => {
    await search?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** one deterministic typo (swap two inner letters) in the longest word of 5+ letters */
  function withTypo(title: string): string | null {
    const words = title.split(/\s+/);
    let best = -1;
    words.forEach((w, i) => {
      if (/^[A-Za-z]{5,}$/.test(w) && (best < 0 || w.length > words[best]!.length)) best = i;
    });
    if (best < 0) return null;
    const w = words[best]!;
    const k = Math.floor(w.length / 2);
    words[best] = w.slice(0, k - 1) + w[k] + w[k - 1] + w.slice(k + 1);
    return words.join(' ');
  }

  it('finds at least 30 questions in the top 3 from their title with one typo', async () => {
    const sample = questions.filter((q) => withTypo(q.title) !== null && withTypo(q.title) !== q.title).slice(0, 40);
    expect(sample.length).toBeGreaterThanOrEqual(30);
    let found = 0;
    const misses: string[] = [];
    for (const q of sample) {
      const typo = withTypo(q.title)!;
      const page = await search.query({
        terms: typo
          .toLowerCase()
          .split(/[^a-z0-9+#.-]+/)
          .filter(Boolean),
        phrases: [],
        tags: [],
        excludedTags: [],
        sort: 'relevance',
        limit: 3,
        offset: 0,
        facets: false,
        type: 'question',
      });
      if (page.hits.some((hit) => hit.id === q.id)) found++;
      else misses.push(typo);
    }
    expect(found, `missed: ${misses.join(' | ')}`).toBeGreaterThanOrEqual(30);
  });

  it('[tag] is:question returns only questions with that tag', async () => {
    const counts = new Map<string, number>();
    for (const q of questions) for (const t of q.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
    const [tag, count] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const page = await search.query({
      terms: [],
      phrases: [],
      tags: [tag],
      excludedTags: [],
      type: 'question',
      sort: 'relevance',
      limit: 100,
      offset: 0,
      facets: true,
    });
    expect(page.total).toBe(count);
    expect(page.hits.every((hit) => hit.type === 'question' && hit.document.tags.includes(tag))).toBe(true);
  });
});
