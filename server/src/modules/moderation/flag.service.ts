// Flags: members with the flag privilege flag questions, answers, comments and members; the
// moderators handle each subject's flags at once. Enough distinct spam / rude flags hide a post
// pending review; a moderator confirms (the post is deleted and its author loses the penalty) or
// clears (it shows again). Writes are single-document steps: the flag, then the subject's sums
// (version-guarded), then the queue, the hide, the audit entry and the event; `npm run verify`
// recounts the sums from the flags.
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseInput } from '../../lib/validate.js';
import { publishActivity } from '../activity/activity.js';
import { deleteComment } from '../comment/comment.service.js';
import { canSeeComment } from '../comment/comment.policy.js';
import { postsChanged } from '../post/post.changes.js';
import { deleteAnswer, deleteQuestion, loadPost } from '../post/post.service.js';
import { visibleComments } from '../post/post.visibility.js';
import { applyReputation } from '../reputation/reputation.service.js';
import { reposOf, servicesOf } from '../services.js';
import { recordAudit } from './audit.service.js';
import type { FlagDoc, FlagSubjectDoc } from './flag.model.js';
import { FLAG_REASONS, HIDING_REASONS, type FlagReason, type FlagSubjectType } from './flag.rules.js';
import { queueMemberOf } from './flag.repository.js';
import { requireModerator, requireViewerPrivilege, rulesOf } from './member.js';

const flagInput = z
  .object({
    subjectId: z.string(),
    subjectType: z.enum(['Question', 'Answer', 'Comment', 'User']),
    reason: z.enum(FLAG_REASONS),
    details: z
      .string()
      .trim()
      .max(500, { error: 'must be at most 500 characters' })
      .nullish()
      .transform((s) => s || null),
    targetId: z.string().nullish(),
  })
  .superRefine((v, issue) => {
    if (v.reason === 'NEEDS_MODERATOR_ATTENTION' && (!v.details || v.details.length < 10))
      issue.addIssue({ code: 'custom', path: ['details'], message: 'say what needs a moderator’s attention (at least 10 characters)' });
    if (v.reason === 'DUPLICATE' && !v.targetId)
      issue.addIssue({ code: 'custom', path: ['targetId'], message: 'name the question this duplicates' });
    if (v.reason === 'DUPLICATE' && v.subjectType !== 'Question')
      issue.addIssue({ code: 'custom', path: ['reason'], message: 'only questions can be duplicates' });
    if (v.reason === 'NOT_AN_ANSWER' && v.subjectType !== 'Answer')
      issue.addIssue({ code: 'custom', path: ['reason'], message: 'only answers can be flagged as not an answer' });
    if (v.subjectType === 'User' && !['SPAM', 'RUDE_OR_ABUSIVE', 'NEEDS_MODERATOR_ATTENTION'].includes(v.reason))
      issue.addIssue({ code: 'custom', path: ['reason'], message: 'members can be flagged as spam, rude or abusive, or for a moderator' });
  });

interface Subject {
  id: string;
  type: FlagSubjectType;
  authorId: Types.ObjectId;
  questionId: Types.ObjectId | null;
  spaceId: Types.ObjectId | null;
}

async function loadSubject(ctx: Context, type: FlagSubjectType, id: string): Promise<Subject> {
  if (type === 'Question' || type === 'Answer') {
    const post = await loadPost(ctx, id, type === 'Question' ? 'question' : 'answer');
    return {
      id: post._id.toHexString(),
      type,
      authorId: post.authorId,
      questionId: post.questionId ?? post._id,
      spaceId: post.spaceId ?? null,
    };
  }
  const oid = Types.ObjectId.isValid(id) ? new Types.ObjectId(id) : null;
  if (type === 'Comment') {
    const { posts, comments } = reposOf(ctx);
    const found = oid ? await comments.findById(oid) : null;
    const [comment] = await visibleComments(posts, canSeeComment, ctx.viewer, [found]);
    if (!comment || comment.deletedAt) throw new NotFoundError('The comment');
    return { id: comment._id.toHexString(), type, authorId: comment.authorId, questionId: comment.questionId, spaceId: null };
  }
  const user = oid ? await reposOf(ctx).users.findById(oid, '_id') : null;
  if (!user) throw new NotFoundError('The member');
  return { id: user._id.toHexString(), type, authorId: user._id, questionId: null, spaceId: null };
}

