// PostHistory.xml → revisions (the Markdown source of every post), the moderation history
// (closed, reopened, deleted, undeleted, locked, unlocked, protected, unprotected: the post's
// state and audit-log entries, moderation-history.ts), and the bodies of tag wikis (for the Tags
// step).
//
// The rows of one edit share a RevisionGUID and become one revision: the post's state after the
// previous revision (revision-state.ts) with the edit's title, body and tag rows applied.
import type { PostHistoryRow } from '../se-dump.reader.js';
import { parseTags } from '../se-dump.reader.js';
import { clipText, seRevisionId } from '../se-mapping.js';
import type { InsertBatch } from '../../../infra/insert-batch.js';
import { cleanTags, EMPTY_BODY, type ImportContext, type StepStats, skip } from './context.js';
import type { PostInfo } from './import-maps.js';
import type { RevState } from './revision-state.js';
import { applyModerationRow, MODERATION_HISTORY_TYPES, type ImportedAuditEntry } from './moderation-history.js';

/** Why the other history types are left out (the summary's reasons). */
const NOT_IMPORTED: Record<number, string> = {
  16: 'community wiki (PostHistoryTypeId 16): not modelled',
  17: 'migration (PostHistoryTypeId 17): the post is imported where the dump has it',
  18: 'merge (PostHistoryTypeId 18): the merged posts are imported as the dump has them',
  22: 'unmerge (PostHistoryTypeId 22)',
  24: 'suggested edit applied (PostHistoryTypeId 24): the edit itself is imported as its revision',
  25: 'tweeted (PostHistoryTypeId 25)',
  31: 'comments moved to chat (PostHistoryTypeId 31)',
  33: 'post notice added (PostHistoryTypeId 33): notices are not modelled',
  34: 'post notice removed (PostHistoryTypeId 34): notices are not modelled',
  35: 'migrated away (PostHistoryTypeId 35)',
  36: 'migrated here (PostHistoryTypeId 36)',
  37: 'merge source (PostHistoryTypeId 37)',
  38: 'merge destination (PostHistoryTypeId 38)',
  50: 'bumped by Community (PostHistoryTypeId 50): only lastActivityAt, which Posts.xml has',
  52: 'hot network question (PostHistoryTypeId 52)',
  53: 'removed from hot network questions (PostHistoryTypeId 53)',
  66: 'created from the ask wizard (PostHistoryTypeId 66)',
};

/** adjacent history rows of one edit of one post */
interface Group {
  postId: number;
  guid: string;
  rows: PostHistoryRow[];
}

export async function postHistoryStep(ctx: ImportContext, write: boolean, stats: StepStats): Promise<void> {
  const { posts } = ctx.maps;
  const revisions = ctx.writer('revisions', write);
  const audit = ctx.writer('auditLog', write);
  let audited: ImportedAuditEntry[] = [];
  const flushAudit = async () => {
    const entries = audited;
    audited = [];
    await ctx.flush(audit, stats, 'audit entry');
    // listed in the audit log's Redis listings (idempotent), as recordAudit does
    if (entries.length) await ctx.store.listAuditEntries(entries);
  };
  const flushAll = async () => {
    await ctx.flush(revisions, stats, 'revision');
    await flushAudit();
  };
  const applyGroup = (g: Group) => applyEdit(ctx, g, write, revisions, flushAll);
  let group: Group | null = null;

  await ctx.read(
    'PostHistory',
    'PostHistory',
    async (row) => {
      stats.rows++;
      const postId = row.PostId;
      const type = row.PostHistoryTypeId ?? 0;
      const info = postId === undefined ? undefined : posts.get(postId);
      const wiki = !!info && (info.type === 4 || info.type === 5);
      if (postId === undefined || !info || (!wiki && !ctx.isImportedPost(postId))) {
        skip(stats, 'history of a post that is not imported');
        return;
      }
      if (MODERATION_HISTORY_TYPES.has(type) && !wiki) {
        const entry = applyModerationRow(ctx, row, info);
        if (!entry) {
          skip(stats, `history type ${type} on an answer (applies to questions only)`);
          return;
        }
        stats.imported++;
        ctx.counts.moderationHistory++;
        if (write) {
          audited.push(entry);
          if (audit.add(entry)) await flushAudit();
        }
        return;
      }
      if (type < 1 || type > 9) {
        skip(stats, NOT_IMPORTED[type] ?? `history type ${type} (not an edit of title, body or tags)`);
        return;
      }
      stats.imported++;
      const guid = row.RevisionGUID ?? `row-${row.Id}`;
      if (group && (group.postId !== postId || group.guid !== guid)) {
        const done: Group = group;
        group = null;
        await applyGroup(done);
      }
      group ??= { postId, guid, rows: [] };
      group.rows.push(row);
    },
    async () => {
      if (group) {
        const done: Group = group;
        group = null;
        await applyGroup(done);
      }
      await flushAll();
    },
  );
}

