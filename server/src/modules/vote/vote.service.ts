// Votes: one document per (member, post), changed under a version guard so that the post's
// score moves by exactly (new − old) once, even under concurrent votes. Reputation follows
// through the ledger with per-version cause keys.
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ForbiddenError, NotFoundError } from '../../lib/errors.js';
import { parseInput } from '../../lib/validate.js';
import type { PostDoc } from '../post/post.model.js';
import { canVote } from '../post/post.policy.js';
import { publishActivity } from '../activity/activity.js';
import { postsChanged } from '../post/post.changes.js';
import { visiblePost } from '../post/post.visibility.js';
import { applyReputation } from '../reputation/reputation.service.js';
import { voteAwardToAuthor, voteCostToVoter } from '../reputation/reputation.rules.js';
import { reposOf, servicesOf } from '../services.js';
import { requireWriter } from '../user/user.service.js';
import { requireActiveMember, requireViewerPrivilege } from '../moderation/member.js';
import type { VoteDoc } from './vote.model.js';
import { VOTE_VALUE as VALUE, voteKey, type VoteDirection } from './vote.rules.js';

export { voteKey, type VoteDirection };

const voteInput = z.object({ subjectId: z.string(), direction: z.enum(['UP', 'DOWN', 'NONE']) });

export async function vote(ctx: Context, raw: { subjectId: string; direction: VoteDirection }): Promise<PostDoc> {
  requireWriter(ctx);
  const input = parseInput(voteInput, raw);
  // privileges by reputation (voteUp, voteDown) and the member's standing (modules/moderation)
  const { viewer } =
    input.direction === 'NONE'
      ? await requireActiveMember(ctx)
      : await requireViewerPrivilege(ctx, input.direction === 'UP' ? 'voteUp' : 'voteDown');
  const posts = reposOf(ctx).posts;
  const post = await visiblePost(posts, viewer, await posts.findPost(input.subjectId));
  if (!post) throw new NotFoundError('The post');
  if (!canVote(viewer, post)) {
    throw new ForbiddenError(
      post.authorId.toHexString() === viewer.id ? 'You cannot vote on your own post.' : 'You cannot vote on this post.',
    );
  }
  const value = VALUE[input.direction];
  const key = voteKey(viewer.id, post._id.toHexString());
  // one member's votes on one post run one at a time: a change must see the reputation its
  // predecessor awarded (recorded on the vote in step 3) to reverse it
  return reposOf(ctx).storage.withLock(`vote:${key}`, () => castVote(ctx, post, key, value));
}

async function castVote(ctx: Context, post: PostDoc, key: string, value: -1 | 0 | 1): Promise<PostDoc> {
  const viewer = ctx.viewer!;
  const { posts, votes } = reposOf(ctx);
  const now = servicesOf(ctx).clock.now();

  // 1. the vote document, guarded by its version (retry on a concurrent change by the same member)
  let previous: VoteDoc | null = null;
  let version = 0;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 10) throw new Error('vote: too much contention');
    previous = await votes.findById(key);
    if ((previous?.value ?? 0) === value) return post;
    version = (previous?.version ?? 0) + 1;
    if (!previous) {
      try {
        await votes.insert({
          _id: key,
          userId: new Types.ObjectId(viewer.id),
          postId: post._id,
          postAuthorId: post.authorId,
          postType: post.type,
          value,
          version,
          createdAt: now,
          updatedAt: now,
        });
        break;
      } catch (error) {
        if ((error as { code?: number }).code === 11000) continue;
        throw error;
      }
    }
    const res = await votes.updateIf(key, { version: previous.version }, { $set: { value, version, updatedAt: now } });
    if (res.modifiedCount === 1) break;
  }
  const oldValue = previous?.value ?? 0;

  // 2. the post's score, by the exact delta of this version change
  const inc = {
    score: value - oldValue,
    upVotes: (value === 1 ? 1 : 0) - (oldValue === 1 ? 1 : 0),
    downVotes: (value === -1 ? 1 : 0) - (oldValue === -1 ? 1 : 0),
    version: 1,
  };
  const updated = (await posts.updateReturning(post._id, { $inc: inc }))!;

  // 3. reputation: undo what the previous state awarded, then award the new state
  const { authorRep, voterRep } = await settleReputation(ctx, post, key, version, previous, value, now);
  await votes.updateIf(key, { version }, { $set: { authorRep, voterRep } });

  // 4. derived state of the question: "answered" only changes when an answer's score crosses zero
  //    (judged on the score just before this increment: other votes may have moved it meanwhile)
  if (post.type === 'answer' && post.questionId && updated.score - inc.score > 0 !== updated.score > 0) {
    await posts.refreshAnswered(post.questionId);
  }
  await postsChanged(ctx, post._id);
  await publishActivity(ctx, {
    type: 'vote.changed',
    actorId: viewer.id,
    subjectId: post._id.toHexString(),
    questionId: (post.questionId ?? post._id).toHexString(),
    spaceId: post.spaceId?.toHexString() ?? null,
    data: { postType: post.type, value, previous: oldValue, score: updated.score },
  });
  return updated;
}

