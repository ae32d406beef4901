// Markdown → plain text for the search index: what a reader sees, without markup. Code keeps its
// words (people search for identifiers and error messages), links keep their text, HTML tags and
// Markdown punctuation go, whitespace collapses to single spaces. Pure and dependency-free; it
// does not need to be a perfect CommonMark renderer, only to index the right words.

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  laquo: '«',
  raquo: '»',
  ldquo: '“',
  rdquo: '”',
  lsquo: '‘',
  rsquo: '’',
  times: '×',
  middot: '·',
  bull: '•',
  euro: '€',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : ' ';
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

// Placeholders for protected code segments: private-use characters never kept from the input.
const PH_OPEN = '\uE000';
const PH_CLOSE = '\uE001';
const PH_RE = /\uE000(\d+)\uE001/g;

/** Converts Markdown (with inline HTML) into plain text suitable for full-text indexing. */
export function markdownToPlainText(markdown: string): string {
  if (!markdown) return '';
  const code: string[] = [];
  /** sets text aside (code, escaped characters) so later rules cannot touch it */
  const protect = (text: string, pad = true): string => {
    code.push(text);
    const ph = `${PH_OPEN}${code.length - 1}${PH_CLOSE}`;
    return pad ? ` ${ph} ` : ph;
  };

  let text = markdown.replace(/\r\n?/g, '\n').replace(/[\uE000\uE001]/g, '');

  // Fenced code blocks (``` or ~~~, optionally indented, with an info string): keep the content.
  text = text.replace(
    /^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n([\s\S]*?)(?:^[ \t]{0,3}\1[`~]*[ \t]*$|(?![\s\S]))/gm,
    (_m, _fence: string, body: string) => protect(body),
  );
  // Inline code spans: `code` or ``code with ` inside``.
  text = text.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_m, _ticks: string, body: string) => protect(body.trim()));

  // Backslash escapes: the escaped character is literal text, never markup.
  text = text.replace(/\\([!-/:-@[-`{-~])/g, (_m, c: string) => protect(c, false));

  // HTML comments, then <script>/<style> blocks with their content, then any other tag.
  text = text.replace(/<!--[\s\S]*?(?:-->|$)/g, ' ');
  text = text.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ');
  // <pre>/<code> content is code: keep it (its tags go with the generic rule below).
  text = text.replace(/<\/?[a-z][a-z0-9-]*(?:\s[^<>]*)?\/?>/gi, ' ');

  // Images ![alt](url) → alt, links [text](url "title") → text, reference links [text][ref] → text.
  text = text.replace(/!\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)/g, ' $1 ');
  text = text.replace(/!\[([^\]]*)\]\[[^\]]*\]/g, ' $1 ');
  text = text.replace(/\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)/g, '$1');
  text = text.replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1');
  // Reference definitions: [ref]: https://… "title"
  text = text.replace(/^[ \t]{0,3}\[[^\]]+\]:[ \t]*\S+(?:[ \t]+(?:"[^"]*"|'[^']*'|\([^)]*\)))?[ \t]*$/gm, ' ');
  // Autolinks <https://…> and <me@example.com> keep their address.
  text = text.replace(/<((?:https?|ftp|mailto):[^\s<>]+|[^\s<>@]+@[^\s<>@]+)>/gi, ' $1 ');

  // Block markup at line starts: headings, blockquotes, list markers, horizontal rules, table rules.
  text = text.replace(/^[ \t]*(?:>[ \t]?)+/gm, '');
  text = text.replace(/^[ \t]{0,3}#{1,6}(?=[ \t]|$)/gm, '');
  text = text.replace(/[ \t]+#+[ \t]*$/gm, '');
  text = text.replace(/^[ \t]{0,3}(?:[-*_][ \t]*){3,}$/gm, ' ');
  text = text.replace(/^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$/gm, ' ');
  text = text.replace(/^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?/gm, '');
  // Setext heading underlines.
  text = text.replace(/^[ \t]{0,3}(?:=+|-+)[ \t]*$/gm, ' ');

  // Emphasis and strikethrough (only where they look like markup, not inside words like snake_case).
  for (let pass = 0; pass < 2; pass++) {
    text = text.replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2');
    text = text.replace(/(^|[^\p{L}\p{N}*])\*(?=\S)([^*\n]*?\S)\*(?![\p{L}\p{N}*])/gu, '$1$2');
    text = text.replace(/(^|[^\p{L}\p{N}_])_(?=\S)([^_\n]*?\S)_(?![\p{L}\p{N}_])/gu, '$1$2');
    text = text.replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1');
  }
  // Table pipes.
  text = text.replace(/[ \t]*\|[ \t]*/g, ' ');

  text = decodeEntities(text);
  // Restore code (entities inside code are left as written: they are what the author typed).
  text = text.replace(PH_RE, (_m, i: string) => code[Number(i)] ?? '');
  return text.replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------
// Plain text → safe HTML for search highlights (shared by the search adapters).

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes the five HTML-significant characters. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Turns text in which a search engine marked matches with `open`/`close` markers into safe HTML:
 * every other character is escaped and only balanced `<mark>…</mark>` elements are produced, so a
 * stray marker in the document's own text can neither leave an element open nor inject markup.
 */
export function markedToHtml(text: string, open: string, close: string): string {
  let out = '';
  let inside = false;
  let i = 0;
  while (i < text.length) {
    const o = text.indexOf(open, i);
    const c = text.indexOf(close, i);
    const isOpen = o !== -1 && (c === -1 || o <= c);
    const next = isOpen ? o : c;
    if (next === -1) {
      out += escapeHtml(text.slice(i));
      break;
    }
    out += escapeHtml(text.slice(i, next));
    if (isOpen && !inside) {
      out += '<mark>';
      inside = true;
    } else if (!isOpen && inside) {
      out += '</mark>';
      inside = false;
    }
    i = next + (isOpen ? open.length : close.length);
  }
  if (inside) out += '</mark>';
  return out.replace(/<mark><\/mark>/g, '');
}

/** The first `words` words of a text, with an ellipsis when cut (an excerpt without matches). */
export function leadingWords(text: string, words = 30): string {
  const parts = text.split(/\s+/).filter(Boolean);
  return parts.length > words ? `${parts.slice(0, words).join(' ')} …` : parts.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Search tokens (shared by the search adapters)

/** Lower-cases and removes diacritics (like SQLite FTS5's `unicode61 remove_diacritics 2`). */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/**
 * Splits text into search tokens: runs of letters, digits, `+` and `#` (so `c++` and `c#` stay
 * whole), folded. It mirrors the embedded index's FTS5 tokenizer.
 */
export function searchTokens(text: string): string[] {
  return foldText(text)
    .split(/[^\p{L}\p{N}+#]+/u)
    .filter((t) => t.length > 0);
}

/** English words too common to tell questions apart (dropped when looking for similar titles). */
export const SEARCH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can cannot could did do does doing down during each few for from further get gets getting got had has have having he her ' +
    'here hers herself him himself his how i if in into is it its itself just let me more most my myself no nor not now of ' +
    'off on once only or other our ours ourselves out over own same she should so some such than that the their theirs ' +
    'them themselves then there these they this those through to too under until up use used using very via want was we ' +
    'were what when where which while who whom why will with would you your yours yourself yourselves'
  ).split(' '),
);
