// Builders for the moderation tests: the mutation documents and a member's reputation set
// through the ledger.
import { Types } from 'mongoose';
import { applyReputation } from '../../server/src/modules/reputation/reputation.service.js';
import type { Harness } from '../helpers/harness.js';
import { ERRORS, rawOf } from './qa.js';

export const M = {
  flag: `mutation($input: FlagInput!) { flag(input: $input) { flag { id reason status } ${ERRORS} } }`,
  handle: `mutation($input: HandleFlagsInput!) { handleFlags(input: $input) { item { status activeCount } ${ERRORS} } }`,
  suspend: `mutation($input: SuspendMemberInput!) { suspendMember(input: $input) { standing { suspendedUntil suspensionReason } ${ERRORS} } }`,
  unsuspend: `mutation($input: UnsuspendMemberInput!) { unsuspendMember(input: $input) { standing { suspendedUntil } ${ERRORS} } }`,
  silence: `mutation($input: SilenceMemberInput!) { silenceMember(input: $input) { standing { silencedUntil } ${ERRORS} } }`,
  message: `mutation($input: SendModeratorMessageInput!) { sendModeratorMessage(input: $input) { message { id subject } ${ERRORS} } }`,
};

/** Sets a member's reputation through the ledger (as earned reputation would). */
export async function setReputation(h: Harness, userId: string, target: number): Promise<void> {
  const raw = rawOf(userId);
  const user = await h.deps.repos.users.findById(new Types.ObjectId(raw), 'reputation');
  await applyReputation(h.deps.repos, h.deps.services.reputationRules, {
    key: `test:rep:${userId}:${target}:${new Types.ObjectId().toHexString()}`,
    userId: raw,
    nominal: target - (user?.reputation ?? 0),
    reason: 'IMPORTED_BALANCE',
    at: h.clock.now(),
  });
}
