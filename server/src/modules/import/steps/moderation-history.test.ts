// The moderation history of a post (PostHistory rows 10–20): its state after each row and the
// audit-log entry each row becomes; the audit ids are deterministic and in time order.
import { describe, expect, it } from 'vitest';
import type { PostHistoryRow } from '../se-dump.reader.js';
import { seAuditId, seObjectId } from '../se-mapping.js';
import type { ImportContext } from './context.js';
import type { ImportMaps, PostInfo } from './import-maps.js';
import { applyModerationRow } from './moderation-history.js';

const SITE = 'ai.stackexchange.com';
const question: PostInfo = {
  type: 1,
  parent: 0,
  owner: 8,
  score: 1,
  answers: 0,
  positive: false,
  accepted: 0,
  created: new Date(0),
  deleted: false,
};
const answer: PostInfo = { ...question, type: 2, parent: 5 };

/** The little of an import context these functions use: members 8, 9 and -1 (Community) are imported. */
function context() {
  const maps = {
    moderation: new Map(),
    closeReasons: new Map(),
    posts: new Map([
      [5, question],
      [7, answer],
    ]),
  };
  const known = new Set([8, 9, -1]);
  return {
    site: SITE,
    maps: maps as unknown as ImportMaps,
    userOid: (id: number | undefined) => (id !== undefined && known.has(id) ? seObjectId(SITE, 'user', id) : null),
    postOid: (id: number) => seObjectId(SITE, 'post', id),
    isQuestion: (id: number | undefined) => id === 5,
  } as unknown as ImportContext;
}

const row = (Id: number, PostHistoryTypeId: number, PostId: number, at: string, extra: Partial<PostHistoryRow> = {}): PostHistoryRow => ({
  Id,
  PostHistoryTypeId,
  PostId,
  CreationDate: new Date(at),
  ...extra,
});

describe('moderation history', () => {
  it('closes with the reason and the voters the row names, then reopens', () => {
    const ctx = context();
    const voters = JSON.stringify({
      Voters: [
        { Id: 9, DisplayName: 'R. Murray' },
        { Id: 77, DisplayName: 'gone' },
      ],
    });
    const closed = applyModerationRow(ctx, row(1, 10, 5, '2016-08-02T16:27:32Z', { UserId: -1, Comment: '102', Text: voters }), question)!;
    expect(closed).toMatchObject({
      action: 'question.closed',
      targetType: 'Question',
      targetId: seObjectId(SITE, 'post', 5).toHexString(),
      reason: 'OFF_TOPIC',
      at: new Date('2016-08-02T16:27:32Z'),
      before: { closed: false },
      after: { closed: true, reason: 'OFF_TOPIC' },
    });
    expect(closed.actorId?.equals(seObjectId(SITE, 'user', -1))).toBe(true);
    expect(closed.data).toMatchObject({
      imported: true,
      voterIds: [seObjectId(SITE, 'user', 9).toHexString()],
      voterNames: ['R. Murray', 'gone'],
    });
    expect(ctx.maps.moderation.get(5)).toMatchObject({ closedAt: new Date('2016-08-02T16:27:32Z'), closeVoters: [9, 77] });
    expect(ctx.maps.closeReasons.get(5)).toBe('OFF_TOPIC');

    const reopened = applyModerationRow(ctx, row(2, 11, 5, '2016-08-03T08:52:13Z', { UserId: -1 }), question)!;
    expect(reopened).toMatchObject({ action: 'question.reopened', before: { closed: true }, after: { closed: false } });
    expect(ctx.maps.moderation.get(5)).toMatchObject({ closedAt: null, closeVoters: [] });
    expect(ctx.maps.closeReasons.has(5)).toBe(false);
  });

  it('locks and unlocks with the reason, protects and unprotects; deletions are logged only', () => {
    const ctx = context();
    expect(applyModerationRow(ctx, row(3, 14, 5, '2017-01-01T00:00:00Z', { UserId: 8, Comment: 'edit war' }), question)).toMatchObject({
      action: 'post.locked',
      reason: 'edit war',
    });
    expect(ctx.maps.moderation.get(5)).toMatchObject({ lockedAt: new Date('2017-01-01T00:00:00Z'), lockedBy: 8, lockReason: 'edit war' });
    applyModerationRow(ctx, row(4, 19, 5, '2017-01-02T00:00:00Z', { UserId: 8 }), question);
    expect(ctx.maps.moderation.get(5)).toMatchObject({ protectedAt: new Date('2017-01-02T00:00:00Z'), protectedBy: 8 });
    applyModerationRow(ctx, row(5, 15, 5, '2017-01-03T00:00:00Z', { UserId: 8 }), question);
    applyModerationRow(ctx, row(6, 20, 5, '2017-01-04T00:00:00Z', { UserId: 8 }), question);
    expect(ctx.maps.moderation.get(5)).toMatchObject({ lockedAt: null, lockReason: null, protectedAt: null });

    const deleted = applyModerationRow(ctx, row(7, 12, 7, '2017-02-01T00:00:00Z', { UserId: 8, Comment: 'via Vote' }), answer)!;
    expect(deleted).toMatchObject({ action: 'answer.deleted', targetType: 'Answer', reason: 'via Vote', after: { deleted: true } });
    expect(ctx.maps.moderation.get(7)).toMatchObject({ closedAt: null, lockedAt: null, protectedAt: null });
    // an actor the dump does not hold is named in the entry's data
    const undeleted = applyModerationRow(ctx, row(8, 13, 7, '2017-02-02T00:00:00Z', { UserId: 1234, UserDisplayName: 'someone' }), answer)!;
    expect(undeleted).toMatchObject({ action: 'answer.undeleted', actorId: null, data: { actorName: 'someone' } });
    // questions only
    expect(applyModerationRow(ctx, row(9, 10, 7, '2017-02-03T00:00:00Z'), answer)).toBeNull();
    expect(applyModerationRow(ctx, row(10, 19, 7, '2017-02-03T00:00:00Z'), answer)).toBeNull();
  });

  it('gives audit entries deterministic ids in time order', () => {
    const early = seAuditId(SITE, 900, new Date('2016-08-02T00:00:00Z'));
    const late = seAuditId(SITE, 100, new Date('2020-01-01T00:00:00Z'));
    expect(early.toHexString()).toBe(seAuditId(SITE, 900, new Date('2016-08-02T00:00:00Z')).toHexString());
    expect(early.toHexString() < late.toHexString()).toBe(true);
    expect(early.getTimestamp()).toEqual(new Date('2016-08-02T00:00:00Z'));
    expect(seAuditId('ux.stackexchange.com', 900, new Date('2016-08-02T00:00:00Z')).equals(early)).toBe(false);
  });
});
