// Verify (and repair) derived state against its facts. Writes are short sequences of
// single-document steps (no multi-document transactions); a crash between two steps leaves
// a counter or a ledger step behind. This recomputes every derived value from its facts:
//
//   vote reputation          the ledger events of a vote's current version (and of its post's
//                            deletion) all exist, and the vote's authorRep/voterRep equal them
//   accept reputation        the current acceptance (generation acceptGen) has its answerer and
//                            acceptor events; every earlier or withdrawn one has its undo events
//   post score               score = scoreBase + Σ vote values; upVotes/downVotes = vote counts
//   question answerCount     non-deleted answers
//   question isAnswered      an accepted answer, or a non-deleted answer with a positive score
//   post commentCount        non-deleted comments
//   post child lists         a question's answerIds and a post's commentIds list every answer and
//                            comment (deleted ones too); posts written without lists get them
//   space questionCount      non-deleted questions in the space
//   tag questionCount        non-deleted questions carrying the tag
//   user questionCount       non-deleted questions by the member
//   user answerCount         non-deleted answers by the member
//   user opening event       every member has the `join:<id>` ledger event
//   user reputation          users.reputation = Σ ledger deltas, and repSeq = the last event
//
// Repairs are idempotent: ledger events use the same deterministic cause keys as the services
// (so a step is applied at most once) and counter writes are guarded by the values read.
// Reads go through plain finds batched by _id (findByIds: one query per id on FerretDB 1.x, which
// scans every other filter; real MongoDB uses the indexes declared on the models).
import type { Types } from 'mongoose';
import type { AppServices } from '../../context.js';
import type { Logger } from '../../infra/logger.js';
import { op } from '../../lib/mongo-ops.js';
import { CommentModel } from '../comment/comment.model.js';
import { PostModel } from '../post/post.model.js';
import { ReputationEventModel } from '../reputation/reputation.model.js';
import { voteAwardToAuthor, voteCostToVoter } from '../reputation/reputation.rules.js';
import { applyReputation, openLedger, type ReputationReason } from '../reputation/reputation.service.js';
import { SpaceModel } from '../space/space.model.js';
import { TagModel } from '../tag/tag.model.js';
import { UserModel } from '../user/user.model.js';
import { VoteModel } from '../vote/vote.model.js';
import { findByIds } from '../../infra/mongo.js';
import { updateById, updateIf, type Guard } from '../../infra/guarded-write.js';

export const CHECKS = [
  ['vote reputation', 'ledger events of each vote (current version, post deletion) exist; authorRep/voterRep match them'],
  ['accept reputation', 'the standing acceptance has its ledger events; withdrawn ones are reversed'],
  ['post score', 'score = scoreBase + Σ votes; upVotes/downVotes = vote counts'],
  ['question answerCount', 'non-deleted answers'],
  ['question isAnswered', 'accepted answer, or a non-deleted answer with a positive score'],
  ['post commentCount', 'non-deleted comments'],
  ['post child lists', 'answerIds / commentIds list every answer and comment'],
  ['space questionCount', 'non-deleted questions in the space'],
  ['tag questionCount', 'non-deleted questions with the tag'],
  ['user questionCount', 'non-deleted questions by the member'],
  ['user answerCount', 'non-deleted answers by the member'],
  ['user opening event', 'every member has a join:<id> ledger event'],
  ['user reputation', 'reputation = Σ ledger deltas (and not behind the last event)'],
] as const;

export type CheckName = (typeof CHECKS)[number][0];

export interface CheckResult {
  check: CheckName;
  description: string;
  /** items examined */
  checked: number;
  /** items that disagreed with their facts */
  drift: number;
  /** items fixed (only with repair) */
  repaired: number;
  /** a few examples of drift, for the report */
  examples: string[];
}

export interface VerifyResult {
  checks: CheckResult[];
  drift: number;
  repaired: number;
  repair: boolean;
}

export interface VerifyOptions {
  repair?: boolean;
  /** documents per batch (default 500) */
  batchSize?: number;
  /** examples kept per check (default 5) */
  examples?: number;
}

export type VerifyDeps = { services: Pick<AppServices, 'clock' | 'reputationRules' | 'events'>; log?: Logger };

