// Builders for the review/close-vote tests (issue 13): reputation through the ledger (so verify
// stays clean) and the documents the tests share.
import { Types } from 'mongoose';
import { applyReputation } from '../../server/src/modules/reputation/reputation.service.js';
import type { Harness } from '../helpers/harness.js';
import { ERRORS } from './qa.js';

/** Adds `amount` reputation to a member (global or raw id) through the ledger. */
export async function giveReputation(h: Harness, m: { id: string }, amount: number): Promise<void> {
  const decoded = Buffer.from(m.id, 'base64').toString();
  const id = decoded.includes(':') ? decoded.split(':')[1]! : m.id;
  await applyReputation(h.deps.repos, h.deps.services.reputationRules, {
    key: `test-grant:${id}:${new Types.ObjectId().toHexString()}`,
    userId: id,
    nominal: amount,
    reason: 'IMPORTED_BALANCE',
    at: h.clock.now(),
  });
}

/** The raw ObjectId hex of a global id. */
export const rawIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;

export const CV = {
  close: `mutation($input: CastCloseVoteInput!) { castCloseVote(input: $input) { question { id isClosed closeReason closeVoteCount reopenVoteCount duplicateOf { id } closedBy { handle } } ${ERRORS} } }`,
  reopen: `mutation($input: CastReopenVoteInput!) { castReopenVote(input: $input) { question { id isClosed closeVoteCount reopenVoteCount } ${ERRORS} } }`,
  question: `query($id: ID!) { question(id: $id) { id isClosed closeReason closeVoteCount reopenVoteCount duplicateOf { id } linkedDuplicates { id } viewerCanCastCloseVote viewerHasVotedToClose } }`,
};
