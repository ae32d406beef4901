import { builder, needsScope } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { rawId } from '../../lib/ids.js';
import { PostInterface, VoteDirectionEnum } from '../post/post.graphql.js';
import { vote } from './vote.service.js';

builder.relayMutationField(
  'vote',
  {
    inputFields: (t) => ({
      subjectId: t.id({ description: 'The question or answer' }),
      direction: t.field({ type: VoteDirectionEnum, description: 'UP, DOWN, or NONE to withdraw a vote' }),
    }),
  },
  {
    ...needsScope('write:votes'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        subject: await vote(ctx, { subjectId: rawId(input.subjectId, ['Question', 'Answer'], 'subjectId'), direction: input.direction }),
      })),
  },
  {
    outputFields: (t) => ({
      subject: t.field({ type: PostInterface, nullable: true, resolve: (p) => p.subject ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);
