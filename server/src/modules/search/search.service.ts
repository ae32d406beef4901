// search(query): parses the query language, resolves handles and spaces, asks the search port,
// and hides anything the viewer may not see (deleted posts never appear).
import type { Context } from '../../context.js';
import type { SearchQuery, SearchResultPage, SearchSort } from '../../infra/search/search.port.js';
import { noteReads } from '../../graphql/request-scoped.js';
import { ValidationError } from '../../lib/errors.js';
import { parseSearchQuery, type ParsedSearchQuery } from '../../lib/search-query.js';
import type { PostDoc } from '../post/post.model.js';
import { visiblePosts } from '../post/post.visibility.js';
import { reposOf, servicesOf } from '../services.js';
import { userIdsByHandles } from '../user/user.handles.js';

export const MAX_SEARCH_OFFSET = 1000;

export interface SearchRequest {
  query: string;
  first: number;
  offset: number;
  sort: SearchSort;
  type?: 'question' | 'answer';
}

const NO_MATCH = '000000000000000000000000';

export async function search(ctx: Context, req: SearchRequest): Promise<{ parsed: ParsedSearchQuery; page: SearchResultPage }> {
  noteReads(ctx, ['search', 'list:users', 'list:spaces']);
  if (req.first < 1 || req.first > 100) throw new ValidationError('must be between 1 and 100', 'first');
  if (req.offset > MAX_SEARCH_OFFSET)
    throw new ValidationError(`search results are available up to position ${MAX_SEARCH_OFFSET}; refine the query`, 'after');
  const parsed = parseSearchQuery(req.query);
  let authorIds: string[] | undefined;
  if (parsed.users.length) {
    const handles = parsed.users.filter((u) => u !== 'me').map((u) => u.toLowerCase());
    authorIds = [];
    if (parsed.users.includes('me')) {
      if (!ctx.viewer) throw new ValidationError('user:me needs you to sign in', 'query');
      authorIds.push(ctx.viewer.id);
    }
    if (handles.length) {
      const users = await userIdsByHandles(ctx.deps, handles);
      authorIds.push(...[...users.values()].map((id) => id.toHexString()));
    }
    if (authorIds.length === 0) authorIds = [NO_MATCH];
  }
  const query: SearchQuery = {
    terms: parsed.terms,
    phrases: parsed.phrases,
    tags: parsed.tags,
    excludedTags: parsed.excludedTags,
    authorIds,
    type: req.type ?? parsed.type,
    minScore: parsed.minScore,
    answers: parsed.answers,
    isAccepted: parsed.isAccepted,
    hasAccepted: parsed.hasAccepted,
    isClosed: parsed.isClosed,
    spaces: parsed.spaces.length ? parsed.spaces : undefined,
    createdFrom: parsed.createdFrom,
    createdTo: parsed.createdTo,
    sort: req.sort,
    limit: req.first,
    offset: req.offset,
    facets: true,
  };
  const page = await servicesOf(ctx).search.query(query);
  return { parsed, page };
}

/**
 * The posts of search hits as anyone may see them (null where hidden): deleted content (and
 * answers of deleted questions) never appears, even for its author or a moderator, and even if
 * the index lags behind.
 */
export async function publicPostsOf(ctx: Pick<Context, 'deps'>, ids: readonly string[]): Promise<Array<PostDoc | null>> {
  const posts = reposOf(ctx).posts;
  return visiblePosts(posts, null, await posts.findPostsByIds(ids));
}

/** The likeliest duplicates of a title being typed: ids of live questions. */
export async function similarQuestions(ctx: Context, title: string, limit: number): Promise<string[]> {
  const trimmed = title.trim();
  if (trimmed.length < 8) return [];
  if (trimmed.length > 300) throw new ValidationError('must be at most 300 characters', 'title');
  const hits = await servicesOf(ctx).search.similar(trimmed, limit);
  const posts = await reposOf(ctx).posts.findPostsByIds(hits.map((h) => h.questionId));
  return posts.filter((p) => p && !p.deletedAt && p.type === 'question').map((p) => p!._id.toHexString());
}
