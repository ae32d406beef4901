import { builder, needsScope } from '../../graphql/builder.js';
import { noteReads } from '../../graphql/request-scoped.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { encodeCursor, pageWindow, toConnection } from '../../lib/connection.js';
import { QuestionOrderEnum, questionsConnection } from '../post/post.graphql.js';
import { QuestionRef } from '../post/post.refs.js';
import { isModerator } from '../user/user.policy.js';
import { reposOf } from '../services.js';
import { TagRef } from './tag.refs.js';
import { normalizeTag } from './tag.rules.js';
import { addTagSynonym, updateTag } from './tag.service.js';

TagRef.implement({
  description: 'A tag. Synonyms resolve to their master tag.',
  fields: (t) => ({
    name: t.string({ resolve: (tag) => tag._id }),
    description: t.exposeString('description', { description: 'Tag wiki (Markdown)' }),
    descriptionHTML: t.exposeString('descriptionHTML'),
    excerpt: t.exposeString('excerpt'),
    questionCount: t.exposeInt('questionCount'),
    url: t.string({ resolve: (tag) => `/tags/${encodeURIComponent(tag._id)}` }),
    synonymOf: t.field({ type: TagRef, nullable: true, resolve: (tag) => tag.synonymOf ?? null }),
    synonyms: t.stringList({
      resolve: (tag, _a, ctx) => {
        // kept on the tag's own document (whose version the tag's reads note already)
        noteReads(ctx, [`tags:${tag._id}`]);
        return reposOf(ctx).tags.synonymsOf(tag);
      },
    }),
    viewerCanEdit: t.boolean({ resolve: (_tag, _a, ctx) => isModerator(ctx.viewer) }),
    questions: t.connection({
      type: QuestionRef,
      args: { orderBy: t.arg({ type: QuestionOrderEnum, required: false, defaultValue: 'NEWEST' }) },
      resolve: (tag, args, ctx) => questionsConnection(args, ctx, { tag: tag._id }),
    }),
  }),
});

const TagOrderEnum = builder.enumType('TagOrder', { values: ['POPULAR', 'NAME'] as const });

builder.queryFields((t) => ({
  tag: t.field({
    type: TagRef,
    nullable: true,
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, { name }, ctx) => {
      const key = normalizeTag(name);
      noteReads(ctx, [`tags:${key}`, 'list:tags']);
      return reposOf(ctx).tags.findById(key);
    },
  }),
  tags: t.connection({
    type: TagRef,
    args: {
      orderBy: t.arg({ type: TagOrderEnum, required: false, defaultValue: 'POPULAR' }),
      prefix: t.arg.string({ required: false, description: 'Only tags starting with this (autocomplete)' }),
    },
    resolve: async (_r, args, ctx) => {
      const window = pageWindow(args, 50);
      const byName = args.orderBy === 'NAME';
      const prefix = args.prefix ? normalizeTag(args.prefix).replace(/[^a-z0-9.+#-]/g, '') : '';
      noteReads(ctx, ['list:tags']);
      const rows = await reposOf(ctx).tags.list(window, byName, prefix);
      return toConnection(rows, window, (tag) => encodeCursor(byName ? tag._id : tag.questionCount, tag._id));
    },
  }),
}));

builder.relayMutationField(
  'updateTag',
  { inputFields: (t) => ({ name: t.string(), description: t.string({ description: 'Tag wiki, Markdown' }) }) },
  { ...needsScope('moderate'), resolve: (_r, { input }, ctx) => asPayload(async () => ({ tag: await updateTag(ctx, input) })) },
  {
    outputFields: (t) => ({
      tag: t.field({ type: TagRef, nullable: true, resolve: (p) => p.tag ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'addTagSynonym',
  { inputFields: (t) => ({ name: t.string(), masterName: t.string() }) },
  { ...needsScope('moderate'), resolve: (_r, { input }, ctx) => asPayload(async () => ({ tag: await addTagSynonym(ctx, input) })) },
  {
    outputFields: (t) => ({
      tag: t.field({ type: TagRef, nullable: true, resolve: (p) => p.tag ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);