const isPost = (t: FlagSubjectType) => t === 'Question' || t === 'Answer';

/** Reads, changes and writes a subject's sums under its version (retried on a race). */
async function updateSubject(
  ctx: Pick<Context, 'deps'>,
  id: string,
  init: () => FlagSubjectDoc,
  change: (s: FlagSubjectDoc) => Partial<FlagSubjectDoc> | null,
): Promise<{ before: FlagSubjectDoc; after: FlagSubjectDoc } | null> {
  const flags = reposOf(ctx).flags;
  for (let attempt = 0; attempt < 30; attempt++) {
    let current = await flags.findSubject(id);
    if (!current) {
      await flags.insertSubject(init());
      current = await flags.findSubject(id);
      if (!current) continue;
    }
    const fields = change(current);
    if (!fields) return null;
    if (await flags.setSubjectIf(id, current.version, fields))
      return { before: current, after: { ...current, ...fields, version: current.version + 1 } };
  }
  throw new ConflictError('The flags of this item changed too often; try again.');
}

function sums(active: ReadonlyArray<Pick<FlagDoc, 'flaggerId' | 'reason'>>) {
  const reasonCounts: Record<string, number> = {};
  for (const f of active) reasonCounts[f.reason] = (reasonCounts[f.reason] ?? 0) + 1;
  return {
    flaggerIds: active.map((f) => f.flaggerId),
    activeCount: active.length,
    hidingCount: active.filter((f) => HIDING_REASONS.has(f.reason)).length,
    reasonCounts,
  };
}

export async function flag(ctx: Context, raw: z.input<typeof flagInput>): Promise<{ flag: FlagDoc; subject: FlagSubjectDoc }> {
  const { viewer } = await requireViewerPrivilege(ctx, 'flag');
  const input = parseInput(flagInput, raw);
  const subject = await loadSubject(ctx, input.subjectType, input.subjectId);
  if (subject.authorId.toHexString() === viewer.id) throw new ForbiddenError('You cannot flag your own content.');
  let targetId: Types.ObjectId | null = null;
  if (input.reason === 'DUPLICATE') {
    const target = await loadPost(ctx, input.targetId!, 'question').catch(() => null);
    if (!target || target._id.toHexString() === subject.id) throw new ValidationError('is not another question', 'targetId');
    targetId = target._id;
  }
  const repos = reposOf(ctx);
  const now = servicesOf(ctx).clock.now();
  const flaggerId = new Types.ObjectId(viewer.id);
  const doc: FlagDoc = {
    _id: `${viewer.id}:${subject.id}`,
    flaggerId,
    subjectId: subject.id,
    subjectType: subject.type,
    reason: input.reason as FlagReason,
    details: input.details,
    targetId,
    status: 'ACTIVE',
    createdAt: now,
    handledAt: null,
    handledById: null,
  };
  if (!(await repos.flags.tryInsert(doc))) {
    const existing = await repos.flags.findById(doc._id);
    if (!existing || existing.status === 'ACTIVE') throw new ConflictError('You have already flagged this.');
    const { _id, ...fields } = doc;
    void _id;
    if (!(await repos.flags.setIfStatus(doc._id, existing.status, fields))) throw new ConflictError('You have already flagged this.');
  }
  const rules = rulesOf(ctx);
  const member = queueMemberOf(now, subject.id);
  const result = await updateSubject(
    ctx,
    subject.id,
    () => ({
      _id: subject.id,
      subjectType: subject.type,
      authorId: subject.authorId,
      questionId: subject.questionId,
      flaggerIds: [],
      activeCount: 0,
      hidingCount: 0,
      reasonCounts: {},
      hiddenAt: null,
      lastFlaggedAt: null,
      queueMember: null,
      status: 'OPEN',
      version: 0,
    }),
    (s) => {
      const reopened = s.status !== 'OPEN';
      const before = reopened ? [] : s.flaggerIds.map((id) => ({ flaggerId: id, reason: '' as FlagReason }));
      if (before.some((f) => f.flaggerId.equals(flaggerId))) return null;
      const reasonCounts = reopened ? {} : { ...s.reasonCounts };
      reasonCounts[doc.reason] = (reasonCounts[doc.reason] ?? 0) + 1;
      const hidingCount = (reopened ? 0 : s.hidingCount) + (HIDING_REASONS.has(doc.reason) ? 1 : 0);
      const hide = isPost(subject.type) && !s.hiddenAt && hidingCount >= rules.flags.autoHideAt;
      return {
        flaggerIds: [...before.map((f) => f.flaggerId), flaggerId],
        activeCount: (reopened ? 0 : s.activeCount) + 1,
        hidingCount,
        reasonCounts,
        hiddenAt: hide ? now : reopened ? null : s.hiddenAt,
        lastFlaggedAt: now,
        queueMember: member,
        status: 'OPEN',
      };
    },
  );
  const after = result?.after ?? (await repos.flags.findSubject(subject.id))!;
  if (result) await repos.flags.enqueue(member, result.before.queueMember ?? null);
  await recordAudit(ctx, {
    action: 'flag.raised',
    targetType: subject.type,
    targetId: subject.id,
    reason: input.details ?? input.reason,
    data: { reason: input.reason, activeCount: after.activeCount, hidingCount: after.hidingCount },
  });
  if (result && result.after.hiddenAt && !result.before.hiddenAt) await setPostHidden(ctx, subject, now, after);
  await publishActivity(ctx, {
    type: 'flag.created',
    actorId: viewer.id,
    subjectId: subject.id,
    questionId: subject.questionId?.toHexString() ?? null,
    spaceId: subject.spaceId?.toHexString() ?? null,
    data: { reason: input.reason, subjectType: subject.type, activeCount: after.activeCount },
  });
  return { flag: (await repos.flags.findById(doc._id))!, subject: after };
}