/** One edit: the revision it makes (or completes), or a tag wiki's new body. */
async function applyEdit(ctx: ImportContext, g: Group, write: boolean, revisions: InsertBatch, flushAll: () => Promise<void>) {
  const { posts, revTrack, wikiBodies, revisionStates } = ctx.maps;
  const info = posts.get(g.postId)!;
  if (info.type === 4 || info.type === 5) {
    for (const r of g.rows) {
      if ((r.PostHistoryTypeId === 2 || r.PostHistoryTypeId === 5 || r.PostHistoryTypeId === 8) && r.Text !== undefined)
        wikiBodies.set(g.postId, r.Text);
    }
    return;
  }
  const track = revTrack.get(g.postId);
  // rows of one edit that are not adjacent in the file amend the same revision
  const merge = !!track && track.guid === g.guid;
  const n = merge ? track.n : (track?.n ?? 0) + 1;
  revTrack.set(g.postId, { n, guid: g.guid });
  if (!merge) ctx.counts.revisions++;
  if (!write) return;
  const previous = track ? await revisionStates.stateOf(g.postId, track.n, revisions) : null;
  const isQuestion = info.type === 1;
  const state = stateAfter(ctx, g, info, n, merge, previous);
  revisionStates.remember(g.postId, state);
  const _id = seRevisionId(ctx.site, g.postId, n);
  const doc = {
    _id,
    postId: ctx.postOid(g.postId),
    number: n,
    authorId: state.authorId,
    authorName: state.authorName,
    title: isQuestion ? state.title : null,
    body: state.body.trim() ? state.body : EMPTY_BODY,
    tags: isQuestion ? state.tags : [],
    changed: state.changed,
    summary: state.summary,
    rollbackOf: null,
    importKey: `${ctx.site}:${g.guid}`,
    createdAt: state.at,
    updatedAt: state.at,
  };
  if (merge && !revisions.queued(_id)) {
    // already written (its first part): complete it — rare, so one update is fine
    const { _id: _, ...fields } = doc;
    await ctx.store.setRevisionFields(_id, fields);
    return;
  }
  if (revisions.add(doc)) await flushAll();
}

/**
 * The post's state after this edit: `previous` amended (`merge`: a later part of the edit that
 * made it) or a new revision `n` on top of it, with the edit's rows applied.
 */
function stateAfter(ctx: ImportContext, g: Group, info: PostInfo, n: number, merge: boolean, previous: RevState | null): RevState {
  const first = g.rows[0]!;
  const isQuestion = info.type === 1;
  const authorId = ctx.userOid(first.UserId);
  const state: RevState =
    merge && previous
      ? { ...previous, tags: [...previous.tags], changed: [...previous.changed] }
      : {
          n,
          title: previous?.title ?? null,
          body: previous?.body ?? '',
          tags: previous ? [...previous.tags] : [],
          changed: [],
          authorId,
          authorName: authorId ? null : (first.UserDisplayName ?? (first.UserId !== undefined ? `user${first.UserId}` : 'anonymous')),
          summary: '',
          at: first.CreationDate ?? info.created ?? new Date(),
        };
  const change = (field: string) => {
    if (!state.changed.includes(field)) state.changed.push(field);
  };
  for (const r of g.rows) {
    const text = r.Text;
    switch (r.PostHistoryTypeId) {
      case 1:
      case 4:
      case 7:
        if (isQuestion && text !== undefined) {
          state.title = text;
          change('title');
        }
        break;
      case 2:
      case 5:
      case 8:
        if (text !== undefined) {
          state.body = text;
          change('body');
        }
        break;
      case 3:
      case 6:
      case 9:
        if (isQuestion && text !== undefined) {
          state.tags = cleanTags(parseTags(text) ?? []);
          change('tags');
        }
        break;
    }
    if (!state.summary && r.Comment && (r.PostHistoryTypeId ?? 0) > 3) state.summary = clipText(r.Comment, 500);
  }
  const order = ['title', 'body', 'tags'];
  state.changed.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return state;
}
