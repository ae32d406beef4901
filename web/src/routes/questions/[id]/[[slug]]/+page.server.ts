import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { excerpt } from '$lib/format';
import { preview } from '$lib/server/markdown';
import { loadQuestionSupport } from '$lib/server/support';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { countAnonymousView } from '$lib/server/page-cache-handle';
import { invalidForm, text, toFormErrors, trimmed, type PayloadError } from '$lib/server/forms';
import {
  AcceptAnswerMutation,
  AddCommentMutation,
  CastCloseVoteMutation,
  CastReopenVoteMutation,
  LockPostMutation,
  ProtectQuestionMutation,
  UndeleteQuestionMutation,
  UnlockPostMutation,
  UnprotectQuestionMutation,
  DeleteAnswerMutation,
  DeleteCommentMutation,
  DeleteQuestionMutation,
  PostAnswerMutation,
  QuestionIdQuery,
  QuestionPageQuery,
  RecordViewMutation,
  UnacceptAnswerMutation,
  UnverifyAnswerMutation,
  VerifyAnswerMutation,
  VoteMutation,
} from './documents';
import { FLAG_REASONS, FlagMutation, type FlagFormReason } from '$lib/components/moderation/flag';
import { RetractCloseVoteMutation } from '$lib/components/moderation/close-votes';
import { AwardBountyMutation, OfferBountyMutation } from '$lib/components/bounty/bounty.documents';
import type { Actions, PageServerLoad } from './$types';

const ANSWERS_PER_PAGE = 30;
/** Raw ids in URLs are 24 hex digits; global ids are accepted too (base64). */
const ID_PARAM = /^(?:[a-f0-9]{24}|[A-Za-z0-9+/_-]{8,120}={0,2})$/;
const CURSOR = /^[A-Za-z0-9_\-=:.+/]{1,512}$/;
const CLOSE_REASONS = ['DUPLICATE', 'NEEDS_DETAILS', 'NEEDS_FOCUS', 'OFF_TOPIC', 'OPINION_BASED', 'RESOLVED', 'OTHER'] as const;
type CloseReason = (typeof CLOSE_REASONS)[number];

export const load: PageServerLoad = async (event) => {
  const { params, url } = event;
  if (!ID_PARAM.test(params.id)) error(404, 'Question not found');
  const answersAfter = url.searchParams.get('answers');

  // Only first pages of real page views count (not answer pages, not reloads after actions).
  const view = answersAfter ? Promise.resolve() : recordView(event, params.id);
  let data;
  try {
    data = await gql(event, QuestionPageQuery, {
      id: params.id,
      answersFirst: ANSWERS_PER_PAGE,
      answersAfter: answersAfter && CURSOR.test(answersAfter) ? answersAfter : null,
    });
  } catch (err) {
    apiFailure(err);
  }
  await view;
  const question = data.question;
  if (!question) error(404, 'Question not found');

  // One canonical URL per question: /questions/<id>/<slug>
  const [canonicalPath] = question.url.split('#');
  if (canonicalPath && url.pathname !== canonicalPath) {
    redirect(301, canonicalPath + url.search);
  }

  // The Markdown source is only needed for the meta description: keep it out of the page data.
  const { body, ...rest } = question;
  return {
    question: rest,
    canonical: new URL(question.url, url.origin).href,
    description: excerpt(body, 160),
    closeReasons: CLOSE_REASONS,
    privileges: data.privilegeThresholds,
    // vendor support labels (issue 15), read by the page's query (QuestionSupportFields)
    support: await loadQuestionSupport(event, question),
  };
};

/**
 * Counts the view (deduped per viewer per hour): an anonymous visitor's in Redis right here, a
 * member's (or when Redis is away) through the api; never fails the page.
 */
async function recordView(event: RequestEvent, id: string): Promise<void> {
  try {
    if (await countAnonymousView(event, id)) return;
    await gql(event, RecordViewMutation, { questionId: id });
  } catch {
    // views are best effort
  }
}

type Event = Parameters<Actions[string]>[0];

