// Questions and answers: ask, answer, edit (with revisions), delete, accept, verify, close.
// No multi-document transactions: every use case is a short sequence of idempotent
// single-document writes, ordered so that a crash leaves a state `npm run verify -- --repair`
// fixes (counters are recomputed from their facts).
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { renderMarkdown } from '../../lib/markdown.js';
import { withMentionLinks } from '../notification/mention.links.js';
import { parseInput } from '../../lib/validate.js';
import { toObjectId } from '../../lib/ids.js';
import { appliedDelta, applyReputation } from '../reputation/reputation.service.js';
import { reposOf, servicesOf } from '../services.js';
import { resolveTagNames, adjustTagCounts } from '../tag/tag.service.js';
import { requireActiveMember } from '../moderation/member.js';
import { requirePostingAllowed } from '../moderation/limits.js';
import { reverseVotesOf } from '../vote/vote.service.js';
import type { PostDoc } from './post.model.js';
import { isModerator } from '../user/user.policy.js';
import { canAccept, canAnswer, canClose, canDeletePost, canEditPost, canVerify, isLocked } from './post.policy.js';
import { postsChanged } from './post.changes.js';
import { publishActivity, type ActivityType } from '../activity/activity.js';
import { CLOSE_REASONS } from './post.rules.js';
import { visiblePost } from './post.visibility.js';
import { memberOf, viewerHasPrivilege } from '../moderation/member.js';
import { moderationRulesOf } from '../moderation/moderation.rules.js';
import { privilegeMessage } from '../moderation/privileges.js';
import { reviewRulesOf } from '../review/review.rules.js';
import { countView } from './post.views.js';

const title = z.string().trim().min(15, { error: 'must be at least 15 characters' }).max(150, { error: 'must be at most 150 characters' });
const body = z
  .string()
  .refine((s) => s.trim().length >= 30, { error: 'must be at least 30 characters' })
  .refine((s) => s.length <= 30_000, { error: 'must be at most 30,000 characters' });
const tags = z.array(z.string()).min(1, { error: 'add at least one tag' }).max(5, { error: 'use at most 5 tags' });
const editSummary = z.string().trim().max(300, { error: 'must be at most 300 characters' }).optional();

type Ctx = Pick<Context, 'deps' | 'viewer'>;

/** A question or answer as the viewer may see it, else NOT_FOUND (the one load-then-check path). */
export async function loadPost(ctx: Ctx, id: string | Types.ObjectId, type: 'question' | 'answer' | 'post'): Promise<PostDoc> {
  const posts = reposOf(ctx).posts;
  const found = await posts.findPost(id);
  const post = found && (type === 'post' || found.type === type) ? await visiblePost(posts, ctx.viewer, found) : null;
  if (!post) throw new NotFoundError(type === 'question' ? 'The question' : type === 'answer' ? 'The answer' : 'The post');
  return post;
}

export const loadQuestion = (ctx: Ctx, id: string | Types.ObjectId) => loadPost(ctx, id, 'question');
export const loadAnswer = (ctx: Ctx, id: string | Types.ObjectId) => loadPost(ctx, id, 'answer');

const changedPosts = (ctx: Context, ...ids: Array<Types.ObjectId | null | undefined>) => postsChanged(ctx, ...ids);

/** Says what happened to a post (modules/activity): webhooks, notifications and the rest react. */
const postActivity = (
  ctx: Context,
  type: ActivityType,
  post: Pick<PostDoc, '_id' | 'questionId' | 'spaceId'>,
  data?: Record<string, unknown>,
) =>
  publishActivity(ctx, {
    type,
    actorId: ctx.viewer?.id ?? null,
    subjectId: post._id.toHexString(),
    questionId: (post.questionId ?? post._id).toHexString(),
    spaceId: post.spaceId?.toHexString() ?? null,
    data,
  });

// ---------------------------------------------------------------------------------------------
// questions

