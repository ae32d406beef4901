// A question's "Linked" and "Related" lists (the question page's sidebar): see links.service.ts
// for what each holds. Every question is read by `_id` through the visible-post loader (a deleted
// or hidden question is left out); the inbound links and the search-derived list are read from
// the question's `question_links` document by its id.
import { builder } from '../../graphql/builder.js';
import { QuestionRef } from '../post/post.refs.js';
import { linkedQuestions, relatedQuestions } from './links.service.js';

builder.objectFields(QuestionRef, (t) => ({
  relatedQuestions: t.field({
    type: [QuestionRef],
    description:
      'The "Related" sidebar: the questions this one links to as related, then (up to 10) similar questions found by search, preferring shared tags.',
    resolve: (q, _a, ctx) => relatedQuestions(ctx, q),
  }),
  linkedQuestions: t.field({
    type: [QuestionRef],
    description:
      'The "Linked" sidebar: the question this one duplicates, the questions it links to, the questions linking to it and those closed as its duplicates.',
    resolve: (q, _a, ctx) => linkedQuestions(ctx, q),
  }),
}));