const EXAMPLES = 5;

/** Walks a collection in _id order, `size` documents at a time (`load` runs one page query). */
async function* batches<T extends { _id: unknown }>(
  load: (filter: Record<string, unknown>, limit: number) => Promise<T[]>,
  size: number,
): AsyncGenerator<T[]> {
  let last: unknown = undefined;
  for (;;) {
    const rows = await load(last === undefined ? {} : { _id: op.gt(last) }, size);
    if (rows.length === 0) return;
    yield rows;
    last = rows[rows.length - 1]!._id;
    if (rows.length < size) return;
  }
}

const hex = (id: Types.ObjectId | null | undefined) => (id ? id.toHexString() : '');

class Tally {
  readonly results = new Map<CheckName, CheckResult>();
  constructor(private readonly max: number) {
    for (const [check, description] of CHECKS)
      this.results.set(check, { check, description, checked: 0, drift: 0, repaired: 0, examples: [] });
  }
  seen(check: CheckName, n = 1) {
    this.results.get(check)!.checked += n;
  }
  drift(check: CheckName, example: string) {
    const r = this.results.get(check)!;
    r.drift++;
    if (r.examples.length < this.max) r.examples.push(example);
  }
  repaired(check: CheckName) {
    this.results.get(check)!.repaired++;
  }
}

/** Recomputes derived state from its facts; with `repair`, fixes what drifted. */
export async function verifyConsistency(deps: VerifyDeps, options: VerifyOptions = {}): Promise<VerifyResult> {
  const repair = options.repair ?? false;
  const size = options.batchSize ?? 500;
  const tally = new Tally(options.examples ?? EXAMPLES);
  const changedPosts = new Set<string>();
  // ledger steps first: they move users' reputation, which is checked last
  await checkVotes(deps, tally, repair, size);
  await checkAccepts(deps, tally, repair, size);
  await checkPostScores(tally, repair, size, changedPosts);
  await checkPostCounters(tally, repair, size, changedPosts);
  await checkSpaces(tally, repair, size);
  await checkTags(tally, repair, size);
  await checkUsers(deps, tally, repair, size);
  if (changedPosts.size) {
    // the posts' versions were bumped (the search sweep catches up anyway); index them now
    const ids = [...changedPosts];
    for (let i = 0; i < ids.length; i += size) {
      await deps.services.events
        .postsChanged(ids.slice(i, i + size))
        .catch((error) => deps.log?.warn({ err: error }, 'verify: postsChanged failed'));
    }
  }
  const checks = [...tally.results.values()];
  return {
    checks,
    drift: checks.reduce((s, c) => s + c.drift, 0),
    repaired: checks.reduce((s, c) => s + c.repaired, 0),
    repair,
  };
}

// ---------------------------------------------------------------------------------------------
// votes and their ledger events

interface VoteRow {
  _id: string;
  userId: Types.ObjectId;
  postId: Types.ObjectId;
  value: number;
  version: number;
  authorRep: number;
  voterRep: number;
  imported?: boolean;
}

interface LedgerStep {
  key: string;
  userId: Types.ObjectId;
  nominal: number;
  reason: ReputationReason;
  capped?: boolean;
}