const askInput = z
  .object({
    spaceId: z.string().optional(),
    spaceSlug: z.string().optional(),
    title,
    body,
    tags,
  })
  .refine((v) => v.spaceId || v.spaceSlug, { error: 'choose a space', path: ['spaceSlug'] });

export async function askQuestion(
  ctx: Context,
  raw: { spaceId?: string | null; spaceSlug?: string | null; title: string; body: string; tags: string[] },
) {
  const { viewer } = await requireActiveMember(ctx);
  const input = parseInput(askInput, { ...raw, spaceId: raw.spaceId ?? undefined, spaceSlug: raw.spaceSlug ?? undefined });
  await requirePostingAllowed(ctx, 'question', input.body);
  const { posts, revisions, spaces, users } = reposOf(ctx);
  const space = input.spaceId ? await spaces.findById(toObjectId(input.spaceId)) : await spaces.findBySlug(input.spaceSlug!);
  if (!space) throw new ValidationError('no such space', input.spaceId ? 'spaceId' : 'spaceSlug');
  const tagNames = await resolveTagNames(reposOf(ctx).tags, input.tags);
  const now = servicesOf(ctx).clock.now();
  const _id = new Types.ObjectId();
  const authorId = new Types.ObjectId(viewer.id);
  // revision 1 first: a crash before the post exists leaves an orphan revision, never a post without history
  await revisions.append({
    postId: _id,
    number: 1,
    authorId,
    title: input.title,
    body: input.body,
    tags: tagNames,
    changed: ['title', 'body', 'tags'],
    summary: '',
    createdAt: now,
  });
  await posts.insert({
    _id,
    type: 'question',
    spaceId: space._id,
    questionId: _id,
    authorId,
    title: input.title,
    tags: tagNames,
    body: input.body,
    bodyHTML: await withMentionLinks(ctx.deps, input.body, renderMarkdown(input.body)),
    answerIds: [],
    commentIds: [],
    lastActivityAt: now,
    createdAt: now,
    updatedAt: now,
  });
  await spaces.adjustQuestionCount(space._id, 1);
  await adjustTagCounts(reposOf(ctx).tags, tagNames, []);
  await users.adjustPostCounts(authorId, { questionCount: 1 });
  await changedPosts(ctx, _id);
  await postActivity(ctx, 'question.created', { _id, questionId: _id, spaceId: space._id });
  return (await posts.findById(_id))!;
}

const updateQuestionInput = z.object({
  questionId: z.string(),
  title: title.optional(),
  body: body.optional(),
  tags: tags.optional(),
  editSummary,
});

interface EditResult {
  post: PostDoc;
}

/** An approved suggested edit (modules/review): the revision is its author's, approved by its reviewers. */
export interface EditCredit {
  authorId: Types.ObjectId;
  suggestedEditId: Types.ObjectId;
  approvedByIds: Types.ObjectId[];
}

/** Applies an approved suggested edit as a new revision crediting its author (review.service.ts). */
export async function applySuggestedEdit(
  ctx: Context,
  post: PostDoc,
  next: { title?: string; body?: string; tags?: string[] },
  summary: string,
  credit: EditCredit,
): Promise<PostDoc> {
  return (await applyEdit(ctx, post, next, summary, null, credit)).post;
}

/**
 * Why the viewer may not edit directly (null: they may): a lock, or no edit privilege — members
 * without `editWithoutReview` suggest edits instead (review.service.ts suggestEdit).
 */
async function editRefusal(ctx: Context, post: PostDoc, what: string): Promise<string | null> {
  const now = servicesOf(ctx).clock.now();
  if (canEditPost(ctx.viewer, post, now)) return null;
  if (post.deletedAt) return `You cannot edit this ${what}.`;
  if (isLocked(post, now) && !isModerator(ctx.viewer)) return `This ${what} is locked: ${post.lockReason ?? 'no reason given'}.`;
  // members with editWithoutReview (2,000) edit others' posts directly; the others suggest edits
  if (ctx.viewer && (await viewerHasPrivilege(ctx, 'editWithoutReview'))) return null;
  return `${privilegeMessage('editWithoutReview', moderationRulesOf(ctx).privileges)} Suggest an edit instead (suggestEdit).`;
}

