// The synthetic community generator on the real FerretDB: counts follow the parameters, the
// same seed gives the same data, a re-run writes nothing, and every invariant `npm run verify`
// checks holds — also after a member votes on a generated post through the API.
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyConsistency } from '../../server/src/modules/maintenance/verify.service.js';
import { CommentModel } from '../../server/src/modules/comment/comment.model.js';
import { PostModel } from '../../server/src/modules/post/post.model.js';
import { ReputationEventModel } from '../../server/src/modules/reputation/reputation.model.js';
import { RevisionModel } from '../../server/src/modules/revision/revision.model.js';
import { generateSynthetic, geometric, mulberry32, Zipf, type SyntheticSummary } from '../../server/src/modules/seed/synthetic.js';
import { SpaceModel } from '../../server/src/modules/space/space.model.js';
import { TagModel } from '../../server/src/modules/tag/tag.model.js';
import { UserModel } from '../../server/src/modules/user/user.model.js';
import { VoteModel } from '../../server/src/modules/vote/vote.model.js';
import { member } from '../factories/qa.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const PARAMS = { members: 150, questions: 250, seed: 42, space: 'synthetic-test' };
const quiet = () => undefined;

let h: Harness;
let first: SyntheticSummary;
let firstDigest = '';

async function digest(): Promise<string> {
  const hash = createHash('sha1');
  const db = mongoose.connection.db!;
  for (const name of ['users', 'posts', 'comments', 'revisions', 'tags', 'votes', 'reputation_events', 'spaces']) {
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    hash.update(`${name}:${JSON.stringify(docs)}`);
  }
  return hash.digest('hex');
}

beforeAll(async () => {
  h = await startHarness();
  await h.reset();
  first = await generateSynthetic(h.deps, { ...PARAMS, log: quiet });
  firstDigest = await digest();
}, 300_000);
afterAll(async () => {
  await h?.close();
});

describe('the building blocks', () => {
  it('mulberry32 is deterministic and uniform enough', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });

  it('samples Zipf ranks and geometric counts with the intended shape', () => {
    const rand = mulberry32(3);
    const zipf = new Zipf(100, 1.1);
    const hits = new Array<number>(100).fill(0);
    for (let i = 0; i < 20_000; i++) hits[zipf.sample(rand)]!++;
    expect(hits[0]!).toBeGreaterThan(hits[1]!);
    expect(hits[1]!).toBeGreaterThan(hits[9]!);
    expect(hits[9]!).toBeGreaterThan(hits[99]!);
    const draws = Array.from({ length: 20_000 }, () => geometric(rand, 1.8));
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(mean).toBeGreaterThan(1.7);
    expect(mean).toBeLessThan(1.9);
  });
});

