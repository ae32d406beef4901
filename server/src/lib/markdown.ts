/**
 * Markdown → sanitized HTML for posts and comments.
 *
 * Bodies are rendered ONCE on write and the stored HTML is shown by the web app as is, so this
 * module is a security boundary: whatever marked and highlight.js produce, the final word belongs
 * to the sanitize-html allow-list below. Never return marked output that has not gone through it.
 *
 * - `renderMarkdown`       full GFM for question/answer bodies, fenced code highlighted by highlight.js.
 * - `renderInlineMarkdown` comments: inline markup only (code spans, emphasis, links).
 * - `excerpt`              plain text for listings and meta descriptions. It is TEXT, not HTML:
 *                          callers must escape it like any other string.
 *
 * All three are synchronous, deterministic and total for string input (they never throw on
 * hostile Markdown; see `renderWithFallback`).
 */
import hljs from 'highlight.js';
import { Marked, Tokenizer, type MarkedExtension, type Token, type TokenizerObject } from 'marked';
import { markedHighlight } from 'marked-highlight';
import sanitizeHtml from 'sanitize-html';

// ---------------------------------------------------------------------------------------------
// Syntax highlighting
// ---------------------------------------------------------------------------------------------

/** Languages considered when a fence names no language. Keep it small: detection cost is linear in its size. */
const AUTO_DETECT_LANGUAGES = [
  'javascript',
  'typescript',
  'python',
  'java',
  'go',
  'rust',
  'bash',
  'json',
  'yaml',
  'sql',
  'c',
  'cpp',
  'csharp',
  'xml',
  'css',
] as const;

/**
 * Auto-detection runs every candidate grammar over the code (≈ 7 µs per character for the 15
 * above), so it looks at a sample only (the leading lines, up to this many characters) and each
 * document gets a budget of sampled characters; blocks past the budget stay plain text.
 */
const AUTO_DETECT_SAMPLE_CHARS = 500;
const AUTO_DETECT_BUDGET_CHARS = 1_000;

/**
 * Minimum highlight.js relevance for trusting a guess. Prose scores about 2 against the
 * candidate grammars; short real snippets usually score 3 or more.
 */
const AUTO_DETECT_MIN_RELEVANCE = 3;

/**
 * Highlighting costs roughly 1–2 µs per character; past this many characters of code in one
 * document, further blocks are rendered as plain escaped text.
 */
const HIGHLIGHT_BUDGET_CHARS = 12_000;

/** Fence word (lower-cased name or alias) → canonical highlight.js language name, e.g. `js` → `javascript`. */
const LANGUAGE_BY_ALIAS: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const name of hljs.listLanguages()) {
    map.set(name.toLowerCase(), name);
    for (const alias of hljs.getLanguage(name)?.aliases ?? []) {
      if (!map.has(alias.toLowerCase())) map.set(alias.toLowerCase(), name);
    }
  }
  return map;
})();

interface HighlightBudget {
  detect: number;
  highlight: number;
}

/**
 * Decides which language a fenced block is highlighted as ('' = plain escaped text):
 * - fence names a language highlight.js knows → that language (canonical name);
 * - fence names anything else (`output`, `log`, `none`, typos, junk) → plain text: the author
 *   said what it is, and a guess would dress console output up as CSS;
 * - no language → a confident guess among AUTO_DETECT_LANGUAGES, else plain text.
 */
function resolveLanguage(info: string | undefined, code: string, budget: HighlightBudget): string {
  if (!/\S/.test(code) || code.length > budget.highlight) return '';
  const word = (info ?? '').trim().split(/\s/, 1)[0]?.toLowerCase() ?? '';
  let language = word ? LANGUAGE_BY_ALIAS.get(word) : undefined;
  if (word && !language) return '';
  if (!language) {
    const sample = sampleLines(code, AUTO_DETECT_SAMPLE_CHARS);
    if (sample.length > budget.detect) return '';
    budget.detect -= sample.length;
    const guess = hljs.highlightAuto(sample, [...AUTO_DETECT_LANGUAGES]);
    if (!guess.language || guess.relevance < AUTO_DETECT_MIN_RELEVANCE) return '';
    language = guess.language;
  }
  budget.highlight -= code.length;
  return language;
}

/** The leading whole lines of `code` that fit in `max` characters (a hard cut if the first line is longer). */
function sampleLines(code: string, max: number): string {
  if (code.length <= max) return code;
  const cut = code.lastIndexOf('\n', max);
  return cut > 0 ? code.slice(0, cut) : code.slice(0, max);
}

/**
 * Runs before marked-highlight's walkTokens (processAllTokens precedes walkTokens): rewrites
 * every code block's `lang` to the resolved language so that the highlighter and the
 * `language-x` class agree, and the class never carries raw info-string text.
 */
