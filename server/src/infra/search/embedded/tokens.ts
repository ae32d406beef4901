// Text normalisation and exact tokens. Word pairs (fts_pairs, see schema.ts) must be made of the
// very tokens FTS5 indexes, so the tokens are computed here exactly as TOKENIZER computes them:
// ASCII texts are split in JavaScript (exact, see asciiTokens), the others by FTS5 itself.

/** the index tokenizer: letters and digits, folded (case and diacritics), plus the tokenchars `+#` */
export const TOKENIZER = `unicode61 remove_diacritics 2 tokenchars '+#'`;
/**
 * fts_pairs holds word pairs `a_b` made of TOKENIZER's tokens (which never contain `_`), already
 * folded: the ascii tokenizer keeps each pair whole and changes nothing else.
 */
export const PAIRS_TOKENIZER = `ascii tokenchars '_+#'`;
/**
 * Words longer than this take no part in pairs (their pair is PAIR_GAP, which keeps positions
 * aligned); a phrase holding one is matched on `fts` (such a word is rare, so that is cheap).
 */
export const PAIR_WORD_MAX = 100;
export const PAIR_GAP = '_';
/** highlight markers: control characters stripped from every indexed text, so only FTS5 emits them */
export const OPEN = '\u0001';
export const CLOSE = '\u0002';

/** Removes the highlight markers (and other C0 controls except tab/newline) from indexed text. */
export function clean(text: string, max = Number.POSITIVE_INFINITY): string {
  // eslint-disable-next-line no-control-regex
  const out = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ' ');
  return out.length > max ? out.slice(0, max) : out;
}

/** An FTS5 string: tokenized by FTS5 itself, so `node.js` becomes the phrase `node js`. */
export function ftsString(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\u0000-\u007f]*$/;
const ASCII_SEPARATORS = /[^a-z0-9+#]+/;

/**
 * TOKENIZER's tokens of an ASCII text. On ASCII, unicode61 keeps runs of letters, digits and the
 * tokenchars `+#`, lower-cased (diacritics do not occur), so this is exact; other texts are
 * tokenized by FTS5 itself (see `exactTokens`).
 */
export function asciiTokens(text: string): string[] {
  const parts = text.toLowerCase().split(ASCII_SEPARATORS);
  let n = 0;
  for (const part of parts) if (part.length > 0) parts[n++] = part;
  parts.length = n;
  return parts;
}

export function isAscii(text: string): boolean {
  return ASCII_ONLY.test(text);
}

/**
 * FTS5's own tokens (TOKENIZER) of each text, by position (see ScratchDb.tokenize). A position
 * FTS5 emitted no token for is left empty.
 */
export type Fts5Tokenizer = (texts: readonly string[]) => string[][];

/**
 * The tokens FTS5 indexes for each text (TOKENIZER), in order. ASCII texts are split here (exact,
 * see asciiTokens); the others are tokenized by FTS5 itself through `fts5`.
 */
export function exactTokens(texts: readonly string[], fts5: Fts5Tokenizer): string[][] {
  const out: string[][] = new Array<string[]>(texts.length);
  let others: number[] | null = null;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    if (isAscii(text)) out[i] = asciiTokens(text);
    else (others ??= []).push(i);
  }
  if (others) {
    const tokenized = fts5(others.map((i) => texts[i]!));
    others.forEach((i, k) => {
      const tokens = tokenized[k] ?? [];
      // positions are dense (unicode61 emits one token per position); never leave a hole anyway
      for (let p = 0; p < tokens.length; p++) tokens[p] ??= PAIR_GAP;
      out[i] = tokens;
    });
  }
  return out;
}

/** The fts_pairs text of one column's tokens: each adjacent pair as one token `a_b`. */
export function pairText(tokens: readonly string[]): string {
  if (tokens.length < 2) return '';
  let out = '';
  for (let i = 1; i < tokens.length; i++) {
    const a = tokens[i - 1]!;
    const b = tokens[i]!;
    if (i > 1) out += ' ';
    out += a.length > PAIR_WORD_MAX || b.length > PAIR_WORD_MAX ? PAIR_GAP : `${a}_${b}`;
  }
  return out;
}

/**
 * The fts_pairs phrase for a phrase's tokens (two or more), or null when a word is too long to be
 * paired. `"a b c"` on `fts` matches exactly where `"a_b b_c"` matches on fts_pairs: at a
 * position p of one column, a_b at p and b_c at p + 1 mean a, b, c at p, p + 1, p + 2.
 */
export function pairPhrase(tokens: readonly string[]): string | null {
  if (tokens.length < 2 || tokens.some((t) => t.length > PAIR_WORD_MAX)) return null;
  const pairs: string[] = [];
  for (let i = 1; i < tokens.length; i++) pairs.push(`${tokens[i - 1]!}_${tokens[i]!}`);
  return `"${pairs.join(' ')}"`;
}
