// Lock, protect and undelete: moderator tools on posts. A lock stops edits, votes and comments by
// anyone but moderators (with its reason; an optional duration, read lazily against the clock);
// protection lets only members with some reputation earned on the site answer; undeletion
// re-applies exactly what deletion reversed (counters, vote and acceptance reputation) through
// the ledger with stable keys, so `npm run verify` stays clean. Each action is audited.
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors.js';
import { parseInput } from '../../lib/validate.js';
import { publishActivity } from '../activity/activity.js';
import { recordAudit } from '../moderation/audit.service.js';
import { requireActiveMember, requireModerator, requireViewerPrivilege } from '../moderation/member.js';
import { postsChanged } from '../post/post.changes.js';
import type { PostDoc } from '../post/post.model.js';
import { loadPost, loadQuestion } from '../post/post.service.js';
import { appliedDelta, applyReputation } from '../reputation/reputation.service.js';
import { voteAwardToAuthor, voteCostToVoter } from '../reputation/reputation.rules.js';
import { reposOf, servicesOf } from '../services.js';
import { adjustTagCounts } from '../tag/tag.service.js';
import { isModerator } from '../user/user.policy.js';

const kindOf = (post: PostDoc): 'Question' | 'Answer' => (post.type === 'question' ? 'Question' : 'Answer');

// ---------------------------------------------------------------------------------------------
// lock

const lockInput = z.object({
  postId: z.string(),
  reason: z.string().trim().min(3, { error: 'must be at least 3 characters' }).max(300, { error: 'must be at most 300 characters' }),
  durationHours: z
    .number()
    .int({ error: 'must be a whole number of hours' })
    .min(1, { error: 'must be at least 1 hour' })
    .max(24 * 365, { error: 'must be at most a year' })
    .optional(),
});

export async function lockPost(ctx: Context, raw: z.input<typeof lockInput>): Promise<PostDoc> {
  const input = parseInput(lockInput, raw);
  await requireModerator(ctx);
  const post = await loadPost(ctx, input.postId, 'post');
  const now = servicesOf(ctx).clock.now();
  const lockedUntil = input.durationHours ? new Date(now.getTime() + input.durationHours * 3_600_000) : null;
  const updated = (await reposOf(ctx).posts.updateReturning(post._id, {
    $set: { lockedAt: now, lockedUntil, lockedById: new Types.ObjectId(ctx.viewer!.id), lockReason: input.reason },
    $inc: { version: 1 },
  }))!;
  await postsChanged(ctx, post._id);
  await recordAudit(ctx, {
    action: 'post.locked',
    targetType: kindOf(post),
    targetId: post._id.toHexString(),
    reason: input.reason,
    before: { lockedAt: post.lockedAt ?? null, lockedUntil: post.lockedUntil ?? null },
    after: { lockedAt: now, lockedUntil },
  });
  return updated;
}

export async function unlockPost(ctx: Context, postId: string): Promise<PostDoc> {
  await requireModerator(ctx);
  const post = await loadPost(ctx, postId, 'post');
  if (!post.lockedAt) throw new ConflictError('This post is not locked.');
  const updated = (await reposOf(ctx).posts.updateReturning(post._id, {
    $set: { lockedAt: null, lockedUntil: null, lockedById: null, lockReason: null },
    $inc: { version: 1 },
  }))!;
  await postsChanged(ctx, post._id);
  await recordAudit(ctx, {
    action: 'post.unlocked',
    targetType: kindOf(post),
    targetId: post._id.toHexString(),
    before: { lockedAt: post.lockedAt, lockReason: post.lockReason },
    after: { lockedAt: null },
  });
  return updated;
}

// ---------------------------------------------------------------------------------------------
// protect

