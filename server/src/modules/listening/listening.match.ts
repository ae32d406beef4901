// Whether a post matches a listening watch's query (pure): the search box's syntax
// (lib/search-query.ts) evaluated on one post — words and "phrases" in its title and body, [tags]
// and -[tags] of its question, is:, user:, space:, score:.
import { markdownToPlainText, searchTokens } from '../../lib/plain-text.js';
import type { ParsedSearchQuery } from '../../lib/search-query.js';

export interface PostForMatch {
  type: 'question' | 'answer';
  title: string | null;
  body: string;
  /** the question's tags (an answer's question's) */
  tags: readonly string[];
  authorHandle: string | null;
  spaceSlug: string | null;
  score: number;
}

/** Tokens of a phrase must appear next to each other, in order. */
function containsRun(haystack: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return true;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

export function matchesWatch(query: ParsedSearchQuery, post: PostForMatch): boolean {
  const tokens = searchTokens(`${post.title ?? ''} ${markdownToPlainText(post.body)}`);
  const words = new Set(tokens);
  if (!query.terms.every((t) => searchTokens(t).every((w) => words.has(w)))) return false;
  if (!query.phrases.every((p) => containsRun(tokens, searchTokens(p)))) return false;
  const tags = new Set(post.tags.map((t) => t.toLowerCase()));
  if (!query.tags.every((t) => tags.has(t))) return false;
  if (query.excludedTags.some((t) => tags.has(t))) return false;
  if (query.type && query.type !== post.type) return false;
  if (query.users.length && !query.users.some((u) => u.toLowerCase() === post.authorHandle?.toLowerCase())) return false;
  if (query.spaces.length && !query.spaces.some((s) => s.toLowerCase() === post.spaceSlug?.toLowerCase())) return false;
  if (query.minScore !== undefined && post.score < query.minScore) return false;
  const hasCriteria = query.terms.length + query.phrases.length + query.tags.length + query.users.length + query.spaces.length > 0;
  return hasCriteria;
}
