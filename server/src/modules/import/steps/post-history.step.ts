// PostHistory.xml → revisions (the Markdown source of every post), close reasons, and the
// bodies of tag wikis (for the Tags step).
//
// The rows of one edit share a RevisionGUID and become one revision: the post's state after the
// previous revision (revision-state.ts) with the edit's title, body and tag rows applied.
import type { PostHistoryRow } from '../se-dump.reader.js';
import { parseTags } from '../se-dump.reader.js';
import { clipText, closeReasonFromHistory, seRevisionId } from '../se-mapping.js';
import type { InsertBatch } from '../../../infra/insert-batch.js';
import { cleanTags, EMPTY_BODY, type ImportContext, type StepStats, skip } from './context.js';
import type { PostInfo } from './import-maps.js';
import type { RevState } from './revision-state.js';

/** adjacent history rows of one edit of one post */
interface Group {
  postId: number;
  guid: string;
  rows: PostHistoryRow[];
}

export async function postHistoryStep(ctx: ImportContext, write: boolean, stats: StepStats): Promise<void> {
  const { posts, closeReasons } = ctx.maps;
  const revisions = ctx.writer('revisions', write);
  const flushAll = async () => void (await ctx.flush(revisions, stats, 'revision'));
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
      if ((type === 10 || type === 11) && !wiki) {
        if (type === 10) closeReasons.set(postId, closeReasonFromHistory(row.Comment));
        else closeReasons.delete(postId);
        stats.imported++;
        return;
      }
      if (type < 1 || type > 9) {
        skip(stats, `history type ${type} (not an edit of title, body or tags)`);
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
