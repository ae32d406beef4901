// PostHistory rows 10–20 (closed, reopened, deleted, undeleted, locked, unlocked, protected,
// unprotected) → the post's current moderation state (ctx.maps.moderation: the Posts step writes
// it on the post, as modules/review models it: closedAt/closeReason/closedByVoterIds,
// lockedAt/lockReason, protectedAt) and one audit-log entry per row (modules/moderation's audit
// log: the action a moderator's tool records, with the dump's actor, time and reason). The
// entries' ids are deterministic (seAuditId): a re-run inserts nothing new.
import type { Types } from 'mongoose';
import type { PostHistoryRow } from '../se-dump.reader.js';
import { clipText, closeReasonFromHistory, seAuditId } from '../se-mapping.js';
import type { ImportContext } from './context.js';
import type { ModerationState, PostInfo } from './import-maps.js';

/** PostHistoryTypeId → the audit action (answers: `answer.*` for deletions, `post.*` for locks). */
const ACTIONS: Record<number, { question: string; answer: string | null }> = {
  10: { question: 'question.closed', answer: null },
  11: { question: 'question.reopened', answer: null },
  12: { question: 'question.deleted', answer: 'answer.deleted' },
  13: { question: 'question.undeleted', answer: 'answer.undeleted' },
  14: { question: 'post.locked', answer: 'post.locked' },
  15: { question: 'post.unlocked', answer: 'post.unlocked' },
  19: { question: 'question.protected', answer: null },
  20: { question: 'question.unprotected', answer: null },
};

export const MODERATION_HISTORY_TYPES: ReadonlySet<number> = new Set(Object.keys(ACTIONS).map(Number));

/** An audit-log entry as the importer inserts it (audit.model.ts). */
export type ImportedAuditEntry = {
  _id: Types.ObjectId;
  at: Date;
  actorId: Types.ObjectId | null;
  action: string;
  targetType: 'Question' | 'Answer';
  targetId: string;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  data: Record<string, unknown>;
};

const emptyState = (): ModerationState => ({
  closedAt: null,
  closedBy: undefined,
  closeVoters: [],
  lockedAt: null,
  lockedBy: undefined,
  lockReason: null,
  protectedAt: null,
  protectedBy: undefined,
});

/** The Voters (and, for duplicates, OriginalQuestionIds) of a close or reopen row's Text. */
function votersOf(text: string | undefined): { voters: Array<{ id: number; name: string | null }>; originals: number[] } {
  if (!text?.trim().startsWith('{')) return { voters: [], originals: [] };
  try {
    const parsed = JSON.parse(text) as { Voters?: Array<{ Id?: unknown; DisplayName?: unknown }>; OriginalQuestionIds?: unknown[] };
    return {
      voters: (parsed.Voters ?? [])
        .filter((v) => typeof v.Id === 'number')
        .map((v) => ({ id: v.Id as number, name: typeof v.DisplayName === 'string' ? v.DisplayName : null })),
      originals: (parsed.OriginalQuestionIds ?? []).filter((id): id is number => typeof id === 'number'),
    };
  } catch {
    return { voters: [], originals: [] };
  }
}

/**
 * Applies one moderation row of an imported post to its state; returns its audit entry, or null
 * for a row that does not apply to this kind of post (e.g. a closure of an answer).
 */
export function applyModerationRow(ctx: ImportContext, row: PostHistoryRow, info: PostInfo): ImportedAuditEntry | null {
  const type = row.PostHistoryTypeId!;
  const postId = row.PostId!;
  const isQuestion = info.type === 1;
  const action = isQuestion ? ACTIONS[type]?.question : ACTIONS[type]?.answer;
  if (!action) return null;
  const at = row.CreationDate ?? info.created ?? new Date(0);
  const { moderation, closeReasons } = ctx.maps;
  const state = moderation.get(postId) ?? emptyState();
  const before = { ...state };
  let reason: string | null = null;
  let after: Record<string, unknown> | null = null;
  let beforeOut: Record<string, unknown> | null = null;
  const data: Record<string, unknown> = {
    imported: true,
    site: ctx.site,
    historyId: row.Id,
    url: `https://${ctx.site}/posts/${postId}/revisions`,
  };
  switch (type) {
    case 10: {
      const closeReason = closeReasonFromHistory(row.Comment);
      closeReasons.set(postId, closeReason);
      const { voters, originals } = votersOf(row.Text);
      Object.assign(state, { closedAt: at, closedBy: row.UserId, closeVoters: voters.map((v) => v.id) });
      reason = closeReason;
      beforeOut = { closed: before.closedAt !== null };
      after = { closed: true, reason: closeReason };
      data.voterIds = voters.flatMap((v) => ctx.userOid(v.id)?.toHexString() ?? []);
      data.voterNames = voters.map((v) => v.name ?? `user${v.id}`);
      if (originals.length) data.duplicateOfIds = originals.filter((id) => ctx.isQuestion(id)).map((id) => ctx.postOid(id).toHexString());
      break;
    }
    case 11: {
      closeReasons.delete(postId);
      const { voters } = votersOf(row.Text);
      Object.assign(state, { closedAt: null, closedBy: undefined, closeVoters: [] });
      beforeOut = { closed: before.closedAt !== null };
      after = { closed: false };
      data.voterIds = voters.flatMap((v) => ctx.userOid(v.id)?.toHexString() ?? []);
      data.voterNames = voters.map((v) => v.name ?? `user${v.id}`);
      break;
    }
    case 12:
    case 13:
      // the current state is the dump's: it holds no deleted posts (DeletionDate rows are left out)
      reason = row.Comment ? clipText(row.Comment, 300) : null;
      beforeOut = { deleted: type === 13 };
      after = { deleted: type === 12 };
      break;
    case 14:
      reason = row.Comment ? clipText(row.Comment, 300) : null;
      Object.assign(state, { lockedAt: at, lockedBy: row.UserId, lockReason: reason ?? 'Locked on Stack Exchange' });
      beforeOut = { lockedAt: before.lockedAt };
      after = { lockedAt: at, lockedUntil: null };
      break;
    case 15:
      Object.assign(state, { lockedAt: null, lockedBy: undefined, lockReason: null });
      beforeOut = { lockedAt: before.lockedAt, lockReason: before.lockReason };
      after = { lockedAt: null };
      break;
    case 19:
    case 20:
      Object.assign(state, type === 19 ? { protectedAt: at, protectedBy: row.UserId } : { protectedAt: null, protectedBy: undefined });
      reason = row.Comment ? clipText(row.Comment, 300) : null;
      beforeOut = { protected: before.protectedAt !== null };
      after = { protected: type === 19 };
      break;
  }
  moderation.set(postId, state);
  return {
    _id: seAuditId(ctx.site, row.Id, at),
    at,
    actorId: ctx.userOid(row.UserId),
    action,
    targetType: isQuestion ? 'Question' : 'Answer',
    targetId: ctx.postOid(postId).toHexString(),
    reason,
    before: beforeOut,
    after,
    data: row.UserId !== undefined && !ctx.userOid(row.UserId) ? { ...data, actorName: row.UserDisplayName ?? `user${row.UserId}` } : data,
  };
}
