import { builder, needsScope } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { AnswerRef, QuestionRef } from '../post/post.refs.js';
import { SpaceRef } from '../space/space.refs.js';
import { UserRef } from '../user/user.refs.js';
import type { MatchDoc, WatchDoc } from './listening.model.js';
import { createListeningWatch, deleteListeningWatch, listeningMatches, listeningWatches } from './listening.service.js';

const ListeningWatchRef = builder.objectRef<WatchDoc>('ListeningWatch').implement({
  description: 'A saved search evaluated on every new or edited post (vendor staff).',
  fields: (t) => ({
    id: t.id({ description: 'the watch id (raw)', resolve: (w) => w._id.toHexString() }),
    name: t.exposeString('name'),
    query: t.exposeString('query'),
    owner: t.field({ type: UserRef, resolve: (w) => w.ownerId.toHexString() }),
    createdAt: t.field({ type: 'DateTime', resolve: (w) => w.createdAt }),
  }),
});

const ListeningMatchRef = builder.objectRef<MatchDoc>('ListeningMatch').implement({
  fields: (t) => ({
    id: t.exposeString('_id'),
    watchId: t.string({ resolve: (m) => m.watchId.toHexString() }),
    question: t.field({ type: QuestionRef, nullable: true, resolve: (m) => m.questionId.toHexString() }),
    answer: t.field({ type: AnswerRef, nullable: true, resolve: (m) => (m.postId.equals(m.questionId) ? null : m.postId.toHexString()) }),
    space: t.field({ type: SpaceRef, nullable: true, resolve: (m) => m.spaceId.toHexString() }),
    revision: t.exposeInt('revision'),
    excerpt: t.exposeString('excerpt'),
    day: t.exposeString('day', { description: 'UTC day of the match (grouping)' }),
    matchedAt: t.field({ type: 'DateTime', resolve: (m) => m.matchedAt }),
  }),
});

const ListeningMatchPageRef = builder
  .objectRef<{ matches: MatchDoc[]; hasNextPage: boolean; total: number; offset: number }>('ListeningMatchPage')
  .implement({
    fields: (t) => ({
      totalCount: t.exposeInt('total'),
      nodes: t.field({ type: [ListeningMatchRef], resolve: (p) => p.matches }),
      hasNextPage: t.exposeBoolean('hasNextPage'),
      endCursor: t.string({ nullable: true, resolve: (p) => (p.hasNextPage ? String(p.offset + p.matches.length) : null) }),
    }),
  });

builder.queryFields((t) => ({
  listeningWatches: t.field({ type: [ListeningWatchRef], resolve: (_r, _a, ctx) => listeningWatches(ctx) }),
  listeningMatches: t.field({
    type: ListeningMatchPageRef,
    args: { watchId: t.arg.string({ required: false }), first: t.arg.int({ required: false }), after: t.arg.string({ required: false }) },
    resolve: async (_r, args, ctx) => {
      const offset = Math.max(0, Number.parseInt(args.after ?? '0', 10) || 0);
      const limit = Math.min(100, Math.max(1, args.first ?? 25));
      return { ...(await listeningMatches(ctx, args.watchId ?? null, { offset, limit })), offset };
    },
  }),
}));

builder.relayMutationField(
  'createListeningWatch',
  { inputFields: (t) => ({ name: t.string(), query: t.string() }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) => asPayload(async () => ({ watch: await createListeningWatch(ctx, input) })),
  },
  {
    outputFields: (t) => ({
      watch: t.field({ type: ListeningWatchRef, nullable: true, resolve: (p) => p.watch ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'deleteListeningWatch',
  { inputFields: (t) => ({ watchId: t.string() }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) => asPayload(async () => ({ deletedWatchId: await deleteListeningWatch(ctx, input.watchId) })),
  },
  {
    outputFields: (t) => ({
      deletedWatchId: t.string({ nullable: true, resolve: (p) => p.deletedWatchId ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);
