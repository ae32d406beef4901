// Posts.xml → questions and answers (complete documents: counters, links, child lists, the
// Markdown source of the latest revision); revision 1 of posts without history; tag wiki texts
// and tag counts for the Tags step.
//
// SCORES: posts.score = the dump's Score; scoreBase = Score − Σ(materialised vote values), so
// score == scoreBase + Σ votes holds for every imported post. Only up/down votes whose voter
// the dump names become vote documents (votes.step.ts); anonymous ones stay in scoreBase.
// upVotes/downVotes are the dump's up/down tallies where scoreBase ≠ 0; where scoreBase = 0
// (nothing unbacked) they count the vote documents, as `npm run verify` expects.
import { renderMarkdown } from '../../../lib/markdown.js';
import type { PostRow } from '../se-dump.reader.js';
import { htmlToMarkdown, licenseFor, seObjectId, seRevisionId } from '../se-mapping.js';
import { cleanTags, EMPTY_BODY, type ImportContext, type StepStats, skip } from './context.js';
import { emptyTally, type PostInfo } from './import-maps.js';
import type { RevState } from './revision-state.js';

export async function postsStep(ctx: ImportContext, write: boolean, stats: StepStats): Promise<void> {
  const { posts: infos, revTrack, revisionStates, tagCounts, wikiTexts, wikiBodies } = ctx.maps;
  const posts = ctx.writer('posts', write);
  const revisions = ctx.writer('revisions', write);
  const now = new Date();
  const flushAll = async () => {
    // revisions before their posts: a post never exists without its history
    await ctx.flush(revisions, stats, 'revision');
    await ctx.flush(posts, stats, 'post');
  };
  // rows are handled a batch at a time: the Markdown of the posts whose latest revision is no
  // longer cached is read back in one query per batch
  let chunk: PostRow[] = [];
  const handleChunk = async () => {
    const rows = chunk;
    chunk = [];
    const states = await revisionStates.latestStates(
      rows.map((r) => r.Id).filter((id) => ctx.isImportedPost(id)),
      revTrack,
    );
    for (const row of rows) await handleRow(row, states.get(row.Id) ?? null);
  };
  const handleRow = async (row: PostRow, state: RevState | null) => {
    const info = infos.get(row.Id)!;
    if (info.type === 4 || info.type === 5) {
      wikiTexts.set(row.Id, wikiBodies.get(row.Id) ?? htmlToMarkdown(row.Body ?? ''));
      ctx.counts.tagWikis++;
      skip(stats, 'tag wiki (written by the Tags step)');
      return;
    }
    if (!ctx.isImportedPost(row.Id)) {
      skip(stats, whyNotImported(info));
      return;
    }
    stats.imported++;
    const isQuestion = info.type === 1;
    const postTags = isQuestion ? (state ? state.tags : cleanTags(row.Tags)) : [];
    for (const tag of postTags) tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
    if (!write) return;
    const post = postDocument(ctx, row, info, state, postTags, now);
    // no history in the dump: revision 1 is the post as the dump shows it
    if (!state) revisions.add(firstRevision(ctx, row, post));
    if (posts.add(post)) await flushAll();
  };
  await ctx.read(
    'Posts',
    'Posts',
    async (row) => {
      stats.rows++;
      chunk.push(row);
      if (chunk.length >= ctx.batchSize) await handleChunk();
    },
    async () => {
      if (chunk.length > 0) await handleChunk();
      await flushAll();
    },
  );
}

const POST_TYPES: Record<number, string> = {
  3: 'orphaned tag wiki',
  6: 'moderator nomination',
  7: 'wiki placeholder',
  8: 'privilege wiki',
  9: 'collective article',
};

/** The summary's reason for a post that is not imported. */
function whyNotImported(info: PostInfo): string {
  if (info.deleted) return 'deleted post (DeletionDate set)';
  if (info.type === 2) return 'answer whose question is not imported';
  return `post type ${info.type} (${POST_TYPES[info.type] ?? 'unknown'}): only questions, answers and tag wikis are imported`;
}

