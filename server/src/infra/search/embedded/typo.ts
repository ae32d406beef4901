// Typo tolerance: the distance between two words, how many typos a query word may carry, and the
// deletion neighbourhood that finds a word's near neighbours in the vocabulary with a few indexed
// key lookups (see `vocab_del` in schema.ts and IndexVocabulary in vocabulary.ts).

/** Restricted Damerau–Levenshtein (optimal string alignment) distance, giving up above `max`. */
export function typoDistance(a: string, b: string, max: number): number {
  const s = Array.from(a);
  const t = Array.from(b);
  const n = s.length;
  const m = t.length;
  if (Math.abs(n - m) > max) return max + 1;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

/** Only a word's first characters take part in its deletion neighbourhood (bounds its size). */
const TYPO_PREFIX = 6;

/**
 * The deletion neighbourhood of a word's prefix: every string obtained by deleting up to
 * `maxDeletes` characters from its first TYPO_PREFIX characters. Two words within
 * Damerau–Levenshtein distance d share a key when each side may delete d characters (the
 * symmetric-delete method; truncating both to the same prefix length keeps that true), so typo
 * candidates come from a few indexed key lookups instead of a vocabulary scan. The real distance
 * is then checked on the candidates.
 */
export function deletionKeys(word: string, maxDeletes: number): string[] {
  const prefix = Array.from(word).slice(0, TYPO_PREFIX);
  const seen = new Set<string>([prefix.join('')]);
  let frontier = [prefix];
  for (let d = 0; d < maxDeletes; d++) {
    const next: string[][] = [];
    for (const chars of frontier) {
      if (chars.length <= 1) continue;
      for (let i = 0; i < chars.length; i++) {
        const del = chars.slice(0, i).concat(chars.slice(i + 1));
        const key = del.join('');
        if (!seen.has(key)) {
          seen.add(key);
          next.push(del);
        }
      }
    }
    frontier = next;
  }
  return [...seen];
}

/** Typos a query word may carry: none below 5 letters, 1 from 5 letters, 2 from 8. */
export function allowedTypos(word: string): number {
  if (!/^\p{L}[\p{L}\p{N}]*$/u.test(word)) return 0;
  const len = Array.from(word).length;
  return len >= 8 ? 2 : len >= 5 ? 1 : 0;
}

/** Words the vocabulary keeps for typo correction: 4–40 letters/digits starting with a letter. */
export const VOCAB_WORD = /^\p{L}[\p{L}\p{N}]{3,39}$/u;