export async function setProtected(ctx: Context, questionId: string, protect: boolean): Promise<PostDoc> {
  await requireViewerPrivilege(ctx, 'protectQuestions');
  const question = await loadQuestion(ctx, questionId);
  if (!!question.protectedAt === protect)
    throw new ConflictError(protect ? 'This question is already protected.' : 'This question is not protected.');
  const now = servicesOf(ctx).clock.now();
  const updated = (await reposOf(ctx).posts.updateReturning(question._id, {
    $set: protect ? { protectedAt: now, protectedById: new Types.ObjectId(ctx.viewer!.id) } : { protectedAt: null, protectedById: null },
    $inc: { version: 1 },
  }))!;
  await postsChanged(ctx, question._id);
  await recordAudit(ctx, {
    action: protect ? 'question.protected' : 'question.unprotected',
    targetType: 'Question',
    targetId: question._id.toHexString(),
    before: { protected: !protect },
    after: { protected: protect },
  });
  return updated;
}

// ---------------------------------------------------------------------------------------------
// undelete

/** Moderators undelete anything; authors undelete what they deleted themselves. */
async function loadDeleted(ctx: Context, id: string, type: 'question' | 'answer'): Promise<PostDoc> {
  const label = type === 'question' ? 'The question' : 'The answer';
  if (isModerator(ctx.viewer)) await requireModerator(ctx);
  else await requireActiveMember(ctx);
  // refused before anything of the deleted post is shown (only its author and moderators see it)
  const found = await reposOf(ctx).posts.findPost(id);
  if (!found || found.type !== type) throw new NotFoundError(label);
  const own = found.authorId.toHexString() === ctx.viewer?.id && found.deletedById?.toHexString() === ctx.viewer?.id;
  if (!isModerator(ctx.viewer) && !own) throw new ForbiddenError(`Only moderators can undelete this ${type}.`);
  const post = await loadPost(ctx, id, type);
  if (!post.deletedAt) throw new ConflictError(`This ${type} is not deleted.`);
  return post;
}

export const undeleteQuestion = async (ctx: Context, id: string) => undelete(ctx, await loadDeleted(ctx, id, 'question'));
export const undeleteAnswer = async (ctx: Context, id: string) => undelete(ctx, await loadDeleted(ctx, id, 'answer'));

async function undelete(ctx: Context, post: PostDoc): Promise<PostDoc> {
  const { posts, spaces, users } = reposOf(ctx);
  const now = servicesOf(ctx).clock.now();
  const restored = await posts.updateIfReturning(
    post._id,
    { deletedAt: post.deletedAt as Date },
    {
      $set: { deletedAt: null, deletedById: null, deleteVoteCount: 0, deleteVoterIds: [] },
      $inc: { version: 1, undeleteGen: 1, deleteRound: 1 },
    },
  );
  if (!restored) throw new NotFoundError(post.type === 'question' ? 'The deleted question' : 'The deleted answer');
  await restoreVotes(ctx, restored, now);
  if (post.type === 'question') {
    await restoreAccept(ctx, restored, now);
    await spaces.adjustQuestionCount(post.spaceId, 1);
    await adjustTagCounts(reposOf(ctx).tags, post.tags, []);
    await users.adjustPostCounts(post.authorId, { questionCount: 1 });
  } else {
    await posts.update(post.questionId, { $inc: { answerCount: 1, version: 1 } });
    await posts.refreshAnswered(post.questionId!);
    await users.adjustPostCounts(post.authorId, { answerCount: 1 });
  }
  await postsChanged(ctx, post._id, post.type === 'answer' ? post.questionId : null);
  await recordAudit(ctx, {
    action: post.type === 'question' ? 'question.undeleted' : 'answer.undeleted',
    targetType: kindOf(post),
    targetId: post._id.toHexString(),
    before: { deletedAt: post.deletedAt, deletedById: post.deletedById?.toHexString() ?? null },
    after: { deletedAt: null },
  });
  await publishActivity(ctx, {
    type: post.type === 'question' ? 'question.undeleted' : 'answer.undeleted',
    actorId: ctx.viewer!.id,
    subjectId: post._id.toHexString(),
    questionId: (post.questionId ?? post._id).toHexString(),
    spaceId: post.spaceId.toHexString(),
    data: { authorId: post.authorId.toHexString() },
  });
  return (await posts.findById(post._id))!;
}

