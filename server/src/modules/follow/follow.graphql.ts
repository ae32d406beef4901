// Following in the API: `follow`, `unfollow`, `ignoreTag`, `following`, `Question.viewerIsFollowing`.
import { builder, needsScope } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { rawId } from '../../lib/ids.js';
import { visiblePostLoader } from '../loaders.js';
import { QuestionRef } from '../post/post.refs.js';
import { SpaceRef } from '../space/space.refs.js';
import { TagRef } from '../tag/tag.refs.js';
import { UserRef } from '../user/user.refs.js';
import type { FollowKind } from './follow.model.js';
import { follow, following, ignoreTag, isFollowing, viewerIgnoredTags, type Following } from './follow.service.js';

const FollowingRef = builder.objectRef<Following>('Following').implement({
  description: 'What the viewer follows (newest first) and the tags they ignore.',
  fields: (t) => ({
    questions: t.field({
      type: [QuestionRef],
      resolve: async (f, _a, ctx) =>
        (await Promise.all(f.questionIds.map((id) => visiblePostLoader(ctx).load(id)))).filter((q) => q !== null),
    }),
    tags: t.field({ type: [TagRef], resolve: (f) => f.tags }),
    spaces: t.field({ type: [SpaceRef], resolve: (f) => f.spaceIds }),
    members: t.field({ type: [UserRef], resolve: (f) => f.memberIds }),
    ignoredTags: t.stringList({ resolve: (f) => f.ignoredTags }),
  }),
});

builder.queryField('following', (t) =>
  t.field({ type: FollowingRef, authScopes: { loggedIn: true }, resolve: (_r, _a, ctx) => following(ctx) }),
);

builder.objectField(QuestionRef, 'viewerIsFollowing', (t) =>
  t.boolean({ resolve: (q, _a, ctx) => isFollowing(ctx, `question:${q._id.toHexString()}`) }),
);

builder.objectField(TagRef, 'viewerIsFollowing', (t) => t.boolean({ resolve: (tag, _a, ctx) => isFollowing(ctx, `tag:${tag._id}`) }));

builder.objectField(TagRef, 'viewerIsIgnoring', (t) =>
  t.boolean({
    description: 'Whether the viewer ignores this tag (its questions are hidden from their lists)',
    resolve: async (tag, _a, ctx) => (await viewerIgnoredTags(ctx)).includes(tag._id),
  }),
);

builder.objectField(SpaceRef, 'viewerIsFollowing', (t) =>
  t.boolean({ resolve: (space, _a, ctx) => isFollowing(ctx, `space:${space._id.toHexString()}`) }),
);

builder.objectField(UserRef, 'viewerIsFollowing', (t) =>
  t.boolean({ resolve: (user, _a, ctx) => isFollowing(ctx, `member:${user._id.toHexString()}`) }),
);

builder.objectField(UserRef, 'ignoredTags', (t) =>
  t.stringList({
    nullable: true,
    description: 'The tags this member ignores: only for the member themselves (null for anyone else)',
    resolve: async (user, _a, ctx) => (ctx.viewer?.id === user._id.toHexString() ? viewerIgnoredTags(ctx) : null),
  }),
);

/** A followable global id → its kind and raw id (tags' ids are their names). */
function followTarget(globalId: string): { kind: FollowKind; id: string } {
  const id = rawId(globalId, ['Question', 'Tag', 'Space', 'User'], 'subjectId');
  const type = Buffer.from(globalId, 'base64').toString('utf8').split(':')[0]!;
  const kind = ({ Question: 'question', Tag: 'tag', Space: 'space', User: 'member' } as const)[type as 'Question'];
  return { kind, id };
}

for (const [name, on] of [
  ['follow', true],
  ['unfollow', false],
] as const) {
  builder.relayMutationField(
    name,
    { inputFields: (t) => ({ subjectId: t.id({ description: 'A question, tag, space or member' }) }) },
    {
      ...needsScope('read'),
      resolve: (_r, { input }, ctx) =>
        asPayload(async () => {
          await follow(ctx, followTarget(String(input.subjectId)), on);
          return { following: await following(ctx) };
        }),
    },
    {
      outputFields: (t) => ({
        following: t.field({ type: FollowingRef, nullable: true, resolve: (p) => p.following ?? null }),
        errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
      }),
    },
  );
}

builder.relayMutationField(
  'ignoreTag',
  { inputFields: (t) => ({ name: t.string(), ignored: t.boolean({ required: false, description: 'false: stop ignoring' }) }) },
  {
    ...needsScope('read'),
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => {
        await ignoreTag(ctx, input.name, input.ignored ?? true);
        return { following: await following(ctx) };
      }),
  },
  {
    outputFields: (t) => ({
      following: t.field({ type: FollowingRef, nullable: true, resolve: (p) => p.following ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);