describe('synthetic community', () => {
  it('writes what the parameters ask for, with realistic shapes', async () => {
    expect(first).toMatchObject({ members: 150, questions: 250, seed: 42, existing: 0 });
    const site = await SpaceModel.findOne({ slug: 'synthetic-test' }).lean();
    expect(site?.questionCount).toBe(250);
    expect(await UserModel.countDocuments({})).toBe(150);
    expect(await PostModel.countDocuments({ type: 'question' })).toBe(250);
    expect(await PostModel.countDocuments({ type: 'answer' })).toBe(first.answers);
    expect(await CommentModel.countDocuments({})).toBe(first.comments);
    expect(await VoteModel.countDocuments({})).toBe(first.votes);
    expect(await RevisionModel.countDocuments({})).toBe(first.revisions);
    expect(await TagModel.countDocuments({})).toBe(first.tags);
    expect(await ReputationEventModel.countDocuments({})).toBe(first.reputationEvents);
    // answers per question: geometric, mean ≈ 1.8
    expect(first.answers / first.questions).toBeGreaterThan(1.3);
    expect(first.answers / first.questions).toBeLessThan(2.3);
    expect(first.revisions).toBeGreaterThan(first.questions + first.answers); // some edits
    expect(first.accepted).toBeGreaterThan(0);
    // Zipf: the most used tag is far ahead of the median one
    const tags = (await TagModel.find({}).select('questionCount').lean()).map((t) => t.questionCount).sort((a, b) => b - a);
    expect(tags[0]!).toBeGreaterThan(3 * tags[Math.floor(tags.length / 2)]!);
    // Zipf activity: the busiest member is far busier than the typical one
    const activity = (await UserModel.find({}).select('questionCount answerCount').lean())
      .map((u) => u.questionCount + u.answerCount)
      .sort((a, b) => b - a);
    expect(activity[0]!).toBeGreaterThan(5 * Math.max(1, activity[Math.floor(activity.length / 2)]!));
    expect(first.documents).toBe(
      first.members +
        first.questions +
        first.answers +
        first.comments +
        first.votes +
        first.revisions +
        first.tags +
        first.reputationEvents +
        1,
    );
  });

  it('keeps every invariant that verify checks', async () => {
    const result = await verifyConsistency(h.deps);
    expect(result.checks.filter((c) => c.drift > 0)).toEqual([]);
    expect(result.checks.find((c) => c.check === 'vote reputation')!.checked).toBe(first.votes);
  });

  it('serves generated questions through GraphQL and indexes them for search', async () => {
    const q = await PostModel.findOne({ type: 'question', answerCount: mongoose.trusted({ $gt: 0 }) }).lean();
    const r = await h
      .agent()
      .gql(`query($id: ID!) { question(id: $id) { title score answerCount author { handle reputation } tags { name } } }`, {
        id: q!._id.toHexString(),
      });
    expect(r.errors).toBeUndefined();
    expect(r.data.question).toMatchObject({ title: q!.title, score: q!.score, answerCount: q!.answerCount });
    const held = await h.deps.services.search.versions([q!._id.toHexString()]);
    expect(held.get(q!._id.toHexString())).toBe(1_000_000);
  });

  it('lets a member vote on generated posts through the API with the ledger staying consistent', async () => {
    // (the generated ledger uses the services' cause keys, so live votes and verify agree with it)
    const voter = await member(h, 'voter-synthetic');
    const question = await PostModel.findOne({ type: 'question', answerCount: mongoose.trusted({ $gt: 0 }) })
      .sort({ _id: 1 })
      .lean();
    const r = await h
      .agent()
      .gql(`query($id: ID!) { question(id: $id) { answers(first: 1) { nodes { id score author { reputation } } } } }`, {
        id: question!._id.toHexString(),
      });
    const answer = r.data.question.answers.nodes[0];
    const vote = `mutation($input: VoteInput!) { vote(input: $input) { subject { score } errors { code message } } }`;
    const up = await voter.must(vote, { input: { subjectId: answer.id, direction: 'UP' } });
    expect(up.vote.subject.score).toBe(answer.score + 1);
    expect((await verifyConsistency(h.deps)).checks.filter((c) => c.drift > 0)).toEqual([]);
    const down = await voter.must(vote, { input: { subjectId: answer.id, direction: 'NONE' } });
    expect(down.vote.subject.score).toBe(answer.score);
    expect((await verifyConsistency(h.deps)).checks.filter((c) => c.drift > 0)).toEqual([]);
  });

  it('writes nothing new when run again with the same parameters', async () => {
    await h.reset();
    await generateSynthetic(h.deps, { ...PARAMS, log: quiet });
    const again = await generateSynthetic(h.deps, { ...PARAMS, log: quiet });
    expect(again.existing).toBe(again.documents);
    expect(await digest()).toBe(firstDigest);
  }, 300_000);

  it('gives the same data for the same seed and different data for another', async () => {
    expect(await digest()).toBe(firstDigest);
    await h.reset();
    await generateSynthetic(h.deps, { ...PARAMS, seed: 43, log: quiet });
    expect(await digest()).not.toBe(firstDigest);
  }, 300_000);
});