/** Hides (or shows again) a post pending review: `posts.hiddenAt`, read by post.policy's canSeePost. */
async function setPostHidden(ctx: Context, subject: Pick<Subject, 'id' | 'type' | 'questionId'>, at: Date | null, sumsNow: FlagSubjectDoc) {
  const { posts } = reposOf(ctx);
  const id = new Types.ObjectId(subject.id);
  await posts.update(id, { $set: { hiddenAt: at }, $inc: { version: 1 } });
  if (subject.questionId && !subject.questionId.equals(id)) await posts.update(subject.questionId, { $inc: { version: 1 } });
  await postsChanged(ctx, subject.questionId, id);
  await recordAudit(ctx, {
    action: at ? 'post.hidden' : 'post.unhidden',
    targetType: subject.type,
    targetId: subject.id,
    reason: at ? `${sumsNow.hidingCount} spam or rude flags` : 'flags cleared by a moderator',
    before: { hidden: !at },
    after: { hidden: !!at },
    actorId: at ? null : undefined,
  });
}

export const FLAG_RESOLUTIONS = ['DELETE', 'HELPFUL', 'DECLINE'] as const;
export type FlagResolution = (typeof FLAG_RESOLUTIONS)[number];

const handleInput = z.object({
  subjectId: z.string(),
  resolution: z.enum(FLAG_RESOLUTIONS),
  note: z
    .string()
    .trim()
    .max(500, { error: 'must be at most 500 characters' })
    .nullish()
    .transform((s) => s || null),
});

/**
 * A moderator handles every active flag of a subject: DELETE (the flags were right: the post or
 * comment is deleted, spam / abuse costs its author the penalty), HELPFUL (right, but the content
 * stays), DECLINE (wrong). Each flagger's weight follows; a hidden post shows again unless deleted.
 */