async function settleReputation(
  ctx: Context,
  post: Pick<PostDoc, '_id' | 'type' | 'authorId'>,
  key: string,
  version: number,
  previous: Pick<VoteDoc, 'authorRep' | 'voterRep' | 'userId'> | null,
  value: number,
  at: Date,
): Promise<{ authorRep: number; voterRep: number }> {
  const rules = servicesOf(ctx).reputationRules;
  const subject = { subjectId: post._id, subjectType: post.type === 'question' ? ('Question' as const) : ('Answer' as const), at };
  const voterId = key.split(':')[0]!;
  const base = `vote:${key}:${version}`;
  if (previous?.authorRep) {
    await applyReputation(reposOf(ctx), rules, {
      key: `${base}:author-undo`,
      userId: post.authorId,
      nominal: -previous.authorRep,
      reason: 'VOTE_REVERSED',
      ...subject,
    });
  }
  if (previous?.voterRep) {
    await applyReputation(reposOf(ctx), rules, {
      key: `${base}:voter-undo`,
      userId: voterId,
      nominal: -previous.voterRep,
      reason: 'VOTE_REVERSED',
      ...subject,
    });
  }
  let authorRep = 0;
  let voterRep = 0;
  const award = voteAwardToAuthor(rules, post.type, value);
  if (award !== 0) {
    authorRep = await applyReputation(reposOf(ctx), rules, {
      key: `${base}:author`,
      userId: post.authorId,
      nominal: award,
      reason: value > 0 ? (post.type === 'question' ? 'QUESTION_UPVOTED' : 'ANSWER_UPVOTED') : 'POST_DOWNVOTED',
      capped: value > 0,
      ...subject,
    });
  }
  const cost = voteCostToVoter(rules, post.type, value);
  if (cost !== 0) {
    voterRep = await applyReputation(reposOf(ctx), rules, {
      key: `${base}:voter`,
      userId: voterId,
      nominal: cost,
      reason: 'DOWNVOTED_ANSWER',
      ...subject,
    });
  }
  return { authorRep, voterRep };
}

/** When a post is deleted, the reputation its votes awarded (and downvoters paid) is reversed. */
export async function reverseVotesOf(ctx: Context, post: Pick<PostDoc, '_id' | 'type' | 'authorId'>, at: Date): Promise<void> {
  const rules = servicesOf(ctx).reputationRules;
  const votes = await reposOf(ctx).votes.onPost(post._id);
  const subject = { subjectId: post._id, subjectType: post.type === 'question' ? ('Question' as const) : ('Answer' as const), at };
  for (const v of votes) {
    const base = `delete:${v._id}:${v.version}`;
    if (v.authorRep) {
      await applyReputation(reposOf(ctx), rules, {
        key: `${base}:author`,
        userId: post.authorId,
        nominal: -v.authorRep,
        reason: 'POST_DELETED',
        ...subject,
      });
    }
    if (v.voterRep) {
      await applyReputation(reposOf(ctx), rules, {
        key: `${base}:voter`,
        userId: v.userId,
        nominal: -v.voterRep,
        reason: 'POST_DELETED',
        ...subject,
      });
    }
    await reposOf(ctx).votes.updateIf(v._id, { version: v.version }, { $set: { authorRep: 0, voterRep: 0 } });
  }
}