/** Appends a revision and applies it to the post. Concurrent edits: one wins, the other gets CONFLICT. */
async function applyEdit(
  ctx: Context,
  post: PostDoc,
  next: { title?: string; body?: string; tags?: string[] },
  summary: string,
  rollbackOf: number | null = null,
  credit: EditCredit | null = null,
): Promise<EditResult> {
  const viewer = credit ? { id: credit.authorId.toHexString() } : ctx.viewer!;
  const changed: string[] = [];
  if (next.title !== undefined && next.title !== post.title) changed.push('title');
  if (next.body !== undefined && next.body !== post.body) changed.push('body');
  if (next.tags !== undefined && next.tags.join(' ') !== post.tags.join(' ')) changed.push('tags');
  if (changed.length === 0) return { post };
  const { posts, revisions } = reposOf(ctx);
  const now = servicesOf(ctx).clock.now();
  const number = post.revisionCount + 1;
  const state = {
    title: changed.includes('title') ? next.title! : post.title,
    body: changed.includes('body') ? next.body! : post.body,
    tags: changed.includes('tags') ? next.tags! : post.tags,
  };
  try {
    await revisions.append({
      postId: post._id,
      number,
      authorId: new Types.ObjectId(viewer.id),
      title: state.title,
      body: state.body,
      tags: state.tags,
      changed,
      summary,
      rollbackOf,
      ...(credit ? { suggestedEditId: credit.suggestedEditId, approvedByIds: credit.approvedByIds } : {}),
      createdAt: now,
    });
  } catch (error) {
    if ((error as { code?: number }).code === 11000)
      throw new ConflictError('Someone else edited this post at the same time; reload and try again.');
    throw error;
  }
  const set: Record<string, unknown> = {
    revisionCount: number,
    lastEditedAt: now,
    lastEditorId: new Types.ObjectId(viewer.id),
    lastActivityAt: now,
  };
  if (changed.includes('title')) set.title = state.title;
  if (changed.includes('body')) {
    set.body = state.body;
    set.bodyHTML = await withMentionLinks(ctx.deps, state.body, renderMarkdown(state.body));
  }
  if (changed.includes('tags')) set.tags = state.tags;
  const updated = await posts.updateIfReturning(post._id, { revisionCount: post.revisionCount }, { $set: set, $inc: { version: 1 } });
  if (!updated) {
    await revisions.removeNumber(post._id, number);
    throw new ConflictError('Someone else edited this post at the same time; reload and try again.');
  }
  if (changed.includes('tags'))
    await adjustTagCounts(
      reposOf(ctx).tags,
      state.tags.filter((t) => !post.tags.includes(t)),
      post.tags.filter((t) => !state.tags.includes(t)),
    );
  if (post.type === 'answer' && post.questionId) {
    await posts.update(post.questionId, { $set: { lastActivityAt: now }, $inc: { version: 1 } });
  }
  await changedPosts(ctx, post._id, post.type === 'answer' ? post.questionId : null);
  await postActivity(ctx, post.type === 'question' ? 'question.updated' : 'answer.updated', post, { revision: number, changed });
  return { post: updated };
}

export async function updateQuestion(ctx: Context, raw: z.input<typeof updateQuestionInput>) {
  await requireActiveMember(ctx);
  const input = parseInput(updateQuestionInput, raw);
  const question = await loadQuestion(ctx, input.questionId);
  const refusal = await editRefusal(ctx, question, 'question');
  if (refusal) throw new ForbiddenError(refusal);
  const tagNames = input.tags ? await resolveTagNames(reposOf(ctx).tags, input.tags) : undefined;
  return (await applyEdit(ctx, question, { title: input.title, body: input.body, tags: tagNames }, input.editSummary ?? '')).post;
}

