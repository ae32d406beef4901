import { builder } from '../../graphql/builder.js';
import { reposOf } from '../services.js';
import { encodeCursor, pageWindow, toConnection } from '../../lib/connection.js';
import { PostInterface } from '../post/post.graphql.js';
import { visiblePostLoader } from '../loaders.js';
import { UserRef } from '../user/user.refs.js';
import type { ReputationEventDoc } from './reputation.model.js';

const ReputationReasonEnum = builder.enumType('ReputationReason', {
  values: [
    'JOINED',
    'QUESTION_UPVOTED',
    'ANSWER_UPVOTED',
    'POST_DOWNVOTED',
    'DOWNVOTED_ANSWER',
    'VOTE_REVERSED',
    'ANSWER_ACCEPTED',
    'ACCEPTED_ANSWER',
    'ACCEPT_REVERSED',
    'POST_DELETED',
    'POST_UNDELETED',
    'EDIT_APPROVED',
    'POST_FLAGGED',
    'IMPORTED_BALANCE',
    'BOUNTY_OFFERED',
    'BOUNTY_AWARDED',
  ] as const,
});

export const ReputationEventRef = builder.objectRef<ReputationEventDoc>('ReputationEvent').implement({
  description: 'One entry of a member’s reputation ledger.',
  fields: (t) => ({
    id: t.id({ resolve: (e) => Buffer.from(`ReputationEvent:${e._id}`).toString('base64') }),
    delta: t.exposeInt('delta', { description: 'What was applied (after the daily cap and the floor of 1)' }),
    reason: t.field({ type: ReputationReasonEnum, resolve: (e) => e.reason as never }),
    balance: t.exposeInt('balance', { description: 'Reputation after this event' }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    subject: t.field({
      type: PostInterface,
      nullable: true,
      // the ledger is public: a deleted post stays hidden from those who may not see it
      resolve: async (e, _a, ctx) => {
        return e.subjectId ? visiblePostLoader(ctx).load(e.subjectId.toHexString()) : null;
      },
    }),
  }),
});

builder.objectFields(UserRef, (t) => ({
  reputationEvents: t.connection({
    type: ReputationEventRef,
    description: 'The reputation ledger, newest first.',
    resolve: async (user, args, ctx) => {
      const window = pageWindow(args, 30);
      // seq is unique per member: it alone is the keyset
      const seq = window.cursor ? Number(window.cursor.key) : null;
      const ledger = reposOf(ctx).reputation;
      // the first page from the member's recent events (no scan of the ledger on FerretDB)
      const rows =
        seq === null && !window.backward
          ? await ledger.recentOf(user._id, user.repSeq, window.limit + 1)
          : await ledger.pageOf(user._id, seq, window.backward, window.limit + 1);
      return toConnection(rows, window, (e) => encodeCursor(e.seq, e._id));
    },
  }),
}));