export async function handleFlags(ctx: Context, raw: z.input<typeof handleInput>): Promise<FlagSubjectDoc> {
  const { viewer } = await requireModerator(ctx);
  const input = parseInput(handleInput, raw);
  const repos = reposOf(ctx);
  const current = await repos.flags.findSubject(input.subjectId);
  if (!current || current.status !== 'OPEN') throw new NotFoundError('An open flag on this item');
  if (input.resolution === 'DELETE' && current.subjectType === 'User')
    throw new ValidationError('members are suspended, not deleted', 'resolution');
  const now = servicesOf(ctx).clock.now();
  const moderatorId = new Types.ObjectId(viewer.id);
  const active = (await repos.flags.findFlags(current.flaggerIds.map((f) => `${f.toHexString()}:${current._id}`))).filter(
    (f) => f.status === 'ACTIVE',
  );
  const spamOrAbuse = active.some((f) => HIDING_REASONS.has(f.reason));
  const status = input.resolution === 'DECLINE' ? 'DECLINED' : 'HELPFUL';
  const result = await updateSubject(
    ctx,
    current._id,
    () => current,
    (s) => (s.status !== 'OPEN' ? null : { ...sums([]), hiddenAt: null, status: 'HANDLED', queueMember: null }),
  );
  if (!result) throw new NotFoundError('An open flag on this item');
  await repos.flags.dequeue(result.before.queueMember ?? null);
  // each flag once (guarded by its status): its flagger's weight follows the outcome
  for (const f of active) {
    if (await repos.flags.setIfStatus(f._id, 'ACTIVE', { status, handledAt: now, handledById: moderatorId })) {
      await repos.standing.update(
        f.flaggerId,
        { $inc: status === 'HELPFUL' ? { flagsHelpful: 1 } : { flagsDeclined: 1 } },
        { upsert: true },
      );
    }
  }
  const subject = { id: current._id, type: current.subjectType, questionId: current.questionId ?? null };
  let penalty = 0;
  if (input.resolution === 'DELETE') {
    if (current.subjectType === 'Question') await deleteQuestion(ctx, current._id).catch(ignoreGone);
    else if (current.subjectType === 'Answer') await deleteAnswer(ctx, current._id).catch(ignoreGone);
    else if (current.subjectType === 'Comment') await deleteComment(ctx, current._id).catch(ignoreGone);
    if (spamOrAbuse && current.authorId && isPost(current.subjectType)) {
      penalty = await applyReputation(repos, servicesOf(ctx).reputationRules, {
        key: `flag-penalty:${current._id}`,
        userId: current.authorId,
        nominal: rulesOf(ctx).flags.spamPenalty,
        reason: 'POST_FLAGGED',
        subjectId: current._id,
        subjectType: current.subjectType as 'Question' | 'Answer',
        at: now,
      });
    }
  } else if (result.before.hiddenAt) {
    await setPostHidden(ctx, subject, null, result.after);
  }
  await recordAudit(ctx, {
    action: `flags.${input.resolution === 'DELETE' ? 'confirmed' : input.resolution === 'HELPFUL' ? 'helpful' : 'declined'}`,
    targetType: current.subjectType,
    targetId: current._id,
    reason: input.note,
    before: { activeCount: result.before.activeCount, hidden: !!result.before.hiddenAt, reasonCounts: result.before.reasonCounts },
    after: { activeCount: 0, hidden: false, deleted: input.resolution === 'DELETE' },
    data: { flaggers: active.map((f) => f.flaggerId.toHexString()), penalty, authorId: current.authorId?.toHexString() ?? null },
  });
  return result.after;
}

function ignoreGone(error: unknown): void {
  if (error instanceof NotFoundError) return;
  throw error;
}

/** The moderators' queue: open subjects, newest flag first. */
export async function flagQueue(ctx: Context, args: { first: number; after?: string | null }) {
  await requireModerator(ctx);
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > 100)
    throw new ValidationError('first must be between 1 and 100', 'first');
  const repos = reposOf(ctx);
  const page = await repos.flags.queuePage(args.after ?? null, args.first + 1);
  const subjects = new Map((await repos.flags.findSubjects(page.map((p) => p.subjectId))).map((s) => [s._id, s]));
  const rows = page
    .slice(0, args.first)
    .map((p) => ({ cursor: p.member, subject: subjects.get(p.subjectId) }))
    .filter((r): r is { cursor: string; subject: FlagSubjectDoc } => !!r.subject && r.subject.status === 'OPEN');
  return { rows, hasNextPage: page.length > args.first, totalCount: () => repos.flags.queueSize() };
}

/** The active flags of a subject (moderators). */
export async function activeFlagsOf(ctx: Pick<Context, 'deps'>, subject: FlagSubjectDoc): Promise<FlagDoc[]> {
  const flags = await reposOf(ctx).flags.findFlags(subject.flaggerIds.map((f) => `${f.toHexString()}:${subject._id}`));
  return flags.filter((f) => f.status === 'ACTIVE').sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}
