// Facet counts over matches, from the attribute cache (no SQLite reads).

import type { FacetCount, SearchResultPage } from '../search.port.js';
import { F_ANSWER, F_ANSWERED, F_CLOSED, F_HAS_ACCEPTED, type AttributeCache } from './attributes.js';

export type Facets = SearchResultPage['facets'];

export const NO_FACETS: Facets = { tags: [], space: [], type: [], status: [] };

/** the n values counted most often (ties by value), none counted zero times */
export function topCounts(counts: Int32Array, labels: string[], n: number): FacetCount[] {
  // only values counted at least as often as the n-th most frequent one can make the list
  // (thousands of tags: no object and no string comparison for each of them)
  let min = 1;
  const nonZero = counts.filter((c) => c > 0);
  if (nonZero.length > n) min = nonZero.sort()[nonZero.length - n]!;
  const out: FacetCount[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]! >= min) out.push({ value: labels[i]!, count: counts[i]! });
  return out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)).slice(0, n);
}

const byCount = (list: FacetCount[]) => list.filter((f) => f.count > 0).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));

export function facetCounts(s: AttributeCache, matches: ArrayLike<number>): Facets {
  const tagCounts = new Int32Array(s.tagNames.names.length);
  const spaceCounts = new Int32Array(s.spaces.names.length);
  let answers = 0;
  let answered = 0;
  let accepted = 0;
  let closedCount = 0;
  for (let i = 0; i < matches.length; i++) {
    const rid = matches[i]!;
    const f = s.flags[rid]!;
    if (f & F_ANSWER) answers++;
    if (f & F_ANSWERED) answered++;
    if (f & F_HAS_ACCEPTED) accepted++;
    if (f & F_CLOSED) closedCount++;
    spaceCounts[s.space[rid]!]!++;
    for (const t of s.tagsOf(rid)) tagCounts[t]!++;
  }
  const total = matches.length;
  return {
    tags: topCounts(tagCounts, s.tagNames.names, 20),
    space: topCounts(spaceCounts, s.spaces.names, 20),
    type: byCount([
      { value: 'question', count: total - answers },
      { value: 'answer', count: answers },
    ]),
    status: byCount([
      { value: 'answered', count: answered },
      { value: 'unanswered', count: total - answered },
      { value: 'accepted', count: accepted },
      { value: 'closed', count: closedCount },
    ]),
  };
}

/** Facets counted on a sample covering `fraction` of the index, scaled to estimates (at least 1). */
export function scaleFacets(sampled: Facets, fraction: number): Facets {
  const scale = (list: FacetCount[]) => list.map((f) => ({ value: f.value, count: Math.max(1, Math.round(f.count / fraction)) }));
  return { tags: scale(sampled.tags), space: scale(sampled.space), type: scale(sampled.type), status: scale(sampled.status) };
}