/** Soft delete. Reverses the reputation the post earned; counters follow (undelete: modules/review/undelete.service.ts). */
export async function deletePost(ctx: Context, post: PostDoc) {
  const { posts, spaces, users } = reposOf(ctx);
  const now = servicesOf(ctx).clock.now();
  const deleted = await posts.updateIfReturning(
    post._id,
    { deletedAt: null },
    { $set: { deletedAt: now, deletedById: new Types.ObjectId(ctx.viewer!.id) }, $inc: { version: 1 } },
  );
  if (!deleted) throw new NotFoundError(post.type === 'question' ? 'The question' : 'The answer');
  await reverseVotesOf(ctx, deleted, now);
  if (post.type === 'question') {
    if (post.acceptedAnswerId) await reverseAccept(ctx, post, post.acceptedAnswerId, now);
    await spaces.adjustQuestionCount(post.spaceId, -1);
    await adjustTagCounts(reposOf(ctx).tags, [], post.tags);
    await users.adjustPostCounts(post.authorId, { questionCount: -1 });
  } else {
    const question = await posts.findById(post.questionId);
    if (question?.acceptedAnswerId?.equals(post._id)) {
      await posts.updateIf(question._id, { acceptedAnswerId: post._id }, { $set: { acceptedAnswerId: null, acceptedAt: null } });
      await reverseAccept(ctx, question, post._id, now);
    }
    if (question?.verifiedAnswerId?.equals(post._id)) {
      await posts.update(question._id, { $set: { verifiedAnswerId: null } });
    }
    await posts.update(post.questionId, { $inc: { answerCount: -1, version: 1 } });
    await posts.refreshAnswered(post.questionId!);
    await users.adjustPostCounts(post.authorId, { answerCount: -1 });
  }
  await changedPosts(ctx, post._id, post.type === 'answer' ? post.questionId : null);
  await postActivity(ctx, post.type === 'question' ? 'question.deleted' : 'answer.deleted', post, {
    authorId: post.authorId.toHexString(),
  });
  return deleted;
}

export async function deleteQuestion(ctx: Context, questionId: string) {
  await requireActiveMember(ctx);
  const question = await loadQuestion(ctx, questionId);
  if (!canDeletePost(ctx.viewer, question)) {
    throw new ForbiddenError(
      question.answerCount > 0 && !isModerator(ctx.viewer) && question.authorId.toHexString() === ctx.viewer?.id
        ? 'A question with answers can only be deleted by a moderator.'
        : 'You cannot delete this question.',
    );
  }
  return deletePost(ctx, question);
}

// ---------------------------------------------------------------------------------------------
// answers

const answerInput = z.object({ questionId: z.string(), body });

export async function postAnswer(ctx: Context, raw: z.input<typeof answerInput>) {
  const { viewer } = await requireActiveMember(ctx);
  const input = parseInput(answerInput, raw);
  await requirePostingAllowed(ctx, 'answer', input.body);
  const question = await loadQuestion(ctx, input.questionId);
  if (!canAnswer(viewer, question, servicesOf(ctx).clock.now()))
    throw new ForbiddenError(
      question.closedAt ? 'This question is closed.' : question.lockedAt ? 'This question is locked.' : 'You cannot answer this question.',
    );
  if (question.protectedAt && !isModerator(viewer)) {
    const needed = reviewRulesOf(ctx).protectedAnswerReputation;
    if (((await memberOf(ctx, viewer.id))?.reputation ?? 0) < needed)
      throw new ForbiddenError(`This question is protected: you need ${needed} reputation earned on this site to answer it.`);
  }
  const { posts, revisions, users } = reposOf(ctx);
  const now = servicesOf(ctx).clock.now();
  const _id = new Types.ObjectId();
  const authorId = new Types.ObjectId(viewer.id);
  await revisions.append({ postId: _id, number: 1, authorId, body: input.body, changed: ['body'], createdAt: now });
  await posts.insert({
    _id,
    type: 'answer',
    spaceId: question.spaceId,
    questionId: question._id,
    authorId,
    body: input.body,
    bodyHTML: await withMentionLinks(ctx.deps, input.body, renderMarkdown(input.body)),
    commentIds: [],
    lastActivityAt: now,
    createdAt: now,
    updatedAt: now,
  });
  // the child list only where the question keeps one (see post.model.ts): a list started now on
  // an older question would hide its earlier answers
  await posts.update(question._id, {
    $inc: { answerCount: 1, version: 1 },
    $set: { lastActivityAt: now },
    ...(Array.isArray(question.answerIds) ? { $addToSet: { answerIds: _id } } : {}),
  });
  await users.adjustPostCounts(authorId, { answerCount: 1 });
  await changedPosts(ctx, _id, question._id);
  await postActivity(ctx, 'answer.created', { _id, questionId: question._id, spaceId: question.spaceId });
  return (await posts.findById(_id))!;
}