/** A question or answer, complete, from its row, its index entry and its latest revision. */
function postDocument(ctx: ImportContext, row: PostRow, info: PostInfo, state: RevState | null, postTags: string[], now: Date) {
  const { revTrack, tallies, duplicateOf, closeReasons, related, commentCounts, commentIdsOf, answerIdsOf, acceptedAt, moderation } =
    ctx.maps;
  const isQuestion = info.type === 1;
  const _id = ctx.postOid(row.Id);
  const title = isQuestion ? (state?.title ?? row.Title ?? '') : null;
  const source = state?.body ?? htmlToMarkdown(row.Body ?? '');
  const body = source.trim() ? source : EMPTY_BODY;
  const createdAt = row.CreationDate ?? now;
  const tally = tallies.get(row.Id) ?? emptyTally();
  const score = row.Score ?? 0;
  const accepted = isQuestion ? info.accepted : 0;
  const duplicate = isQuestion ? duplicateOf.get(row.Id) : undefined;
  // closure, lock and protection as PostHistory left them (moderation-history.ts)
  const mod = moderation.get(row.Id);
  const closedAt = isQuestion ? (row.ClosedDate ?? mod?.closedAt ?? null) : null;
  const closed = closedAt !== null;
  const importedUser = (seId: number | undefined) => ctx.userOid(seId) ?? null;
  return {
    _id,
    type: isQuestion ? 'question' : 'answer',
    spaceId: ctx.spaceId,
    questionId: isQuestion ? _id : ctx.postOid(info.parent),
    authorId: ctx.userOid(row.OwnerUserId) ?? ctx.placeholderId,
    title,
    tags: postTags,
    body,
    bodyHTML: renderMarkdown(body),
    score,
    scoreBase: score - tally.named,
    // the dump's up/down split, except where no score is left unbacked by vote documents:
    // there upVotes/downVotes count the vote documents (what verify recomputes)
    upVotes: score - tally.named !== 0 ? tally.up : tally.namedUp,
    downVotes: score - tally.named !== 0 ? tally.down : tally.namedDown,
    answerCount: isQuestion ? info.answers : 0,
    commentCount: commentCounts.get(row.Id) ?? 0,
    commentIds: (commentIdsOf.get(row.Id) ?? []).map((id) => seObjectId(ctx.site, 'comment', id)),
    ...(isQuestion ? { answerIds: (answerIdsOf.get(row.Id) ?? []).map((id) => ctx.postOid(id)) } : {}),
    viewCount: row.ViewCount ?? 0,
    isAnswered: isQuestion && (accepted !== 0 || info.positive),
    acceptedAnswerId: accepted ? ctx.postOid(accepted) : null,
    acceptedAt: accepted ? (acceptedAt.get(accepted) ?? null) : null,
    // generation 0: an imported acceptance has no ledger events (the opening balance holds it)
    acceptGen: 0,
    closedAt,
    closeReason: closed ? (duplicate !== undefined ? 'DUPLICATE' : (closeReasons.get(row.Id) ?? 'OTHER')) : null,
    closedById: closed ? importedUser(mod?.closedBy) : null,
    closedByVoterIds: closed ? (mod?.closeVoters ?? []).flatMap((id) => importedUser(id) ?? []) : [],
    lockedAt: mod?.lockedAt ?? null,
    lockedUntil: null,
    lockedById: mod?.lockedAt ? importedUser(mod.lockedBy) : null,
    lockReason: mod?.lockedAt ? mod.lockReason : null,
    protectedAt: isQuestion ? (mod?.protectedAt ?? null) : null,
    protectedById: isQuestion && mod?.protectedAt ? importedUser(mod.protectedBy) : null,
    duplicateOfId: duplicate !== undefined ? ctx.postOid(duplicate) : null,
    relatedIds: (isQuestion ? (related.get(row.Id) ?? []) : []).map((id) => ctx.postOid(id)),
    deletedAt: null,
    lastActivityAt: row.LastActivityDate ?? createdAt,
    lastEditedAt: row.LastEditDate ?? null,
    lastEditorId: row.LastEditDate ? ctx.userOid(row.LastEditorUserId) : null,
    revisionCount: revTrack.get(row.Id)?.n ?? 1,
    version: 1,
    attribution: ctx.attribution(
      String(row.Id),
      `https://${ctx.site}/${isQuestion ? 'q' : 'a'}/${row.Id}`,
      row.OwnerUserId,
      row.OwnerDisplayName ?? (row.OwnerUserId !== undefined ? `user${row.OwnerUserId}` : undefined),
      licenseFor(row.ContentLicense, row.CreationDate),
    ),
    createdAt,
    updatedAt: row.LastEditDate ?? createdAt,
  };
}

/** Revision 1 of a post without history: the post as the dump shows it. */
function firstRevision(ctx: ImportContext, row: PostRow, post: ReturnType<typeof postDocument>) {
  const isQuestion = post.type === 'question';
  return {
    _id: seRevisionId(ctx.site, row.Id, 1),
    postId: post._id,
    number: 1,
    authorId: post.authorId,
    authorName: null,
    title: post.title,
    body: post.body,
    tags: post.tags,
    changed: isQuestion ? ['title', 'body', 'tags'] : ['body'],
    summary: '',
    rollbackOf: null,
    importKey: `${ctx.site}:post-${row.Id}`,
    createdAt: post.createdAt,
    updatedAt: post.createdAt,
  };
}