async function checkVotes(deps: VerifyDeps, tally: Tally, repair: boolean, size: number) {
  const rules = deps.services.reputationRules;
  for await (const votes of batches<VoteRow>(
    (f, n) =>
      VoteModel.find(f).select('userId postId value version authorRep voterRep imported').sort({ _id: 1 }).limit(n).lean<VoteRow[]>(),
    size,
  )) {
    const live = votes.filter((v) => !v.imported);
    tally.seen('vote reputation', live.length);
    if (live.length === 0) continue;
    const posts = new Map(
      (
        await findByIds<{ _id: Types.ObjectId; type: 'question' | 'answer'; authorId: Types.ObjectId; deletedAt: Date | null }>(
          PostModel,
          live.map((v) => v.postId),
          'type authorId deletedAt',
        )
      ).map((p) => [hex(p._id), p]),
    );
    const keysOf = (v: VoteRow) => {
      const base = `vote:${v._id}:${v.version}`;
      return [
        `vote:${v._id}:${v.version - 1}:author`,
        `vote:${v._id}:${v.version - 1}:voter`,
        `${base}:author-undo`,
        `${base}:voter-undo`,
        `${base}:author`,
        `${base}:voter`,
        `delete:${v._id}:${v.version}:author`,
        `delete:${v._id}:${v.version}:voter`,
      ];
    };
    const events = new Map(
      (await findByIds<{ _id: string; delta: number }>(ReputationEventModel, live.flatMap(keysOf), 'delta')).map((e) => [e._id, e.delta]),
    );
    for (const v of live) {
      const post = posts.get(hex(v.postId));
      if (!post) continue;
      const n = v.version;
      const base = `vote:${v._id}:${n}`;
      const subjectType = post.type === 'question' ? ('Question' as const) : ('Answer' as const);
      // what settling version n must have written (see vote.service.ts settleReputation)
      const prevAuthor = events.get(`vote:${v._id}:${n - 1}:author`) ?? 0;
      const prevVoter = events.get(`vote:${v._id}:${n - 1}:voter`) ?? 0;
      const award = voteAwardToAuthor(rules, post.type, v.value);
      const cost = voteCostToVoter(rules, post.type, v.value);
      const steps: LedgerStep[] = [];
      // once the post's deletion reversed this version, the vote is closed: never settle it again
      const closed = !!post.deletedAt && (events.has(`delete:${v._id}:${n}:author`) || events.has(`delete:${v._id}:${n}:voter`));
      if (!closed && prevAuthor !== 0 && !events.has(`${base}:author-undo`))
        steps.push({ key: `${base}:author-undo`, userId: post.authorId, nominal: -prevAuthor, reason: 'VOTE_REVERSED' });
      if (!closed && prevVoter !== 0 && !events.has(`${base}:voter-undo`))
        steps.push({ key: `${base}:voter-undo`, userId: v.userId, nominal: -prevVoter, reason: 'VOTE_REVERSED' });
      if (!closed && award !== 0 && !events.has(`${base}:author`)) {
        steps.push({
          key: `${base}:author`,
          userId: post.authorId,
          nominal: award,
          reason: v.value > 0 ? (post.type === 'question' ? 'QUESTION_UPVOTED' : 'ANSWER_UPVOTED') : 'POST_DOWNVOTED',
          capped: v.value > 0,
        });
      }
      if (!closed && cost !== 0 && !events.has(`${base}:voter`))
        steps.push({ key: `${base}:voter`, userId: v.userId, nominal: cost, reason: 'DOWNVOTED_ANSWER' });
      const settledBeforeRepair = steps.length === 0;
      let authorNow = events.get(`${base}:author`) ?? 0;
      let voterNow = events.get(`${base}:voter`) ?? 0;
      const at = deps.services.clock.now();
      if (repair && steps.length) {
        for (const step of steps) {
          const delta = await applyReputation(rules, { ...step, subjectId: post._id, subjectType, at });
          if (step.key === `${base}:author`) authorNow = delta;
          if (step.key === `${base}:voter`) voterNow = delta;
        }
      }
      // a deleted post's votes give nothing: its reputation was reversed
      const deletion: LedgerStep[] = [];
      if (post.deletedAt) {
        if (authorNow !== 0 && !events.has(`delete:${v._id}:${n}:author`))
          deletion.push({ key: `delete:${v._id}:${n}:author`, userId: post.authorId, nominal: -authorNow, reason: 'POST_DELETED' });
        if (voterNow !== 0 && !events.has(`delete:${v._id}:${n}:voter`))
          deletion.push({ key: `delete:${v._id}:${n}:voter`, userId: v.userId, nominal: -voterNow, reason: 'POST_DELETED' });
      }
      const expectedAuthor = post.deletedAt ? 0 : authorNow;
      const expectedVoter = post.deletedAt ? 0 : voterNow;
      const fieldsOk = (v.authorRep ?? 0) === expectedAuthor && (v.voterRep ?? 0) === expectedVoter;
      if (settledBeforeRepair && deletion.length === 0 && fieldsOk) continue;
      const problems = [
        ...steps.map((s) => `missing ${s.key}`),
        ...deletion.map((s) => `missing ${s.key}`),
        ...(fieldsOk ? [] : [`authorRep/voterRep ${v.authorRep}/${v.voterRep}, ledger says ${expectedAuthor}/${expectedVoter}`]),
      ];
      tally.drift('vote reputation', `vote ${v._id} v${n}: ${problems.join('; ')}`);
      if (!repair) continue;
      for (const step of deletion) await applyReputation(rules, { ...step, subjectId: post._id, subjectType, at });
      if (!fieldsOk || steps.length) {
        await updateIf(VoteModel, v._id, { version: n }, { $set: { authorRep: expectedAuthor, voterRep: expectedVoter } });
      }
      tally.repaired('vote reputation');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// acceptances and their ledger events (see post.service.ts acceptAnswer / reverseAccept)

interface AcceptRow {
  _id: Types.ObjectId;
  authorId: Types.ObjectId;
  acceptedAnswerId: Types.ObjectId | null;
  acceptGen: number;
  deletedAt: Date | null;
}

const ACCEPT_ROLES = ['answerer', 'acceptor'] as const;

/**
 * Generation g of a question's acceptance writes `accept:<q>:<g>:answerer|acceptor` (not for a
 * self-answer); withdrawing it (unaccept, another accept, deleting the question or the answer)
 * writes `…:undo` with the opposite delta. Generation 0 is an imported acceptance, settled by
 * the opening balance. A crash between the question's write and the ledger's leaves a step out.
 */
async function checkAccepts(deps: VerifyDeps, tally: Tally, repair: boolean, size: number) {
  const rules = deps.services.reputationRules;
  for await (const questions of batches<AcceptRow>(
    (f, n) =>
      PostModel.find({ ...f, type: 'question', acceptGen: op.gt(0) })
        .select('authorId acceptedAnswerId acceptGen deletedAt')
        .sort({ _id: 1 })
        .limit(n)
        .lean<AcceptRow[]>(),
    size,
  )) {
    tally.seen('accept reputation', questions.length);
    const keys = questions.flatMap((q) =>
      Array.from({ length: q.acceptGen }, (_, i) =>
        ACCEPT_ROLES.flatMap((role) => [`accept:${hex(q._id)}:${i + 1}:${role}`, `accept:${hex(q._id)}:${i + 1}:${role}:undo`]),
      ).flat(),
    );
    const events = new Map(
      (
        await findByIds<{ _id: string; userId: Types.ObjectId; delta: number; subjectId?: Types.ObjectId | null }>(
          ReputationEventModel,
          keys,
          'userId delta subjectId',
        )
      ).map((e) => [e._id, e]),
    );
    const standingIds = questions.filter((q) => q.acceptedAnswerId && !q.deletedAt).map((q) => q.acceptedAnswerId!);
    const answers = new Map(
      (standingIds.length
        ? await findByIds<{ _id: Types.ObjectId; authorId: Types.ObjectId; deletedAt: Date | null }>(
            PostModel,
            standingIds,
            'authorId deletedAt',
          )
        : []
      ).map((a) => [hex(a._id), a]),
    );
    const at = deps.services.clock.now();
    for (const q of questions) {
      const answer = q.acceptedAnswerId && !q.deletedAt ? answers.get(hex(q.acceptedAnswerId)) : undefined;
      const standing = answer && !answer.deletedAt ? answer : undefined;
      const steps: Array<LedgerStep & { subjectId: Types.ObjectId }> = [];
      for (let g = 1; g <= q.acceptGen; g++) {
        const base = `accept:${hex(q._id)}:${g}`;
        const current = g === q.acceptGen && standing !== undefined;
        if (current && !standing.authorId.equals(q.authorId)) {
          // the standing acceptance: both awards exist (and are not undone)
          const who = { answerer: standing.authorId, acceptor: q.authorId };
          const nominal = { answerer: rules.answerAccepted, acceptor: rules.acceptorBonus };
          const reason = { answerer: 'ANSWER_ACCEPTED', acceptor: 'ACCEPTED_ANSWER' } as const;
          for (const role of ACCEPT_ROLES) {
            if (!events.has(`${base}:${role}`) && nominal[role] !== 0)
              steps.push({
                key: `${base}:${role}`,
                userId: who[role],
                nominal: nominal[role],
                reason: reason[role],
                subjectId: standing._id,
              });
          }
        } else if (!current) {
          // a withdrawn acceptance: whatever it awarded is reversed
          for (const role of ACCEPT_ROLES) {
            const award = events.get(`${base}:${role}`);
            if (award && award.delta !== 0 && !events.has(`${base}:${role}:undo`))
              steps.push({
                key: `${base}:${role}:undo`,
                userId: award.userId,
                nominal: -award.delta,
                reason: 'ACCEPT_REVERSED',
                subjectId: award.subjectId ?? q._id,
              });
          }
        }
      }
      if (steps.length === 0) continue;
      tally.drift('accept reputation', `question ${hex(q._id)}: missing ${steps.map((s) => s.key).join(', ')}`);
      if (!repair) continue;
      for (const { subjectId, ...step } of steps) await applyReputation(rules, { ...step, subjectId, subjectType: 'Answer', at });
      tally.repaired('accept reputation');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// posts

interface PostRow {
  _id: Types.ObjectId;
  type: 'question' | 'answer';
  score: number;
  scoreBase: number;
  upVotes: number;
  downVotes: number;
  answerCount: number;
  commentCount: number;
  isAnswered: boolean;
  acceptedAnswerId: Types.ObjectId | null;
  answerIds?: Types.ObjectId[];
  commentIds?: Types.ObjectId[];
}

async function fixPost(
  post: PostRow,
  set: Partial<Record<'score' | 'upVotes' | 'downVotes' | 'answerCount' | 'commentCount' | 'isAnswered', number | boolean>>,
  changedPosts: Set<string>,
): Promise<boolean> {
  // guarded by the values read: a concurrent change wins (a later run catches up)
  const guard: Guard = {};
  for (const k of Object.keys(set)) guard[k] = post[k as keyof typeof set];
  const res = await updateIf(PostModel, post._id, guard, { $set: set, $inc: { version: 1 } });
  if (res.modifiedCount === 1) changedPosts.add(hex(post._id));
  return res.modifiedCount === 1;
}

async function checkPostScores(tally: Tally, repair: boolean, size: number, changedPosts: Set<string>) {
  for await (const posts of batches<PostRow>(
    (f, n) => PostModel.find(f).select('type score scoreBase upVotes downVotes').sort({ _id: 1 }).limit(n).lean<PostRow[]>(),
    size,
  )) {
    tally.seen('post score', posts.length);
    const votes = (await VoteModel.find({ postId: op.in(posts.map((p) => p._id)) })
      .select('postId value')
      .lean()) as Array<{ postId: Types.ObjectId; value: number }>;
    const sums = new Map<string, { score: number; up: number; down: number }>();
    for (const v of votes) {
      const s = sums.get(hex(v.postId)) ?? { score: 0, up: 0, down: 0 };
      s.score += v.value;
      if (v.value > 0) s.up++;
      if (v.value < 0) s.down++;
      sums.set(hex(v.postId), s);
    }
    for (const p of posts) {
      const s = sums.get(hex(p._id)) ?? { score: 0, up: 0, down: 0 };
      const scoreBase = p.scoreBase ?? 0;
      const expected: Partial<Record<'score' | 'upVotes' | 'downVotes', number>> = { score: scoreBase + s.score };
      // imported scores (scoreBase) come without vote documents: their up/down split is not a fact here
      if (scoreBase === 0) {
        expected.upVotes = s.up;
        expected.downVotes = s.down;
      }
      const wrong = Object.entries(expected).filter(([k, v]) => p[k as 'score'] !== v);
      if (wrong.length === 0) continue;
      tally.drift('post score', `${p.type} ${hex(p._id)}: ${wrong.map(([k, v]) => `${k} ${p[k as 'score']} → ${v}`).join(', ')}`);
      if (repair && (await fixPost(p, Object.fromEntries(wrong), changedPosts))) tally.repaired('post score');
    }
  }
}

async function checkPostCounters(tally: Tally, repair: boolean, size: number, changedPosts: Set<string>) {
  for await (const posts of batches<PostRow>(
    (f, n) =>
      PostModel.find(f)
        .select('type answerCount commentCount isAnswered acceptedAnswerId answerIds commentIds')
        .sort({ _id: 1 })
        .limit(n)
        .lean<PostRow[]>(),
    size,
  )) {
    tally.seen('post commentCount', posts.length);
    tally.seen('post child lists', posts.length);
    const comments = (await CommentModel.find({ postId: op.in(posts.map((p) => p._id)) })
      .select('postId deletedAt')
      .lean()) as Array<{ _id: Types.ObjectId; postId: Types.ObjectId; deletedAt: Date | null }>;
    const commentCounts = new Map<string, number>();
    const commentsOf = new Map<string, Types.ObjectId[]>();
    for (const c of comments) {
      commentsOf.set(hex(c.postId), [...(commentsOf.get(hex(c.postId)) ?? []), c._id]);
      if (!c.deletedAt) commentCounts.set(hex(c.postId), (commentCounts.get(hex(c.postId)) ?? 0) + 1);
    }

    const questions = posts.filter((p) => p.type === 'question');
    tally.seen('question answerCount', questions.length);
    tally.seen('question isAnswered', questions.length);
    const answers = questions.length
      ? ((await PostModel.find({ type: 'answer', questionId: op.in(questions.map((q) => q._id)) })
          .select('questionId score deletedAt')
          .lean()) as Array<{ _id: Types.ObjectId; questionId: Types.ObjectId; score: number; deletedAt: Date | null }>)
      : [];
    const answerFacts = new Map<string, { count: number; positive: boolean }>();
    const answersOf = new Map<string, Types.ObjectId[]>();
    for (const a of answers) {
      answersOf.set(hex(a.questionId), [...(answersOf.get(hex(a.questionId)) ?? []), a._id]);
      if (a.deletedAt) continue;
      const f = answerFacts.get(hex(a.questionId)) ?? { count: 0, positive: false };
      f.count++;
      if (a.score > 0) f.positive = true;
      answerFacts.set(hex(a.questionId), f);
    }

    for (const p of posts) {
      // child lists: complete, or created where missing (appends only: never drops an id)
      const lists: Array<['answerIds' | 'commentIds', Types.ObjectId[] | undefined, Types.ObjectId[]]> = [
        ['commentIds', p.commentIds, commentsOf.get(hex(p._id)) ?? []],
      ];
      if (p.type === 'question') lists.push(['answerIds', p.answerIds, answersOf.get(hex(p._id)) ?? []]);
      const add: Record<string, { $each: Types.ObjectId[] }> = {};
      const problems: string[] = [];
      for (const [field, list, facts] of lists) {
        const have = new Set((list ?? []).map(hex));
        const missing = facts.filter((id) => !have.has(hex(id)));
        if (list && missing.length === 0) continue;
        add[field] = { $each: missing };
        problems.push(`${field} ${list ? `misses ${missing.length}` : 'absent'}`);
      }
      if (problems.length) tally.drift('post child lists', `${p.type} ${hex(p._id)}: ${problems.join(', ')}`);
      if (repair && problems.length) {
        await updateById(PostModel, p._id, { $addToSet: add });
        tally.repaired('post child lists');
      }

      const set: Partial<Record<'answerCount' | 'commentCount' | 'isAnswered', number | boolean>> = {};
      const commentCount = commentCounts.get(hex(p._id)) ?? 0;
      if (p.commentCount !== commentCount) {
        tally.drift('post commentCount', `${p.type} ${hex(p._id)}: ${p.commentCount} → ${commentCount}`);
        set.commentCount = commentCount;
      }
      if (p.type === 'question') {
        const facts = answerFacts.get(hex(p._id)) ?? { count: 0, positive: false };
        if (p.answerCount !== facts.count) {
          tally.drift('question answerCount', `question ${hex(p._id)}: ${p.answerCount} → ${facts.count}`);
          set.answerCount = facts.count;
        }
        const isAnswered = !!p.acceptedAnswerId || facts.positive;
        if (p.isAnswered !== isAnswered) {
          tally.drift('question isAnswered', `question ${hex(p._id)}: ${p.isAnswered} → ${isAnswered}`);
          set.isAnswered = isAnswered;
        }
      }
      if (!repair || Object.keys(set).length === 0) continue;
      if (await fixPost(p, set, changedPosts)) {
        if ('commentCount' in set) tally.repaired('post commentCount');
        if ('answerCount' in set) tally.repaired('question answerCount');
        if ('isAnswered' in set) tally.repaired('question isAnswered');
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// spaces and tags

async function checkSpaces(tally: Tally, repair: boolean, size: number) {
  type SpaceRow = { _id: Types.ObjectId; slug: string; questionCount: number };
  for await (const spaces of batches<SpaceRow>(
    (f, n) => SpaceModel.find(f).select('slug questionCount').sort({ _id: 1 }).limit(n).lean<SpaceRow[]>(),
    size,
  )) {
    tally.seen('space questionCount', spaces.length);
    const questions = (await PostModel.find({ type: 'question', deletedAt: null, spaceId: op.in(spaces.map((s) => s._id)) })
      .select('spaceId')
      .lean()) as Array<{ spaceId: Types.ObjectId }>;
    const counts = new Map<string, number>();
    for (const q of questions) counts.set(hex(q.spaceId), (counts.get(hex(q.spaceId)) ?? 0) + 1);
    for (const s of spaces) {
      const expected = counts.get(hex(s._id)) ?? 0;
      if (s.questionCount === expected) continue;
      tally.drift('space questionCount', `space ${s.slug}: ${s.questionCount} → ${expected}`);
      if (!repair) continue;
      const res = await updateIf(SpaceModel, s._id, { questionCount: s.questionCount }, { $set: { questionCount: expected } });
      if (res.modifiedCount === 1) tally.repaired('space questionCount');
    }
  }
}

async function checkTags(tally: Tally, repair: boolean, size: number) {
  type TagRow = { _id: string; questionCount: number };
  for await (const tags of batches<TagRow>(
    (f, n) => TagModel.find(f).select('questionCount').sort({ _id: 1 }).limit(n).lean<TagRow[]>(),
    size,
  )) {
    tally.seen('tag questionCount', tags.length);
    const names = tags.map((t) => t._id);
    const questions = (await PostModel.find({ type: 'question', deletedAt: null, tags: op.in(names) })
      .select('tags')
      .lean()) as Array<{ tags: string[] }>;
    const wanted = new Set(names);
    const counts = new Map<string, number>();
    for (const q of questions) for (const t of new Set(q.tags)) if (wanted.has(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const t of tags) {
      const expected = counts.get(t._id) ?? 0;
      if (t.questionCount === expected) continue;
      tally.drift('tag questionCount', `tag ${t._id}: ${t.questionCount} → ${expected}`);
      if (!repair) continue;
      const res = await updateIf(TagModel, t._id, { questionCount: t.questionCount }, { $set: { questionCount: expected } });
      if (res.modifiedCount === 1) tally.repaired('tag questionCount');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// users: counters, opening event, reputation = Σ ledger

interface UserRow {
  _id: Types.ObjectId;
  handle: string;
  createdAt: Date;
  reputation: number;
  repSeq: number;
  questionCount: number;
  answerCount: number;
}

async function checkUsers(deps: VerifyDeps, tally: Tally, repair: boolean, size: number) {
  const rules = deps.services.reputationRules;
  for await (const users of batches<UserRow>(
    (f, n) =>
      UserModel.find(f).select('handle createdAt reputation repSeq questionCount answerCount').sort({ _id: 1 }).limit(n).lean<UserRow[]>(),
    size,
  )) {
    const ids = users.map((u) => u._id);
    for (const check of ['user questionCount', 'user answerCount', 'user opening event', 'user reputation'] as const)
      tally.seen(check, users.length);

    // counters
    const posts = (await PostModel.find({ authorId: op.in(ids), deletedAt: null })
      .select('authorId type')
      .lean()) as Array<{ authorId: Types.ObjectId; type: string }>;
    const counts = new Map<string, { questions: number; answers: number }>();
    for (const p of posts) {
      const c = counts.get(hex(p.authorId)) ?? { questions: 0, answers: 0 };
      if (p.type === 'question') c.questions++;
      else c.answers++;
      counts.set(hex(p.authorId), c);
    }
    for (const u of users) {
      const c = counts.get(hex(u._id)) ?? { questions: 0, answers: 0 };
      for (const [check, field, expected] of [
        ['user questionCount', 'questionCount', c.questions],
        ['user answerCount', 'answerCount', c.answers],
      ] as const) {
        if (u[field] === expected) continue;
        tally.drift(check, `@${u.handle}: ${u[field]} → ${expected}`);
        if (!repair) continue;
        const res = await updateIf(UserModel, u._id, { [field]: u[field] }, { $set: { [field]: expected } });
        if (res.modifiedCount === 1) tally.repaired(check);
      }
    }

    // the opening event
    const joins = new Set(
      (
        await findByIds<{ _id: string }>(
          ReputationEventModel,
          users.map((u) => `join:${hex(u._id)}`),
          '_id',
        )
      ).map((e) => e._id),
    );
    for (const u of users) {
      if (joins.has(`join:${hex(u._id)}`)) continue;
      tally.drift('user opening event', `@${u.handle}: no join:${hex(u._id)}`);
      if (!repair) continue;
      await openLedger(rules, u._id, u.createdAt ?? deps.services.clock.now());
      tally.repaired('user opening event');
    }

    // reputation = Σ deltas; the user document is not behind the last event
    const events = (await ReputationEventModel.find({ userId: op.in(ids) })
      .select('userId seq delta day dayEarned')
      .lean()) as Array<{ userId: Types.ObjectId; seq: number; delta: number; day: string; dayEarned: number }>;
    const ledger = new Map<string, { sum: number; last: (typeof events)[number] | null }>();
    for (const e of events) {
      const l = ledger.get(hex(e.userId)) ?? { sum: 0, last: null };
      l.sum += e.delta;
      if (!l.last || e.seq > l.last.seq) l.last = e;
      ledger.set(hex(e.userId), l);
    }
    const fresh = repair
      ? new Map(
          (await findByIds<{ _id: Types.ObjectId; reputation: number; repSeq: number }>(UserModel, ids, 'reputation repSeq')).map((u) => [
            hex(u._id),
            u,
          ]),
        )
      : null;
    for (const u of users) {
      const l = ledger.get(hex(u._id));
      if (!l?.last) continue; // no events at all: reported above as a missing opening event
      // (a repair above may have moved the user: compare against what is stored now)
      const now = fresh?.get(hex(u._id)) ?? u;
      if (now.reputation === l.sum && now.repSeq === l.last.seq) continue;
      tally.drift(
        'user reputation',
        `@${u.handle}: reputation ${now.reputation} (seq ${now.repSeq}) but the ledger sums to ${l.sum} (seq ${l.last.seq})`,
      );
      if (!repair) continue;
      const res = await updateIf(
        UserModel,
        u._id,
        { reputation: now.reputation, repSeq: now.repSeq },
        { $set: { reputation: l.sum, repSeq: l.last.seq, repDay: l.last.day, repDayEarned: l.last.dayEarned } },
      );
      if (res.modifiedCount === 1) tally.repaired('user reputation');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// report

/** A plain-text table of the checks (for the command line). */
export function formatVerifyReport(result: VerifyResult): string {
  const rows = result.checks.map((c) => [c.check, String(c.checked), String(c.drift), result.repair ? String(c.repaired) : '-']);
  const header = ['check', 'checked', 'drift', 'repaired'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const details = result.checks.filter((c) => c.examples.length);
  if (details.length) {
    out.push('');
    for (const c of details) {
      out.push(`${c.check}${c.drift > c.examples.length ? ` (first ${c.examples.length} of ${c.drift})` : ''}:`);
      for (const e of c.examples) out.push(`  ${result.repair ? 'fixed ' : ''}${e}`);
    }
  }
  out.push('');
  if (result.drift === 0) out.push('No drift: every derived value matches its facts.');
  else if (result.repair) out.push(`Drift in ${result.drift} item(s); repaired ${result.repaired}.`);
  else out.push(`Drift in ${result.drift} item(s). Run with --repair to fix it.`);
  return out.join('\n');
}