const updateAnswerInput = z.object({ answerId: z.string(), body, editSummary });

export async function updateAnswer(ctx: Context, raw: z.input<typeof updateAnswerInput>) {
  await requireActiveMember(ctx);
  const input = parseInput(updateAnswerInput, raw);
  const answer = await loadAnswer(ctx, input.answerId);
  const refusal = await editRefusal(ctx, answer, 'answer');
  if (refusal) throw new ForbiddenError(refusal);
  return (await applyEdit(ctx, answer, { body: input.body }, input.editSummary ?? '')).post;
}

export async function deleteAnswer(ctx: Context, answerId: string) {
  await requireActiveMember(ctx);
  const answer = await loadAnswer(ctx, answerId);
  if (!canDeletePost(ctx.viewer, answer)) throw new ForbiddenError('You cannot delete this answer.');
  return deletePost(ctx, answer);
}

// ---------------------------------------------------------------------------------------------
// acceptance and verification

/** Reverses exactly the reputation that acceptance number `question.acceptGen` awarded. */
async function reverseAccept(ctx: Context, question: Pick<PostDoc, '_id' | 'authorId' | 'acceptGen'>, answerId: Types.ObjectId, at: Date) {
  const rules = servicesOf(ctx).reputationRules;
  const acceptKey = `accept:${question._id.toHexString()}:${question.acceptGen}`;
  const answer = await reposOf(ctx).posts.findById(answerId, 'authorId');
  for (const [role, userId] of [
    ['answerer', answer?.authorId],
    ['acceptor', question.authorId],
  ] as const) {
    if (!userId) continue;
    const applied = await appliedDelta(reposOf(ctx), `${acceptKey}:${role}`);
    if (applied === 0) continue;
    await applyReputation(reposOf(ctx), rules, {
      key: `${acceptKey}:${role}:undo`,
      userId,
      nominal: -applied,
      reason: 'ACCEPT_REVERSED',
      subjectId: answerId,
      subjectType: 'Answer',
      at,
    });
  }
}