/**
 * Deletion closed each vote's version n with `delete:<vote>:<n>:…` events. Undeletion opens
 * version n+1 of the vote, as a vote change would: its undo of version n is empty (the deletion
 * already took it back) and its award is the vote's award again — the keys verify expects of a
 * standing vote, and a later deletion reverses version n+1 with fresh keys.
 */
async function restoreVotes(ctx: Context, post: PostDoc, at: Date): Promise<void> {
  const repos = reposOf(ctx);
  const rules = servicesOf(ctx).reputationRules;
  const subject = { subjectId: post._id, subjectType: kindOf(post), at };
  for (const found of await repos.votes.onPost(post._id)) {
    await repos.storage.withLock(`vote:${found._id}`, async () => {
      const v = await repos.votes.findById(found._id);
      if (!v || v.imported) return;
      const n = v.version;
      const closedAuthor = await repos.reputation.findById(`delete:${v._id}:${n}:author`, 'delta');
      const closedVoter = await repos.reputation.findById(`delete:${v._id}:${n}:voter`, 'delta');
      if (!closedAuthor && !closedVoter) return;
      const base = `vote:${v._id}:${n + 1}`;
      const voterId = v.userId;
      // the empty undos of version n (what verify expects where version n awarded something)
      if ((await appliedDelta(repos, `vote:${v._id}:${n}:author`)) !== 0)
        await applyReputation(repos, rules, {
          key: `${base}:author-undo`,
          userId: post.authorId,
          nominal: 0,
          reason: 'POST_UNDELETED',
          ...subject,
        });
      if ((await appliedDelta(repos, `vote:${v._id}:${n}:voter`)) !== 0)
        await applyReputation(repos, rules, {
          key: `${base}:voter-undo`,
          userId: voterId,
          nominal: 0,
          reason: 'POST_UNDELETED',
          ...subject,
        });
      let authorRep = 0;
      let voterRep = 0;
      const award = voteAwardToAuthor(rules, post.type, v.value);
      if (award !== 0)
        authorRep = await applyReputation(repos, rules, {
          key: `${base}:author`,
          userId: post.authorId,
          nominal: award,
          reason: 'POST_UNDELETED',
          capped: v.value > 0,
          ...subject,
        });
      const cost = voteCostToVoter(rules, post.type, v.value);
      if (cost !== 0)
        voterRep = await applyReputation(repos, rules, {
          key: `${base}:voter`,
          userId: voterId,
          nominal: cost,
          reason: 'POST_UNDELETED',
          ...subject,
        });
      await repos.votes.updateIf(v._id, { version: n }, { $set: { version: n + 1, authorRep, voterRep } });
    });
  }
}

/** Deletion reversed the standing acceptance (generation g); undeletion awards it again as generation g+1. */
async function restoreAccept(ctx: Context, question: PostDoc, at: Date): Promise<void> {
  if (!question.acceptedAnswerId) return;
  const repos = reposOf(ctx);
  const answer = await repos.posts.findById(question.acceptedAnswerId);
  if (!answer || answer.deletedAt || answer.authorId.equals(question.authorId)) return;
  const gen = question.acceptGen;
  const withdrawn = await repos.reputation.findById(`accept:${question._id.toHexString()}:${gen}:answerer:undo`, 'delta');
  if (!withdrawn) return;
  const bumped = await repos.posts.updateIfReturning(question._id, { acceptGen: gen }, { $inc: { acceptGen: 1, version: 1 } });
  if (!bumped) return;
  const rules = servicesOf(ctx).reputationRules;
  const key = `accept:${question._id.toHexString()}:${bumped.acceptGen}`;
  const subject = { subjectId: answer._id, subjectType: 'Answer' as const, at };
  await applyReputation(repos, rules, {
    key: `${key}:answerer`,
    userId: answer.authorId,
    nominal: rules.answerAccepted,
    reason: 'ANSWER_ACCEPTED',
    ...subject,
  });
  await applyReputation(repos, rules, {
    key: `${key}:acceptor`,
    userId: question.authorId,
    nominal: rules.acceptorBonus,
    reason: 'ACCEPTED_ANSWER',
    ...subject,
  });
}
