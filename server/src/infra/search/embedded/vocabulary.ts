// What the query compiler asks the index about words (query-compiler.ts, the Vocabulary
// interface), answered from the live set: the typo vocabulary (vocab, vocab_del), fts5vocab and
// one-row FTS5 probes.

import type { Vocabulary } from './query-compiler.js';
import type { EmbeddedStore } from './store.js';
import { ftsString } from './tokens.js';
import { deletionKeys, typoDistance } from './typo.js';

/** a query word stands for at most this many typo alternatives */
export const MAX_TYPO_EXPANSIONS = 6;

export class IndexVocabulary implements Vocabulary {
  constructor(private readonly store: EmbeddedStore) {}

  /** Is the word in the live full-text index? (a one-row probe, cheap even for common words) */
  private inIndex(word: string): boolean {
    return this.store.stmt<[string]>(`SELECT rowid FROM fts WHERE fts MATCH ? LIMIT 1`).get(ftsString(word)) !== undefined;
  }

  /** Vocabulary words within the allowed typo distance of `word`, most frequent first. */
  typoCandidates(word: string, maxTypos: number): string[] {
    const len = Array.from(word).length;
    const keys = deletionKeys(word, maxTypos);
    const rows = this.store
      .stmt<[string, number, number], { term: string }>(
        `SELECT DISTINCT v.term FROM vocab_del k JOIN vocab v ON v.id = k.term_id
       WHERE k.key IN (SELECT value FROM json_each(?)) AND v.len BETWEEN ? AND ?`,
      )
      .all(JSON.stringify(keys), len - maxTypos, len + maxTypos);
    const close: Array<{ term: string; distance: number; docs: number }> = [];
    for (const { term } of rows) {
      if (term === word) continue;
      const distance = typoDistance(word, term, maxTypos);
      if (distance <= maxTypos) close.push({ term, distance, docs: 0 });
    }
    if (close.length > MAX_TYPO_EXPANSIONS) {
      // keep the closest, most common words (fts5vocab knows in how many documents each one is)
      const df = this.store.stmt<[string], { doc: number }>(`SELECT doc FROM fts_vocab WHERE term = ?`);
      for (const c of close) c.docs = df.get(c.term)?.doc ?? 0;
    }
    close.sort((a, b) => a.distance - b.distance || b.docs - a.docs || (a.term < b.term ? -1 : 1));
    // the vocabulary may keep words of deleted documents: only words the index still holds count
    const out: string[] = [];
    for (const c of close) {
      if (out.length >= MAX_TYPO_EXPANSIONS) break;
      if (c.docs > 0 || this.inIndex(c.term)) out.push(c.term);
    }
    return out;
  }

  /** Is `word` a known word? Our vocabulary first (indexed, cheap); fts5vocab settles the rest. */
  knownWord(word: string): boolean {
    if (this.store.stmt<[string]>(`SELECT 1 FROM vocab WHERE term = ?`).get(word) !== undefined) return this.inIndex(word);
    return (this.store.stmt<[string], { doc: number }>(`SELECT doc FROM fts_vocab WHERE term = ?`).get(word)?.doc ?? 0) > 0;
  }

  /**
   * The index words a prefix stands for, from our vocabulary (a range scan of its unique index),
   * or null to let FTS5 expand `prefix*` itself. FTS5 materialises the merged doclist of a prefix
   * query in full on every evaluation, which is slow for common words and defeats rowid seeks;
   * an OR of a few exact words is evaluated lazily. Only used when the vocabulary is known to
   * hold every such word: prefixes of 4+ letters/digits starting with a letter.
   */
  prefixWords(prefix: string): string[] | null {
    if (!/^\p{L}[\p{L}\p{N}]{3,38}$/u.test(prefix)) return null;
    const rows = this.store
      .stmt<[string, string], { term: string }>(`SELECT term FROM vocab WHERE term >= ? AND term < ? ORDER BY term LIMIT 25`)
      .all(prefix, `${prefix}\u{10FFFF}`);
    if (rows.length === 0 || rows.length > 24) return null;
    const words = rows.map((r) => r.term);
    // the vocabulary keeps words of deleted documents; FTS5 ignores words it does not hold
    return words.includes(prefix) ? words : [prefix, ...words];
  }
}
