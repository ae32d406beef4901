// A question's links (the "Linked" and "Related" sidebar): the questions it names as related and
// as its duplicate target (imported PostLinks rows, kept on the question as `relatedIds` and
// `duplicateOfId`). Read by `_id` through the visible-post loader: a deleted question is left out.
import { builder } from '../../graphql/builder.js';
import { visiblePostLoader } from '../loaders.js';
import type { PostDoc } from '../post/post.model.js';
import { QuestionRef } from '../post/post.refs.js';

async function visibleQuestions(ctx: Parameters<typeof visiblePostLoader>[0], ids: readonly string[]): Promise<PostDoc[]> {
  const docs = await Promise.all(ids.map((id) => visiblePostLoader(ctx).load(id)));
  return docs.filter((d): d is PostDoc => d !== null && d.type === 'question');
}

builder.objectFields(QuestionRef, (t) => ({
  relatedQuestions: t.field({
    type: [QuestionRef],
    description: 'Questions this one links to as related (the "Related" sidebar).',
    resolve: (q, _a, ctx) =>
      visibleQuestions(
        ctx,
        (q.relatedIds ?? []).map((id) => id.toHexString()),
      ),
  }),
  linkedQuestions: t.field({
    type: [QuestionRef],
    description: 'The "Linked" sidebar: the question this one duplicates, then its related questions.',
    resolve: (q, _a, ctx) =>
      visibleQuestions(ctx, [
        ...new Set([...(q.duplicateOfId ? [q.duplicateOfId.toHexString()] : []), ...(q.relatedIds ?? []).map((id) => id.toHexString())]),
      ]),
  }),
}));