function resolveCodeLanguages(tokens: Token[], budget: HighlightBudget): void {
  for (const token of tokens) {
    if (token.type === 'code') {
      token.lang = resolveLanguage(token.lang, token.text, budget);
      continue;
    }
    if (token.type === 'list') resolveCodeLanguages(token.items, budget);
    else if ('tokens' in token && Array.isArray(token.tokens)) resolveCodeLanguages(token.tokens, budget);
  }
}

function highlight(code: string, language: string): string {
  if (!language || !hljs.getLanguage(language)) return code; // unchanged → marked-highlight escapes it
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}

// ---------------------------------------------------------------------------------------------
// Lexer guards: marked recurses once per nesting level and some emphasis/strikethrough
// delimiter patterns are quadratic. A few KB of `>>>>…` overflow the stack, and 30k chars of
// `~a ~a ~a …` take seconds. Both limits are far above anything a real post uses, and both are
// deterministic (depending on the input only), so the stored HTML is reproducible.
// ---------------------------------------------------------------------------------------------

/** Blockquote/list nesting beyond this is kept as literal text. */
const MAX_BLOCK_DEPTH = 16;
/** Emphasis/strong/strikethrough nesting beyond this is kept as literal text. */
const MAX_INLINE_DEPTH = 16;
/**
 * Per-document budget for delimiter scanning, in characters: an attempt to open emphasis or
 * strikethrough scans ahead for its closer, so a successful one is charged the length of what it
 * matched and a failed one the rest of its paragraph. When spent, the remaining delimiters stay
 * literal. Ordinary posts use a few percent of it.
 */
const DELIMITER_SCAN_BUDGET = 1_000_000;
/**
 * GFM's text and bare-URL/e-mail rules look ahead through runs of e-mail-ish characters
 * (letters, digits, `_*~.-` …) from every token start, which is quadratic in such a run
 * (`_a_a_a…`, `aaaa…@`). They only ever see this many characters ahead; marked itself slices
 * the text rule's input the same way for `startInline` extensions. Longer URLs stay linked
 * only up to this length.
 */
const MAX_INLINE_LOOKAHEAD = 1_024;

interface LexerGuards {
  tokenizer: TokenizerObject;
  /** Called at the start of every parse. */
  reset(): void;
}

