// The synthetic generator without a database: seed-store.ts (its only database access) is
// replaced by an in-memory one. The same seed gives the same documents, and the counters and
// reputation it writes agree with the documents it writes (what `npm run verify` checks).
import { Types } from 'mongoose';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppDeps } from '../../context.js';
import { DEFAULT_REPUTATION_RULES } from '../reputation/reputation.rules.js';

type Doc = Record<string, unknown> & { _id: { toString(): string } };
const db = vi.hoisted(() => ({ collections: new Map<string, Map<string, Record<string, unknown>>>() }));
const coll = (name: string) => {
  let c = db.collections.get(name);
  if (!c) db.collections.set(name, (c = new Map()));
  return c;
};

vi.mock('./seed-store.js', () => {
  const store = fakeStore();
  return { seedStore: () => store };
});

function fakeStore() {
  class FakeBatch {
    private queue: Doc[] = [];
    existing = 0;
    constructor(
      private readonly name: string,
      private readonly size: number,
    ) {}
    add(doc: Doc) {
      this.queue.push(doc);
      return this.queue.length >= this.size;
    }
    async flush() {
      let inserted = 0;
      let existing = 0;
      for (const d of this.queue.splice(0)) {
        if (coll(this.name).has(String(d._id))) existing++;
        else {
          coll(this.name).set(String(d._id), d);
          inserted++;
        }
      }
      this.existing += existing;
      return { inserted, existing, failures: [] };
    }
  }
  return {
    insertBatchFor: (name: string, options: { size?: number }) => new FakeBatch(name, options.size ?? 500),
    findSpaceIdBySlug: async (slug: string) => [...coll('spaces').values()].find((s) => s.slug === slug)?._id ?? null,
    insertSpaceDocument: async (doc: Doc) => void coll('spaces').set(String(doc._id), doc),
    countLiveQuestions: async (spaceId: { toString(): string }) =>
      [...coll('posts').values()].filter((p) => p.type === 'question' && String(p.spaceId) === String(spaceId)).length,
    spaceQuestionCount: async (spaceId: { toString(): string }) => coll('spaces').get(String(spaceId))?.questionCount,
    setSpaceQuestionCount: async (spaceId: { toString(): string }, n: number) =>
      void (coll('spaces').get(String(spaceId))!.questionCount = n),
    questionCountsByTag: async (names: string[]) => {
      const counts = new Map<string, number>();
      for (const p of coll('posts').values())
        if (p.type === 'question') for (const t of p.tags as string[]) if (names.includes(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
      return counts;
    },
    tagQuestionCounts: async (names: string[]) => names.filter((n) => coll('tags').has(n)).map((n) => coll('tags').get(n)!),
    setTagQuestionCount: async (name: string, n: number) => void (coll('tags').get(name)!.questionCount = n),
  };
}

const { generateSynthetic } = await import('./synthetic.js');

const rebuilds: number[] = [];
const searched: Array<Record<string, unknown>> = [];
const deps = {
  log: { info: () => undefined },
  services: {
    reputationRules: DEFAULT_REPUTATION_RULES,
    search: { upsert: async (docs: Array<Record<string, unknown>>) => void searched.push(...docs) },
    listings: { rebuild: async () => void rebuilds.push(1) },
  },
  // the generator's database access is the fake seed store above; the storage only hears the
  // cache reset at the end
  repos: { storage: { changed: async () => undefined } },
} as unknown as AppDeps;

const docs = (name: string) => [...coll(name).values()] as Array<Record<string, any>>;
const snapshot = () => JSON.stringify([...db.collections.entries()].map(([name, c]) => [name, [...c.values()]]));
const PARAMS = { members: 40, questions: 60, seed: 7, batchSize: 25, log: () => undefined };

beforeEach(() => {
  db.collections.clear();
  searched.length = 0;
  rebuilds.length = 0;
});

describe('generateSynthetic', () => {
  it('writes the same documents for the same seed, and others for another seed', async () => {
    const first = await generateSynthetic(deps, PARAMS);
    const before = snapshot();
    db.collections.clear();
    const again = await generateSynthetic(deps, PARAMS);
    expect(snapshot()).toBe(before);
    expect({ ...again, seconds: 0, documentsPerSecond: 0, searchSeconds: 0 }).toEqual({
      ...first,
      seconds: 0,
      documentsPerSecond: 0,
      searchSeconds: 0,
    });
    db.collections.clear();
    await generateSynthetic(deps, { ...PARAMS, seed: 8 });
    expect(snapshot()).not.toBe(before);
  });

  it('counts what it writes, and a re-run finds everything already there', async () => {
    const s = await generateSynthetic(deps, PARAMS);
    expect(s).toMatchObject({ members: 40, questions: 60, seed: 7, existing: 0 });
    expect(docs('users')).toHaveLength(40);
    expect(docs('posts').filter((p) => p.type === 'question')).toHaveLength(60);
    expect(docs('posts').filter((p) => p.type === 'answer')).toHaveLength(s.answers);
    expect(docs('comments')).toHaveLength(s.comments);
    expect(docs('votes')).toHaveLength(s.votes);
    expect(docs('revisions')).toHaveLength(s.revisions);
    expect(docs('tags')).toHaveLength(s.tags);
    expect(docs('events')).toHaveLength(s.reputationEvents);
    expect(docs('spaces')).toMatchObject([{ slug: 'synthetic', questionCount: 60 }]);
    expect(s.documents).toBe(40 + 60 + s.answers + s.comments + s.votes + s.revisions + s.tags + s.reputationEvents + 1);
    expect(searched).toHaveLength(60 + s.answers);
    expect(rebuilds).toHaveLength(1);
    const again = await generateSynthetic(deps, PARAMS);
    expect(again.existing).toBe(again.documents);
  });

  it('writes counters and reputation that agree with the documents', async () => {
    await generateSynthetic(deps, PARAMS);
    const posts = docs('posts');
    const votesOf = (id: unknown) => docs('votes').filter((v) => String(v.postId) === String(id));
    for (const p of posts) {
      const votes = votesOf(p._id);
      expect(p.score).toBe(votes.reduce((n, v) => n + v.value, 0));
      expect([p.upVotes, p.downVotes]).toEqual([votes.filter((v) => v.value > 0).length, votes.filter((v) => v.value < 0).length]);
      const comments = docs('comments').filter((c) => String(c.postId) === String(p._id));
      expect(p.commentCount).toBe(comments.length);
      expect(p.commentIds.map(String)).toEqual(comments.map((c) => String(c._id)));
      if (p.type === 'question') {
        const answers = posts.filter((a) => a.type === 'answer' && String(a.questionId) === String(p._id));
        expect(p.answerCount).toBe(answers.length);
        expect(p.answerIds.map(String)).toEqual(answers.map((a) => String(a._id)));
        expect(p.isAnswered).toBe(!!p.acceptedAnswerId || answers.some((a) => a.score > 0));
      }
    }
    for (const u of docs('users')) {
      const mine = posts.filter((p) => String(p.authorId) === String(u._id));
      expect([u.questionCount, u.answerCount]).toEqual([
        mine.filter((p) => p.type === 'question').length,
        mine.filter((p) => p.type === 'answer').length,
      ]);
      const events = docs('events').filter((e) => String(e.userId) === String(u._id));
      expect(events.some((e) => e._id === `join:${String(u._id)}`)).toBe(true);
      expect(u.reputation).toBe(events.reduce((n, e) => n + e.delta, 0));
      expect(u.repSeq).toBe(events.length);
    }
    for (const v of docs('votes')) {
      const author = docs('events').find((e) => e._id === `vote:${v._id}:1:author`);
      expect(v.authorRep).toBe(author?.delta ?? 0);
    }
    for (const t of docs('tags')) expect(t.questionCount).toBe(posts.filter((p) => p.type === 'question' && p.tags.includes(t._id)).length);
  });

  it('reuses an existing space and recounts its questions and the tags that existed', async () => {
    const id = new Types.ObjectId();
    coll('spaces').set(String(id), { _id: id, slug: 'synthetic', questionCount: 3 });
    coll('tags').set('python', { _id: 'python', questionCount: 99 });
    const s = await generateSynthetic(deps, { ...PARAMS, search: false });
    expect(s.space.id).toBe(id.toHexString());
    expect(coll('spaces').get(String(id))!.questionCount).toBe(60);
    expect(coll('spaces').size).toBe(1);
    expect(coll('tags').get('python')!.questionCount).toBe(
      docs('posts').filter((p) => p.type === 'question' && p.tags.includes('python')).length,
    );
    expect(searched).toHaveLength(0);
  });
});
