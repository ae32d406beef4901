// Question and answer mutations: thin resolvers over post.service.ts.
import { encodeGlobalID as globalId } from '@pothos/plugin-relay';
import { builder, needsScope } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { rawId } from '../../lib/ids.js';
import { CloseReasonEnum, decodeQuestionId, PostInterface } from './post.graphql.js';
import { AnswerRef, QuestionRef } from './post.refs.js';
import { assertDeclaredVersions } from '../support/support.service.js';
import {
  acceptAnswer,
  askQuestion,
  deleteAnswer,
  deleteQuestion,
  postAnswer,
  recordView,
  rollbackRevision,
  setVerified,
  unacceptAnswer,
  updateAnswer,
  updateQuestion,
} from './post.service.js';
import { castCloseVote, castReopenVote } from '../review/close-vote.service.js';

builder.relayMutationField(
  'askQuestion',
  {
    inputFields: (t) => ({
      spaceId: t.id({ required: false, description: 'The space (global id); or give spaceSlug' }),
      spaceSlug: t.string({ required: false }),
      title: t.string({ description: '15–150 characters' }),
      body: t.string({ description: 'Markdown, 30–30,000 characters' }),
      tags: t.stringList({ description: '1–5 tag names' }),
    }),
  },
  {
    ...needsScope('write:questions'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        question: await askQuestion(ctx, {
          spaceId: input.spaceId ? rawId(input.spaceId, ['Space'], 'spaceId') : null,
          spaceSlug: input.spaceSlug,
          title: input.title,
          body: input.body,
          tags: input.tags,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'updateQuestion',
  {
    inputFields: (t) => ({
      questionId: t.id(),
      title: t.string({ required: false }),
      body: t.string({ required: false }),
      tags: t.stringList({ required: false }),
      editSummary: t.string({ required: false }),
    }),
  },
  {
    ...needsScope('write:questions'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        question: await updateQuestion(ctx, {
          questionId: rawId(input.questionId, ['Question'], 'questionId'),
          title: input.title ?? undefined,
          body: input.body ?? undefined,
          tags: input.tags ?? undefined,
          editSummary: input.editSummary ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'deleteQuestion',
  { inputFields: (t) => ({ questionId: t.id() }) },
  {
    ...needsScope('write:questions'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ question: await deleteQuestion(ctx, rawId(input.questionId, ['Question'], 'questionId')) })),
  },
  {
    outputFields: (t) => ({
      deletedQuestionId: t.id({ nullable: true, resolve: (p) => (p.question ? globalId('Question', p.question._id.toHexString()) : null) }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'postAnswer',
  { inputFields: (t) => ({ questionId: t.id(), body: t.string({ description: 'Markdown, 30–30,000 characters' }) }) },
  {
    ...needsScope('write:answers'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        answer: await postAnswer(ctx, { questionId: rawId(input.questionId, ['Question'], 'questionId'), body: input.body }),
      })),
  },
  {
    outputFields: (t) => ({
      answer: t.field({ type: AnswerRef, nullable: true, resolve: (p) => p.answer ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'updateAnswer',
  { inputFields: (t) => ({ answerId: t.id(), body: t.string(), editSummary: t.string({ required: false }) }) },
  {
    ...needsScope('write:answers'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        answer: await updateAnswer(ctx, {
          answerId: rawId(input.answerId, ['Answer'], 'answerId'),
          body: input.body,
          editSummary: input.editSummary ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      answer: t.field({ type: AnswerRef, nullable: true, resolve: (p) => p.answer ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'deleteAnswer',
  { inputFields: (t) => ({ answerId: t.id() }) },
  {
    ...needsScope('write:answers'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ answer: await deleteAnswer(ctx, rawId(input.answerId, ['Answer'], 'answerId')) })),
  },
  {
    outputFields: (t) => ({
      deletedAnswerId: t.id({ nullable: true, resolve: (p) => (p.answer ? globalId('Answer', p.answer._id.toHexString()) : null) }),
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.answer?.questionId?.toHexString() ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

for (const [name, accept] of [
  ['acceptAnswer', true],
  ['unacceptAnswer', false],
] as const) {
  builder.relayMutationField(
    name,
    { inputFields: (t) => ({ answerId: t.id() }) },
    {
      ...needsScope('write:answers'),
      resolve: (_r, { input }, ctx) =>
        asPayload(async () => (accept ? acceptAnswer : unacceptAnswer)(ctx, rawId(input.answerId, ['Answer'], 'answerId'))),
    },
    {
      outputFields: (t) => ({
        answer: t.field({ type: AnswerRef, nullable: true, resolve: (p) => p.answer ?? null }),
        question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
        errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
      }),
    },
  );
}

for (const [name, verified] of [
  ['verifyAnswer', true],
  ['unverifyAnswer', false],
] as const) {
  builder.relayMutationField(
    name,
    {
      inputFields: (t) => ({
        answerId: t.id(),
        versions: t.stringList({ required: false, description: 'verifyAnswer: the product versions it applies to' }),
      }),
    },
    {
      ...needsScope('moderate'),
      resolve: (_r, { input }, ctx) =>
        asPayload(async () => {
          const answerId = rawId(input.answerId, ['Answer'], 'answerId');
          const versions = verified ? (input.versions ?? []) : [];
          await assertDeclaredVersions(ctx, answerId, versions);
          return { answer: await setVerified(ctx, answerId, verified, versions) };
        }),
    },
    {
      outputFields: (t) => ({
        answer: t.field({ type: AnswerRef, nullable: true, resolve: (p) => p.answer ?? null }),
        errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
      }),
    },
  );
}

builder.relayMutationField(
  'closeQuestion',
  { inputFields: (t) => ({ questionId: t.id(), reason: t.field({ type: CloseReasonEnum }), duplicateOfId: t.id({ required: false }) }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        // a moderator's close vote: binding (modules/review/close-vote.service.ts)
        question: await castCloseVote(
          ctx,
          {
            questionId: rawId(input.questionId, ['Question'], 'questionId'),
            reason: input.reason,
            duplicateOfId: input.duplicateOfId ? rawId(input.duplicateOfId, ['Question'], 'duplicateOfId') : undefined,
          },
          { moderatorOnly: true },
        ),
      })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'reopenQuestion',
  { inputFields: (t) => ({ questionId: t.id() }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        question: await castReopenVote(ctx, rawId(input.questionId, ['Question'], 'questionId'), { moderatorOnly: true }),
      })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'rollbackRevision',
  { inputFields: (t) => ({ postId: t.id(), revision: t.int(), editSummary: t.string({ required: false }) }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        post: await rollbackRevision(ctx, {
          postId: rawId(input.postId, ['Question', 'Answer'], 'postId'),
          revision: input.revision,
          editSummary: input.editSummary ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      post: t.field({ type: PostInterface, nullable: true, resolve: (p) => p.post ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'recordQuestionView',
  { inputFields: (t) => ({ questionId: t.id() }) },
  {
    ...needsScope('read'),
    description: 'Counts a view of a question (once per viewer per hour). The web app calls it when it renders a question page.',
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        question: await recordView(ctx, decodeQuestionId(String(input.questionId)) ?? rawId(input.questionId, ['Question'], 'questionId')),
      })),
  },
  {
    outputFields: (t) => ({
      question: t.field({ type: QuestionRef, nullable: true, resolve: (p) => p.question ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

// ---------------------------------------------------------------------------------------------