function requireSignIn(event: Event): void {
  if (!event.locals.viewer) {
    redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname)}`);
  }
}

/**
 * Runs one mutation for a named action and answers like every action of this page: on success a
 * 303 back to the page (PRG, so reloading never re-submits), on failure the errors as form data
 * tagged with the action and subject so the page shows them next to the right post.
 */
async function run(
  event: Event,
  action: string,
  subjectId: string,
  values: Record<string, string>,
  mutate: () => Promise<{ errors: readonly PayloadError[]; redirectTo?: string | undefined }>,
  anchor = '',
  fields: readonly string[] = [],
) {
  let payload;
  try {
    payload = await mutate();
  } catch (err) {
    if (err instanceof ApiError && (err.status === 429 || err.code === 'RATE_LIMITED')) {
      return invalidForm(429, { action, subjectId, ...values }, 'You are doing that too often. Please wait a moment.');
    }
    if (err instanceof ApiError && err.kind === 'graphql') {
      return invalidForm(400, { action, subjectId, ...values }, err.message);
    }
    throw err;
  }
  if (payload.errors.length) {
    return invalidForm(400, { action, subjectId, ...values }, toFormErrors(payload.errors, fields));
  }
  // Actions post to the page's own (canonical) URL.
  redirect(303, payload.redirectTo ?? event.url.pathname + anchor);
}

export const actions: Actions = {
  vote: async (event) => {
    requireSignIn(event);
    const form = await event.request.formData();
    const subjectId = text(form, 'subjectId');
    const raw = text(form, 'direction');
    const direction = raw === 'UP' || raw === 'DOWN' ? raw : 'NONE';
    const anchor = text(form, 'anchor');
    return run(
      event,
      'vote',
      subjectId,
      {},
      async () => (await gql(event, VoteMutation, { input: { subjectId, direction } })).vote,
      /^#[A-Za-z0-9_-]+$/.test(anchor) ? anchor : '',
    );
  },

  answer: async (event) => {
    requireSignIn(event);
    const form = await event.request.formData();
    const body = text(form, 'body');
    const questionId = text(form, 'questionId');
    if (!body.trim())
      return invalidForm(400, { action: 'answer', subjectId: questionId, body }, { fields: { body: 'Write your answer first.' } });
    return run(
      event,
      'answer',
      questionId,
      { body },
      async () => {
        const payload = (await gql(event, PostAnswerMutation, { input: { questionId, body } })).postAnswer;
        const hash = payload.answer?.url.split('#')[1];
        return { errors: payload.errors, redirectTo: payload.answer ? event.url.pathname + (hash ? `#${hash}` : '') : undefined };
      },
      '',
      ['body'],
    );
  },

  // moderation (issue 13): a member with the flag privilege flags a question or an answer
  flag: async (event) => {
    requireSignIn(event);
    const form = await event.request.formData();
    const subjectId = text(form, 'subjectId');
    const reason = text(form, 'reason');
    const details = trimmed(form, 'details');
    const anchor = text(form, 'anchor');
    if (!(FLAG_REASONS as readonly string[]).includes(reason))
      return invalidForm(400, { action: 'flag', subjectId, details }, 'Choose why you flag this post.');
    return run(
      event,
      'flag',
      subjectId,
      { reason, details },
      async () => ({
        errors: (await gql(event, FlagMutation, { input: { subjectId, reason: reason as FlagFormReason, details: details || null } })).flag
          .errors,
      }),
      anchor.startsWith('#') ? anchor : '',
      ['details'],
    );
  },

  // Without JavaScript: "Preview" renders the answer on the server.
  previewAnswer: async (event) => {
    const form = await event.request.formData();
    const body = text(form, 'body');
    const { html } = await preview(event, body);
    return { values: { action: 'answer', subjectId: text(form, 'questionId'), body } as Record<string, string>, preview: html };
  },

  comment: async (event) => {
    requireSignIn(event);
    const form = await event.request.formData();
    const subjectId = text(form, 'subjectId');
    const body = trimmed(form, 'body');
    const anchor = text(form, 'anchor');
    if (!body) return invalidForm(400, { action: 'comment', subjectId, body }, { fields: { body: 'Write a comment first.' } });
    return run(
      event,
      'comment',
      subjectId,
      { body },
      async () => (await gql(event, AddCommentMutation, { input: { subjectId, body } })).addComment,
      /^#[A-Za-z0-9_-]+$/.test(anchor) ? anchor : '',
      ['body'],
    );
  },

  accept: async (event) => {
    requireSignIn(event);
    const answerId = text(await event.request.formData(), 'answerId');
    return run(event, 'accept', answerId, {}, async () => (await gql(event, AcceptAnswerMutation, { input: { answerId } })).acceptAnswer);
  },

  unaccept: async (event) => {
    requireSignIn(event);
    const answerId = text(await event.request.formData(), 'answerId');
    return run(
      event,
      'unaccept',
      answerId,
      {},
      async () => (await gql(event, UnacceptAnswerMutation, { input: { answerId } })).unacceptAnswer,
    );
  },

  verify: async (event) => {
    requireSignIn(event);
    const form = await event.request.formData();
    const answerId = text(form, 'answerId');
    const anchor = text(form, 'anchor');
    return run(
      event,
      'verify',
      answerId,
      {},
      async () => (await gql(event, VerifyAnswerMutation, { input: { answerId } })).verifyAnswer,
      /^#[A-Za-z0-9_-]+$/.test(anchor) ? anchor : '',
    );
  },

  unverify: async (event) => {
    requireSignIn(event);
    const form = await event.request.formData();
    const answerId = text(form, 'answerId');
    const anchor = text(form, 'anchor');
    return run(
      event,
      'unverify',
      answerId,
      {},
      async () => (await gql(event, UnverifyAnswerMutation, { input: { answerId } })).unverifyAnswer,
      /^#[A-Za-z0-9_-]+$/.test(anchor) ? anchor : '',
    );
  },

  deleteAnswer: async (event) => {
    requireSignIn(event);
    const answerId = text(await event.request.formData(), 'answerId');
    return run(
      event,
      'deleteAnswer',
      answerId,
      {},
      async () => (await gql(event, DeleteAnswerMutation, { input: { answerId } })).deleteAnswer,
    );
  },

  deleteComment: async (event) => {
    requireSignIn(event);
    const commentId = text(await event.request.formData(), 'commentId');
    return run(
      event,
      'deleteComment',
      commentId,
      {},
      async () => (await gql(event, DeleteCommentMutation, { input: { commentId } })).deleteComment,
    );
  },

  deleteQuestion: async (event) => {
    requireSignIn(event);
    const questionId = text(await event.request.formData(), 'questionId');
    let payload;
    try {
      payload = (await gql(event, DeleteQuestionMutation, { input: { questionId } })).deleteQuestion;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'graphql')
        return invalidForm(400, { action: 'deleteQuestion', subjectId: questionId }, err.message);
      throw err;
    }
    if (payload.errors.length) return invalidForm(400, { action: 'deleteQuestion', subjectId: questionId }, toFormErrors(payload.errors));
    redirect(303, '/questions');
  },

  close: async (event) => {
    requireSignIn(event);
    const form = await event.request.formData();
    const questionId = text(form, 'questionId');
    const reasonRaw = text(form, 'reason');
    const duplicate = trimmed(form, 'duplicateOf');
    const values = { reason: reasonRaw, duplicateOf: duplicate };
    if (!(CLOSE_REASONS as readonly string[]).includes(reasonRaw)) {
      return invalidForm(400, { action: 'close', subjectId: questionId, ...values }, { fields: { reason: 'Choose a reason.' } });
    }
    const reason = reasonRaw as CloseReason;
    let duplicateOfId: string | null = null;
    if (reason === 'DUPLICATE') {
      // Accept a question URL (/questions/<id>/…) or an id.
      const match = /\/questions\/([A-Za-z0-9+/=_-]+)/.exec(duplicate);
      const ref = match?.[1] ?? duplicate;
      const found = ref && ID_PARAM.test(ref) ? (await gql(event, QuestionIdQuery, { id: ref })).question : null;
      if (!found) {
        return invalidForm(
          400,
          { action: 'close', subjectId: questionId, ...values },
          { fields: { duplicateOf: 'Enter the link of the original question.' } },
        );
      }
      duplicateOfId = found.id;
    }
    return run(
      event,
      'close',
      questionId,
      values,
      // a close vote (a moderator's is binding; members with the privilege add to the tally)
      async () => (await gql(event, CastCloseVoteMutation, { input: { questionId, reason, duplicateOfId } })).castCloseVote,
      '',
      ['reason', 'duplicateOfId'],
    );
  },

  reopen: async (event) => {
    requireSignIn(event);
    const questionId = text(await event.request.formData(), 'questionId');
    return run(
      event,
      'reopen',
      questionId,
      {},
      async () => (await gql(event, CastReopenVoteMutation, { input: { questionId } })).castReopenVote,
    );
  },

  retractCloseVote: async (event) => {
    requireSignIn(event);
    const questionId = text(await event.request.formData(), 'questionId');
    return run(
      event,
      'retractCloseVote',
      questionId,
      {},
      async () => (await gql(event, RetractCloseVoteMutation, { input: { questionId } })).retractCloseVote,
    );
  },

  lock: async (event) => {
    requireSignIn(event);
    const form = await event.request.formData();
    const postId = text(form, 'postId');
    const reason = trimmed(form, 'reason');
    const hours = trimmed(form, 'durationHours');
    const durationHours = hours ? Number(hours) : null;
    if (hours && !Number.isInteger(durationHours)) {
      return invalidForm(400, { action: 'lock', subjectId: postId, reason, durationHours: hours }, 'Enter the duration in whole hours.');
    }
    return run(
      event,
      'lock',
      postId,
      { reason, durationHours: hours },
      async () => (await gql(event, LockPostMutation, { input: { postId, reason, durationHours } })).lockPost,
    );
  },

  unlock: async (event) => {
    requireSignIn(event);
    const postId = text(await event.request.formData(), 'postId');
    return run(event, 'unlock', postId, {}, async () => (await gql(event, UnlockPostMutation, { input: { postId } })).unlockPost);
  },

  protect: async (event) => {
    requireSignIn(event);
    const form = await event.request.formData();
    const questionId = text(form, 'questionId');
    const on = text(form, 'protect') === 'on';
    return run(event, 'protect', questionId, {}, async () =>
      on
        ? (await gql(event, ProtectQuestionMutation, { input: { questionId } })).protectQuestion
        : (await gql(event, UnprotectQuestionMutation, { input: { questionId } })).unprotectQuestion,
    );
  },

  // bounties (web/src/lib/components/bounty): offer with an amount from the select; award an answer
  offerBounty: async (event) => {
    requireSignIn(event);
    const form = await event.request.formData();
    const questionId = text(form, 'questionId');
    const amount = Number(text(form, 'amount'));
    if (!Number.isInteger(amount)) return invalidForm(400, { action: 'offerBounty', subjectId: questionId }, 'Choose an amount.');
    return run(
      event,
      'offerBounty',
      questionId,
      {},
      async () => (await gql(event, OfferBountyMutation, { input: { questionId, amount } })).offerBounty,
    );
  },

  awardBounty: async (event) => {
    requireSignIn(event);
    const form = await event.request.formData();
    const bountyId = text(form, 'bountyId');
    const answerId = text(form, 'answerId');
    const anchor = text(form, 'anchor');
    return run(
      event,
      'awardBounty',
      answerId,
      {},
      async () => (await gql(event, AwardBountyMutation, { input: { bountyId, answerId } })).awardBounty,
      /^#[A-Za-z0-9_-]+$/.test(anchor) ? anchor : '',
    );
  },

  undelete: async (event) => {
    requireSignIn(event);
    const questionId = text(await event.request.formData(), 'questionId');
    return run(
      event,
      'undelete',
      questionId,
      {},
      async () => (await gql(event, UndeleteQuestionMutation, { input: { questionId } })).undeleteQuestion,
    );
  },
};