export async function acceptAnswer(ctx: Context, answerId: string) {
  const { viewer } = await requireActiveMember(ctx);
  const answer = await loadAnswer(ctx, answerId);
  const question = await loadQuestion(ctx, answer.questionId!);
  if (!canAccept(viewer, question, answer)) throw new ForbiddenError('Only the person who asked can accept an answer.');
  if (question.acceptedAnswerId?.equals(answer._id)) return { question, answer };
  const posts = reposOf(ctx).posts;
  const now = servicesOf(ctx).clock.now();
  const updated = await posts.updateIfReturning(
    question._id,
    { acceptedAnswerId: question.acceptedAnswerId ?? null },
    { $set: { acceptedAnswerId: answer._id, acceptedAt: now, isAnswered: true, lastActivityAt: now }, $inc: { version: 1, acceptGen: 1 } },
  );
  if (!updated) throw new ConflictError('The accepted answer changed meanwhile; reload and try again.');
  const rules = servicesOf(ctx).reputationRules;
  if (question.acceptedAnswerId) await reverseAccept(ctx, question, question.acceptedAnswerId, now);
  const acceptKey = `accept:${question._id.toHexString()}:${updated.acceptGen}`;
  const selfAnswer = answer.authorId.equals(question.authorId);
  if (!selfAnswer) {
    await applyReputation(reposOf(ctx), rules, {
      key: `${acceptKey}:answerer`,
      userId: answer.authorId,
      nominal: rules.answerAccepted,
      reason: 'ANSWER_ACCEPTED',
      subjectId: answer._id,
      subjectType: 'Answer',
      at: now,
    });
    await applyReputation(reposOf(ctx), rules, {
      key: `${acceptKey}:acceptor`,
      userId: question.authorId,
      nominal: rules.acceptorBonus,
      reason: 'ACCEPTED_ANSWER',
      subjectId: answer._id,
      subjectType: 'Answer',
      at: now,
    });
  }
  await posts.update(answer._id, { $inc: { version: 1 } });
  if (question.acceptedAnswerId) await posts.update(question.acceptedAnswerId, { $inc: { version: 1 } });
  await changedPosts(ctx, question._id, answer._id, question.acceptedAnswerId);
  await postActivity(ctx, 'answer.accepted', answer, { previousAnswerId: question.acceptedAnswerId?.toHexString() ?? null });
  return { question: updated, answer: (await posts.findById(answer._id))! };
}

export async function unacceptAnswer(ctx: Context, answerId: string) {
  const { viewer } = await requireActiveMember(ctx);
  const answer = await loadAnswer(ctx, answerId);
  const question = await loadQuestion(ctx, answer.questionId!);
  if (!canAccept(viewer, question, answer)) throw new ForbiddenError('Only the person who asked can unaccept an answer.');
  if (!question.acceptedAnswerId?.equals(answer._id)) return { question, answer };
  const posts = reposOf(ctx).posts;
  const now = servicesOf(ctx).clock.now();
  const updated = await posts.updateIfReturning(
    question._id,
    { acceptedAnswerId: answer._id },
    { $set: { acceptedAnswerId: null, acceptedAt: null }, $inc: { version: 1 } },
  );
  if (!updated) throw new ConflictError('The accepted answer changed meanwhile; reload and try again.');
  await reverseAccept(ctx, question, answer._id, now);
  await posts.refreshAnswered(question._id);
  await posts.update(answer._id, { $inc: { version: 1 } });
  await changedPosts(ctx, question._id, answer._id);
  await postActivity(ctx, 'answer.unaccepted', answer);
  return { question: (await posts.findById(question._id))!, answer: (await posts.findById(answer._id))! };
}

/** A staff member vouches for an answer: recorded with who and when, separate from acceptance. */
export async function setVerified(ctx: Context, answerId: string, verified: boolean, versions: readonly string[] = []) {
  const { viewer } = await requireActiveMember(ctx);
  const answer = await loadAnswer(ctx, answerId);
  if (!canVerify(viewer, answer)) throw new ForbiddenError('Only staff members can verify answers.');
  const posts = reposOf(ctx).posts;
  const now = servicesOf(ctx).clock.now();
  if (verified) {
    await posts.update(answer._id, {
      $set: { verifiedById: new Types.ObjectId(viewer.id), verifiedAt: now },
      $inc: { version: 1 },
    });
    await posts.update(answer.questionId, { $set: { verifiedAnswerId: answer._id, lastActivityAt: now }, $inc: { version: 1 } });
  } else {
    await posts.update(answer._id, { $set: { verifiedById: null, verifiedAt: null }, $inc: { version: 1 } });
    await posts.updateIf(answer.questionId, { verifiedAnswerId: answer._id }, { $set: { verifiedAnswerId: null }, $inc: { version: 1 } });
  }
  await changedPosts(ctx, answer._id, answer.questionId);
  // the product versions it applies to (checked by the caller): the support module records them
  if (verified) await postActivity(ctx, 'answer.verified', answer, { versions: [...versions] });
  return (await posts.findById(answer._id))!;
}

