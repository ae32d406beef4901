import { builder, needsScope } from '../../graphql/builder.js';
import { noteReads } from '../../graphql/request-scoped.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { encodeCursor, pageWindow, toConnection } from '../../lib/connection.js';
import { rawId } from '../../lib/ids.js';
import { QuestionFilterInput, QuestionOrderEnum, questionsConnection } from '../post/post.graphql.js';
import { QuestionRef } from '../post/post.refs.js';
import { reposOf } from '../services.js';
import { SpaceRef } from './space.refs.js';
import { createSpace, updateSpace } from './space.service.js';

SpaceRef.implement({
  description: 'A product forum.',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    questionCount: t.exposeInt('questionCount'),
    url: t.string({ resolve: (s) => `/spaces/${s.slug}` }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    viewerCanEdit: t.boolean({ resolve: (_s, _a, ctx) => ctx.viewer?.role === 'ADMIN' }),
    questions: t.connection({
      type: QuestionRef,
      args: {
        filter: t.arg({ type: QuestionFilterInput, required: false }),
        orderBy: t.arg({ type: QuestionOrderEnum, required: false, defaultValue: 'NEWEST' }),
      },
      resolve: (s, args, ctx) => questionsConnection({ ...args, filter: args.filter ?? {} }, ctx, { spaceId: s._id }),
    }),
  }),
});

builder.queryFields((t) => ({
  space: t.field({
    type: SpaceRef,
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: (_r, { slug }, ctx) => {
      noteReads(ctx, ['list:spaces']);
      return reposOf(ctx).spaces.findBySlug(slug);
    },
  }),
  spaces: t.connection({
    type: SpaceRef,
    description: 'Spaces by name.',
    resolve: async (_r, args, ctx) => {
      const window = pageWindow(args, 50);
      noteReads(ctx, ['list:spaces']);
      const rows = await reposOf(ctx).spaces.listByName(window);
      return toConnection(rows, window, (s) => encodeCursor(s.name, s._id.toHexString()));
    },
  }),
}));

builder.relayMutationField(
  'createSpace',
  { inputFields: (t) => ({ slug: t.string(), name: t.string(), description: t.string({ required: false }) }) },
  {
    ...needsScope('moderate', { loggedIn: true }),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({ space: await createSpace(ctx, { ...input, description: input.description ?? undefined }) })),
  },
  {
    outputFields: (t) => ({
      space: t.field({ type: SpaceRef, nullable: true, resolve: (p) => p.space ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'updateSpace',
  { inputFields: (t) => ({ spaceId: t.id(), name: t.string({ required: false }), description: t.string({ required: false }) }) },
  {
    ...needsScope('moderate'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        space: await updateSpace(ctx, {
          spaceId: rawId(input.spaceId, ['Space'], 'spaceId'),
          name: input.name ?? undefined,
          description: input.description ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      space: t.field({ type: SpaceRef, nullable: true, resolve: (p) => p.space ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);