function createLexerGuards(): LexerGuards {
  const base = Tokenizer.prototype;
  let blockDepth = 0;
  let inlineDepth = 0;
  let scanBudget = DELIMITER_SCAN_BUDGET;

  const clip = (src: string) => (src.length > MAX_INLINE_LOOKAHEAD ? src.slice(0, MAX_INLINE_LOOKAHEAD) : src);

  const tokenizer: TokenizerObject = {
    url(src) {
      return base.url.call(this, clip(src));
    },
    inlineText(src) {
      return base.inlineText.call(this, clip(src));
    },
    // An unterminated `<!--` (or tag) is otherwise searched for its end from every `<`.
    tag(src) {
      return base.tag.call(this, clip(src));
    },
    blockquote(src) {
      if (blockDepth >= MAX_BLOCK_DEPTH) return undefined;
      blockDepth++;
      try {
        return base.blockquote.call(this, src);
      } finally {
        blockDepth--;
      }
    },
    list(src) {
      if (blockDepth >= MAX_BLOCK_DEPTH) return undefined;
      blockDepth++;
      try {
        return base.list.call(this, src);
      } finally {
        blockDepth--;
      }
    },
    emStrong(src, maskedSrc, prevChar) {
      const first = src.charCodeAt(0);
      if (first !== 42 /* * */ && first !== 95 /* _ */) return undefined; // not a delimiter: nothing to do
      if (inlineDepth >= MAX_INLINE_DEPTH || scanBudget <= 0) return undefined;
      inlineDepth++;
      try {
        const token = base.emStrong.call(this, src, maskedSrc, prevChar);
        scanBudget -= token ? token.raw.length : src.length;
        return token;
      } finally {
        inlineDepth--;
      }
    },
    del(src, maskedSrc, prevChar) {
      if (src.charCodeAt(0) !== 126 /* ~ */) return undefined;
      if (inlineDepth >= MAX_INLINE_DEPTH || scanBudget <= 0) return undefined;
      inlineDepth++;
      try {
        const token = base.del.call(this, src, maskedSrc, prevChar);
        scanBudget -= token ? token.raw.length : src.length;
        return token;
      } finally {
        inlineDepth--;
      }
    },
  };

  return {
    tokenizer,
    reset() {
      blockDepth = 0;
      inlineDepth = 0;
      scanBudget = DELIMITER_SCAN_BUDGET;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Marked instances (never the global `marked`, which other code may configure)
// ---------------------------------------------------------------------------------------------

const BASE_OPTIONS = { gfm: true, breaks: false, pedantic: false, async: false, silent: false } as const;

const blockGuards = createLexerGuards();
const blockMarked = new Marked(
  BASE_OPTIONS,
  markedHighlight({
    langPrefix: 'hljs language-',
    emptyLangClass: 'hljs',
    highlight,
  }),
  {
    tokenizer: blockGuards.tokenizer,
    hooks: {
      processAllTokens(tokens) {
        resolveCodeLanguages(tokens, { detect: AUTO_DETECT_BUDGET_CHARS, highlight: HIGHLIGHT_BUDGET_CHARS });
        return tokens;
      },
    },
  },
);

/** Raw HTML tags that would start or end a block; in comments they only separate words. */
const BLOCK_HTML_TAG =
  /^<\/?(?:address|article|aside|blockquote|br|dd|details|div|dl|dt|figure|h[1-6]|hr|li|ol|p|pre|section|summary|table|td|th|tr|ul)\b/i;

/**
 * Comments: images become their (escaped) alt text, hard line breaks plain newlines, and raw
 * block-level tags a space (the sanitizer would drop them anyway, gluing words together).
 */
const inlineOnlyRenderer: MarkedExtension['renderer'] = {
  image({ text }) {
    return escapeHtml(text);
  },
  br() {
    return '\n';
  },
  html({ text }) {
    return BLOCK_HTML_TAG.test(text) ? ' ' : text;
  },
};

const inlineGuards = createLexerGuards();
const inlineMarked = new Marked(BASE_OPTIONS, {
  tokenizer: inlineGuards.tokenizer,
  renderer: inlineOnlyRenderer,
});

/** For excerpts: same grammar, no highlighting (only the text matters). */
const plainGuards = createLexerGuards();
const plainMarked = new Marked(BASE_OPTIONS, { tokenizer: plainGuards.tokenizer });

// ---------------------------------------------------------------------------------------------
// Sanitizing
// ---------------------------------------------------------------------------------------------

const LINK_REL = 'nofollow ugc noopener';
const HIGHLIGHT_CLASS = /^hljs(-[a-z0-9_-]+)?$|^language-[a-z0-9+#-]+$/;
const ABSOLUTE_HTTP_URL = /^https?:\/\//i;
const TABLE_ALIGN = new Set(['left', 'center', 'right']);

/** Disallowed tags whose content is dropped along with them (for all others the text is kept). */
const NON_TEXT_TAGS = ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'title', 'iframe', 'xmp', 'noembed', 'noframes'];

const INLINE_TAGS = ['a', 'code', 'em', 'strong', 'del', 's', 'sup', 'sub', 'kbd'];

const BLOCK_TAGS = [
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'ul', 'ol', 'li', 'pre'],
  ...['span', 'img', 'input', 'details', 'summary'],
  ...['table', 'thead', 'tbody', 'tr', 'th', 'td'],
  ...INLINE_TAGS,
];

const keepTableAlign: sanitizeHtml.Transformer = (tagName, attribs) => {
  const align = attribs.align?.trim().toLowerCase();
  const kept: sanitizeHtml.Attributes = {};
  if (align && TABLE_ALIGN.has(align)) kept.align = align;
  return { tagName, attribs: kept };
};

const SHARED_OPTIONS: sanitizeHtml.IOptions = {
  disallowedTagsMode: 'discard',
  nonTextTags: NON_TEXT_TAGS,
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  // `//host/path` and `/\host` leave the site like absolute URLs but dodge the scheme check.
  allowProtocolRelative: false,
  allowVulnerableTags: false,
  parseStyleAttributes: false,
  nestingLimit: 64,
  // Disallowed-scheme attributes are deleted by the sanitizer before this runs.
  exclusiveFilter: (frame) => (frame.tag === 'img' && !frame.attribs.src) || (frame.tag === 'input' && frame.attribs.type !== 'checkbox'),
};

const TRANSFORM_LINK: sanitizeHtml.Transformer = (tagName, attribs) => ({
  tagName,
  // Rebuilt from scratch: the author's rel/target/etc. never survive, ours is always present.
  attribs: {
    ...(attribs.href !== undefined ? { href: attribs.href } : {}),
    ...(attribs.title !== undefined ? { title: attribs.title } : {}),
    rel: LINK_REL,
  },
});

const BLOCK_SANITIZE: sanitizeHtml.IOptions = {
  ...SHARED_OPTIONS,
  allowedTags: BLOCK_TAGS,
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title'],
    ol: ['start'],
    th: ['align'],
    td: ['align'],
    input: ['type', 'disabled', 'checked'],
    code: ['class'],
    span: ['class'],
  },
  allowedClasses: { code: [HIGHLIGHT_CLASS], span: [HIGHLIGHT_CLASS] },
  transformTags: {
    a: TRANSFORM_LINK,
    img: (tagName, attribs) => {
      const src = attribs.src?.trim();
      return {
        tagName,
        attribs: {
          ...(src && ABSOLUTE_HTTP_URL.test(src) ? { src } : {}),
          ...(attribs.alt !== undefined ? { alt: attribs.alt } : {}),
          ...(attribs.title !== undefined ? { title: attribs.title } : {}),
        },
      };
    },
    // Task-list checkboxes only: always disabled; anything but a checkbox is removed by exclusiveFilter.
    input: (tagName, attribs) => ({
      tagName,
      attribs:
        attribs.type?.trim().toLowerCase() === 'checkbox'
          ? { type: 'checkbox', disabled: '', ...('checked' in attribs ? { checked: '' } : {}) }
          : {},
    }),
    ol: (tagName, attribs) => {
      const start = attribs.start?.trim();
      const kept: sanitizeHtml.Attributes = {};
      if (start && /^\d{1,9}$/.test(start)) kept.start = start;
      return { tagName, attribs: kept };
    },
    th: keepTableAlign,
    td: keepTableAlign,
  },
};

const INLINE_SANITIZE: sanitizeHtml.IOptions = {
  ...SHARED_OPTIONS,
  allowedTags: INLINE_TAGS,
  allowedAttributes: { a: ['href', 'title', 'rel'] },
  allowedClasses: {},
  transformTags: { a: TRANSFORM_LINK },
};

/** Tags that separate words in plain text; every other tag is removed without a trace. */
const TEXT_BREAK_TAGS = [
  ...['address', 'article', 'aside', 'blockquote', 'br', 'dd', 'details', 'div', 'dl', 'dt', 'figcaption'],
  ...['figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol'],
  ...['p', 'pre', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul'],
];

const TEXT_SANITIZE: sanitizeHtml.IOptions = {
  ...SHARED_OPTIONS,
  allowedTags: TEXT_BREAK_TAGS,
  allowedAttributes: {},
  exclusiveFilter: undefined,
};

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/** Renders a post body (GFM, highlighted fenced code) to sanitized HTML. */
export function renderMarkdown(source: string): string {
  const html = renderWithFallback(source, blockGuards, (src) => blockMarked.parse(src, { async: false }));
  return sanitizeHtml(html, BLOCK_SANITIZE);
}

/** Renders a comment: inline Markdown only (code spans, emphasis, strikethrough, links), sanitized. */
export function renderInlineMarkdown(source: string): string {
  const html = renderWithFallback(source, inlineGuards, (src) => inlineMarked.parseInline(src, { async: false }));
  return sanitizeHtml(html, INLINE_SANITIZE).trim();
}

/**
 * Plain-text excerpt of a Markdown body: markup stripped, whitespace collapsed, cut at a word
 * boundary with "…" so that the result (ellipsis included) is at most `maxChars` characters.
 * The result is plain text — escape it before putting it into HTML.
 */
export function excerpt(markdown: string, maxChars = 200): string {
  const limit = Math.floor(maxChars);
  if (!(limit > 0)) return '';
  const text = markdownToText(markdown);
  if (text.length <= limit) return text;

  // Keep one character for the ellipsis.
  let head = text.slice(0, limit - 1);
  if (text[limit - 1] !== ' ') {
    const lastSpace = head.lastIndexOf(' ');
    // Prefer a word boundary unless that would throw away more than half of the room.
    if (lastSpace >= Math.floor(head.length / 2) && lastSpace > 0) head = head.slice(0, lastSpace);
    else if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1); // never split a surrogate pair
  }
  head = head.replace(/[\s,;:([{\-–—]+$/u, '');
  return `${head}…`;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function renderWithFallback(source: string, guards: LexerGuards, parse: (src: string) => string): string {
  if (typeof source !== 'string') throw new TypeError('markdown source must be a string');
  guards.reset();
  try {
    return parse(source);
  } catch {
    // Only reachable with pathological input the guards did not anticipate (e.g. a stack
    // overflow). Degrade to the escaped source instead of failing the write.
    return `<p>${escapeHtml(source)}</p>`;
  }
}

function markdownToText(markdown: string): string {
  const html = renderWithFallback(markdown, plainGuards, (src) => plainMarked.parse(src, { async: false }));
  // The sanitizer re-serializes: every `<` in text is escaped, so what remains of `<…>` is a tag
  // (with no attributes). It emits exactly these four entities.
  return sanitizeHtml(html, TEXT_SANITIZE)
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(lt|gt|quot|amp);/g, (_, name: string) => ENTITY_TEXT[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

const ENTITY_TEXT: Readonly<Record<string, string>> = { lt: '<', gt: '>', quot: '"', amp: '&' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
