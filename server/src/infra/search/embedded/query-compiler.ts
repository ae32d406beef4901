// The query compiler: a query's text becomes FTS5 MATCH expressions (typo and prefix
// alternatives included): words on `fts`, phrases of two or more words on `fts_pairs` (the
// matches of both are intersected). User input never reaches FTS5 as syntax: every word and
// phrase is an FTS5 string (see ftsString). Pure given a Vocabulary (vocabulary.ts answers from
// the index; tests can answer from a list).

import { normalizeTagNames } from '../../../lib/tag-name.js';
import { searchTokens as tokenize } from '../../../lib/plain-text.js';
import type { SearchQuery } from '../search.port.js';
import { BM25_TITLE_WEIGHTS, BM25_WEIGHTS } from './schema.js';
import { clean, ftsString, pairPhrase } from './tokens.js';
import { allowedTypos } from './typo.js';

export const MAX_TERMS = 16;
export const MAX_PHRASES = 8;

/** What the compiler asks the index about words. */
export interface Vocabulary {
  /** the index words a prefix stands for, or null to let FTS5 expand `prefix*` itself */
  prefixWords(prefix: string): string[] | null;
  /** is the word in the index (no typo alternatives then) */
  knownWord(word: string): boolean;
  /** index words within `maxTypos` of the word, best first */
  typoCandidates(word: string, maxTypos: number): string[];
}

export interface TextQuery {
  /** the full MATCH expression in `fts` syntax: phrases and terms (for highlights) */
  expr: string;
  /** parts matched on `fts`: each one term's alternatives (with prefix and typo alternatives) or a one-word phrase */
  termParts: string[];
  /** parts matched on `fts_pairs`: phrases of two or more words, as word pairs */
  pairParts: string[];
}

/**
 * One table's share of a text query. A query with phrases and words has two sides (fts_pairs and
 * fts): a document matches when it matches both.
 */
export interface Side {
  table: 'fts' | 'fts_pairs';
  expr: string;
  weights: string;
  /** the table and expression matching the side in title and tags only (relevance tiers) */
  titleTable: 'fts_title' | 'fts_title_pairs';
  titleExpr: string;
  titleWeights: string;
  /** the number of parts ANDed (the title tier of a single broad part is often huge) */
  parts: number;
}

/** One term's alternatives: the word (or its prefix expansion) and its typo corrections. */
function termPart(term: string, isLast: boolean, vocab: Vocabulary): string {
  const tokens = tokenize(term);
  const alternatives: string[] = [];
  // prefix on the last term (not for a single character: that would match half the index)
  const prefix = isLast && (tokens.length > 1 || Array.from(tokens[0]!).length >= 2);
  const expanded = prefix && tokens.length === 1 ? vocab.prefixWords(tokens[0]!) : null;
  if (expanded) alternatives.push(...expanded.map(ftsString));
  else alternatives.push(prefix ? `${ftsString(term)}*` : ftsString(term));
  if (tokens.length === 1) {
    const word = tokens[0]!;
    const typos = allowedTypos(word);
    if (typos > 0 && !vocab.knownWord(word)) {
      for (const candidate of vocab.typoCandidates(word, typos)) alternatives.push(ftsString(candidate));
    }
  }
  return alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' OR ')})`;
}

/**
 * The FTS5 MATCH expressions for the query's text, or null when it has no text to match.
 * `exactTokens` gives the tokens FTS5 indexes for each text (phrases become word pairs of them).
 */
export function compileTextQuery(
  q: Pick<SearchQuery, 'terms' | 'phrases'>,
  vocab: Vocabulary,
  exactTokens: (texts: readonly string[]) => string[][],
): TextQuery | null {
  const parts: string[] = [];
  const termParts: string[] = [];
  const pairParts: string[] = [];
  for (const phrase of q.phrases.slice(0, MAX_PHRASES)) {
    if (tokenize(phrase).length === 0) continue;
    parts.push(ftsString(phrase));
    const pairs = pairPhrase(exactTokens([clean(phrase)])[0]!);
    if (pairs) pairParts.push(pairs);
    else termParts.push(ftsString(phrase));
  }
  const terms = q.terms.filter((t) => tokenize(t).length > 0).slice(0, MAX_TERMS);
  terms.forEach((term, i) => {
    const part = termPart(term, i === terms.length - 1, vocab);
    parts.push(part);
    termParts.push(part);
  });
  return parts.length > 0 ? { expr: parts.join(' AND '), termParts, pairParts } : null;
}

/**
 * For relevance, required tags also narrow the words' full-text match (so that exact bm25
 * stays affordable; the cache then checks the tags exactly). Other orders only need
 * membership, which the cache checks more cheaply than FTS5 would (a tag is often a common
 * word too).
 */
export function relevanceTagParts(q: Pick<SearchQuery, 'sort' | 'tags'>, text: TextQuery): string[] {
  return (q.sort === 'relevance' && text.termParts.length > 0 ? normalizeTagNames(q.tags) : [])
    .filter((t) => tokenize(t).length > 0)
    .map((t) => `{tags} : ${ftsString(t)}`);
}

/**
 * The sides of a text query, the (usually) more selective pairs first. For relevance, required
 * tags also narrow the words' match (`tagParts`, so that exact bm25 stays affordable; the cache
 * then checks the tags exactly).
 */
export function sidesOf(text: TextQuery, tagParts: string[]): Side[] {
  const sides: Side[] = [];
  if (text.pairParts.length > 0) {
    const expr = text.pairParts.join(' AND ');
    sides.push({
      table: 'fts_pairs',
      expr,
      weights: BM25_WEIGHTS,
      titleTable: 'fts_title_pairs',
      titleExpr: expr,
      titleWeights: BM25_TITLE_WEIGHTS,
      parts: text.pairParts.length,
    });
  }
  if (text.termParts.length > 0) {
    sides.push({
      table: 'fts',
      expr: [...text.termParts, ...tagParts].join(' AND '),
      weights: BM25_WEIGHTS,
      titleTable: 'fts_title',
      titleExpr: text.termParts.join(' AND '),
      titleWeights: BM25_TITLE_WEIGHTS,
      parts: text.termParts.length,
    });
  }
  return sides;
}