// ---------------------------------------------------------------------------------------------
// closing, revisions, views

const closeInput = z.object({
  questionId: z.string(),
  reason: z.enum(CLOSE_REASONS),
  duplicateOfId: z.string().optional(),
});

export async function closeQuestion(ctx: Context, raw: z.input<typeof closeInput>) {
  await requireActiveMember(ctx);
  const input = parseInput(closeInput, raw);
  const question = await loadQuestion(ctx, input.questionId);
  if (!canClose(ctx.viewer, question)) throw new ForbiddenError('Only moderators can close questions.');
  let duplicateOfId: Types.ObjectId | null = null;
  if (input.reason === 'DUPLICATE') {
    if (!input.duplicateOfId) throw new ValidationError('name the question this duplicates', 'duplicateOfId');
    const original = await loadQuestion(ctx, input.duplicateOfId).catch(() => {
      throw new ValidationError('no such question', 'duplicateOfId');
    });
    if (original._id.equals(question._id)) throw new ValidationError('a question cannot duplicate itself', 'duplicateOfId');
    duplicateOfId = original._id;
  }
  const posts = reposOf(ctx).posts;
  const now = servicesOf(ctx).clock.now();
  await posts.update(question._id, {
    $set: { closedAt: now, closedById: new Types.ObjectId(ctx.viewer!.id), closeReason: input.reason, duplicateOfId },
    $inc: { version: 1 },
  });
  await changedPosts(ctx, question._id);
  await postActivity(ctx, 'question.closed', question, { reason: input.reason, duplicateOfId: duplicateOfId?.toHexString() ?? null });
  return (await posts.findById(question._id))!;
}

export async function reopenQuestion(ctx: Context, questionId: string) {
  await requireActiveMember(ctx);
  const question = await loadQuestion(ctx, questionId);
  if (!canClose(ctx.viewer, question)) throw new ForbiddenError('Only moderators can reopen questions.');
  const posts = reposOf(ctx).posts;
  await posts.update(question._id, {
    $set: { closedAt: null, closedById: null, closeReason: null, duplicateOfId: null },
    $inc: { version: 1 },
  });
  await changedPosts(ctx, question._id);
  await postActivity(ctx, 'question.reopened', question);
  return (await posts.findById(question._id))!;
}

const rollbackInput = z.object({
  postId: z.string(),
  revision: z.number().int().min(1, { error: 'must be a revision number' }),
  editSummary,
});

/** Restores an earlier revision's content as a new revision. */
export async function rollbackRevision(ctx: Context, raw: z.input<typeof rollbackInput>) {
  await requireActiveMember(ctx);
  const input = parseInput(rollbackInput, raw);
  const post = await loadPost(ctx, input.postId, 'post');
  if (!canEditPost(ctx.viewer, post)) throw new ForbiddenError('You cannot edit this post.');
  const target = await reposOf(ctx).revisions.findNumber(post._id, input.revision);
  if (!target) throw new ValidationError('no such revision of this post', 'revision');
  if (target.number === post.revisionCount) throw new ValidationError('this is already the current revision', 'revision');
  const next =
    post.type === 'question' ? { title: target.title ?? undefined, body: target.body, tags: target.tags } : { body: target.body };
  return (await applyEdit(ctx, post, next, input.editSummary || `Rolled back to revision ${target.number}`, target.number)).post;
}

/** Counts a view once per viewer (member, or anonymous address + agent) per hour. */
export async function recordView(ctx: Context, questionId: string): Promise<PostDoc> {
  const question = await loadQuestion(ctx, questionId);
  const who = ctx.viewer?.id ?? `anon:${ctx.req.ip}:${(ctx.req.get('user-agent') ?? '').slice(0, 100)}`;
  // buffered in Redis (post.views.ts): a page view writes nothing to the database
  await countView(ctx.deps, question._id.toHexString(), who);
  return question;
}
