import { describe, expect, it } from 'vitest';
import { excerpt, renderInlineMarkdown, renderMarkdown } from './markdown.js';

const REL = 'rel="nofollow ugc noopener"';
const HIGHLIGHT_CLASS = /^hljs(-[a-z0-9_-]+)?$|^language-[a-z0-9+#-]+$/;

/** Every tag in sanitized output. Text and attribute values have `<`/`>` escaped, so this is exact. */
function tagsOf(html: string): string[] {
  return html.match(/<[^>]*>/g) ?? [];
}

/** `name="value"` pairs of one tag (the sanitizer always double-quotes and escapes `"`). */
function attributesOf(tag: string): Array<[string, string]> {
  const body = tag.replace(/^<\/?[a-z0-9]+/i, '').replace(/\/?>$/, '');
  return [...body.matchAll(/([^\s=]+)(?:="([^"]*)")?/g)].map((m) => [m[1]!.toLowerCase(), m[2] ?? '']);
}

function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&colon;/gi, ':')
    .replace(/&tab;/gi, '\t')
    .replace(/&newline;/gi, '\n')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const DANGEROUS_TAG =
  /<\/?(script|style|iframe|frame|frameset|object|embed|applet|svg|math|form|button|select|textarea|base|meta|link|template|noscript|video|audio|source|param|div|font|marquee)\b/i;

/** The structural guarantees every rendering must give, whatever went in. */
function expectHarmless(html: string): void {
  expect(html).not.toMatch(DANGEROUS_TAG);
  for (const tag of tagsOf(html)) {
    const name = /^<\/?([a-z0-9]+)/i.exec(tag)?.[1]?.toLowerCase() ?? '';
    const attributes = attributesOf(tag);
    // No event handler, no inline style, no attribute the allow-list does not know.
    expect(tag.replace(/="[^"]*"/g, '=""')).not.toMatch(/\son\w+\s*=/i);
    for (const [attr, raw] of attributes) {
      expect(attr).not.toMatch(/^on|^style$|^srcdoc$|^formaction$|^xlink:|^target$|^id$/);
      // eslint-disable-next-line no-control-regex -- strips control characters an attacker could hide in a URL
      const value = decodeEntities(raw).replace(/[\u0000-\u0020]/g, '');
      if (attr === 'href' || attr === 'src') {
        expect(value).toMatch(/^(https?:|mailto:|[^:/?#]*(?:[/?#]|$))/i);
        expect(value).not.toMatch(/^[/\\]{2}/);
      }
      expect(value).not.toMatch(/(java|vb|live)script:|data:/i);
    }
    if (name === 'a' && !tag.startsWith('</')) expect(tag).toContain(REL);
    if (name === 'input') expect(tag).toMatch(/^<input type="checkbox" disabled( checked)? \/>$/);
  }
}

// ---------------------------------------------------------------------------------------------

describe('renderMarkdown: GitHub-flavoured Markdown', () => {
  it('renders tables, mapping column alignment to the align attribute', () => {
    const html = renderMarkdown('| Name | Votes |\n|:-----|------:|\n| `a` | 1 |\n| b | 22 |');
    expect(html).toContain('<table>');
    expect(html).toContain('<th align="left">Name</th>');
    expect(html).toContain('<th align="right">Votes</th>');
    expect(html).toContain('<td align="left"><code>a</code></td>');
    expect(html).toContain('<td align="right">22</td>');
    expect(html).not.toContain('style=');
  });

  it('renders task lists as disabled checkboxes', () => {
    const html = renderMarkdown('- [x] write the parser\n- [ ] write the tests');
    expect(html).toContain('<li><input type="checkbox" disabled checked /> write the parser</li>');
    expect(html).toContain('<li><input type="checkbox" disabled /> write the tests</li>');
  });

  it('renders strikethrough', () => {
    expect(renderMarkdown('this is ~~wrong~~ right')).toBe('<p>this is <del>wrong</del> right</p>\n');
  });

  it('autolinks bare URLs, www. hosts and e-mail addresses, all with rel and without target', () => {
    const html = renderMarkdown('See https://example.com/docs?a=1, www.example.org and help@example.com.');
    expect(html).toContain(`<a href="https://example.com/docs?a=1" ${REL}>https://example.com/docs?a=1</a>,`);
    expect(html).toContain(`<a href="http://www.example.org" ${REL}>www.example.org</a>`);
    expect(html).toContain(`<a href="mailto:help@example.com" ${REL}>help@example.com</a>.`);
    expect(html).not.toContain('target');
  });

  it('replaces whatever rel/target the author wrote on links', () => {
    const html = renderMarkdown('<a href="https://example.com" rel="opener" target="_blank">x</a>');
    expect(html).toBe(`<p><a href="https://example.com" ${REL}>x</a></p>\n`);
  });

  it('keeps relative, fragment and mailto links but drops protocol-relative ones', () => {
    const html = renderMarkdown('[q](/questions/42) [top](#top) [mail](mailto:a@example.com) [ext](//evil.example/x)');
    expect(html).toContain(`<a href="/questions/42" ${REL}>q</a>`);
    expect(html).toContain(`<a href="#top" ${REL}>top</a>`);
    expect(html).toContain(`<a href="mailto:a@example.com" ${REL}>mail</a>`);
    expect(html).toContain(`<a ${REL}>ext</a>`);
  });

  it('breaks lines like Stack Overflow: a single newline is not a break, two trailing spaces are', () => {
    expect(renderMarkdown('one\ntwo')).toBe('<p>one\ntwo</p>\n');
    expect(renderMarkdown('one  \ntwo')).toBe('<p>one<br />two</p>\n');
  });

  it('keeps h1–h6 but strips id and other attributes', () => {
    expect(renderMarkdown('# Title')).toBe('<h1>Title</h1>\n');
    expect(renderMarkdown('###### Small')).toBe('<h6>Small</h6>\n');
    expect(renderMarkdown('<h2 id="login-form" class="x" style="color:red">T</h2>')).toBe('<h2>T</h2>');
  });

  it('keeps ordered-list start numbers, blockquotes, rules, details/summary, kbd, sup and sub', () => {
    expect(renderMarkdown('3. three\n4. four')).toContain('<ol start="3">');
    expect(renderMarkdown('> quoted\n\n---')).toBe('<blockquote>\n<p>quoted</p>\n</blockquote>\n<hr />\n');
    const html = renderMarkdown(
      '<details><summary>Spoiler</summary>\n\nPress <kbd>Ctrl</kbd>+<kbd>C</kbd>, x<sup>2</sup>, H<sub>2</sub>O\n</details>',
    );
    expect(html).toContain('<details><summary>Spoiler</summary>');
    expect(html).toContain('<kbd>Ctrl</kbd>+<kbd>C</kbd>, x<sup>2</sup>, H<sub>2</sub>O');
  });

  it('allows http(s) images only', () => {
    const html = renderMarkdown(
      '![ok](https://img.example/a.png "Diagram") ![plain](http://img.example/b.png) ![rel](/c.png) ![proto](//img.example/d.png) ![data](data:image/png;base64,AAAA)',
    );
    expect(html).toContain('<img src="https://img.example/a.png" alt="ok" title="Diagram" />');
    expect(html).toContain('<img src="http://img.example/b.png" alt="plain" />');
    expect(tagsOf(html).filter((tag) => tag.startsWith('<img'))).toHaveLength(2);
  });

  it('is deterministic', () => {
    const source = '# T\n\n```\nfor i in range(3):\n    print(i)\n```\n\n| a |\n|---|\n| b |\n\n- [ ] x';
    expect(renderMarkdown(source)).toBe(renderMarkdown(source));
  });
});

describe('renderMarkdown: fenced code', () => {
  it('highlights a fenced block in the named language', () => {
    const html = renderMarkdown('```typescript\nconst answer: number = 42;\n```');
    expect(html).toMatch(/^<pre><code class="hljs language-typescript">/);
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain('<span class="hljs-number">42</span>');
  });

  it('accepts highlight.js aliases and normalises them to the canonical name', () => {
    expect(renderMarkdown('```JS\nlet x = 1;\n```')).toMatch(/^<pre><code class="hljs language-javascript">/);
    expect(renderMarkdown('```c++\nint main() { return 0; }\n```')).toMatch(/^<pre><code class="hljs language-cpp">/);
  });

  it('renders an unknown language as plain escaped text', () => {
    const html = renderMarkdown('```notalanguage\nif (a < b && c > d) { <b>bold</b> }\n```');
    expect(html).toBe('<pre><code class="hljs">if (a &lt; b &amp;&amp; c &gt; d) { &lt;b&gt;bold&lt;/b&gt; }\n</code></pre>');
  });

  it('auto-detects a block without a language among the common set', () => {
    const html = renderMarkdown('```\ndef main():\n    print("hi")\n```');
    expect(html).toMatch(/^<pre><code class="hljs language-python">/);
    expect(html).toContain('<span class="hljs-keyword">def</span>');
  });

  it('leaves an undetectable block without a language as plain text', () => {
    expect(renderMarkdown('```\nIt still does not work.\n```')).toBe('<pre><code class="hljs">It still does not work.\n</code></pre>');
  });

  it('escapes markup inside highlighted code', () => {
    const html = renderMarkdown('```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n```');
    expect(html).toMatch(/^<pre><code class="hljs language-xml">/);
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;');
    expectHarmless(html);
  });

  it('never copies the raw info string into the class attribute', () => {
    const html = renderMarkdown('```js" onmouseover="alert(1)\nlet x = 1;\n```');
    expect(html).toBe('<pre><code class="hljs">let x = 1;\n</code></pre>');
  });

  it('emits only hljs-* and language-* classes', () => {
    const html = renderMarkdown(
      '```ts\nclass A extends B { method(): void { console.log(`x${1}`); } }\n```\n\n```html\n<div class="a"><style>p{}</style></div>\n```',
    );
    const classes = tagsOf(html)
      .flatMap((tag) => attributesOf(tag))
      .filter(([attr]) => attr === 'class')
      .flatMap(([, value]) => value.split(' '));
    expect(classes.length).toBeGreaterThan(5);
    for (const cls of classes) expect(cls).toMatch(HIGHLIGHT_CLASS);
  });
});

// ---------------------------------------------------------------------------------------------
// XSS corpus. Each vector goes through both renderers. `inertText`: the payload legitimately
// survives as escaped, visible text (e.g. an unclosed tag is just text; comments do not parse
// reference definitions), so only the structural checks apply to that renderer's output.

type Renderer = 'renderMarkdown' | 'renderInlineMarkdown';

interface Vector {
  name: string;
  source: string;
  inertText?: readonly Renderer[];
}

const BOTH: readonly Renderer[] = ['renderMarkdown', 'renderInlineMarkdown'];

const XSS_VECTORS: Vector[] = [
  { name: 'script element', source: '<script>alert(1)</script>' },
  { name: 'script with src, upper case', source: '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>' },
  { name: 'img onerror', source: '<img src=x onerror=alert(1)>' },
  { name: 'allowed img with onerror', source: '<img src="https://ok.example/a.png" onerror="alert(1)">' },
  { name: 'a href javascript:', source: '<a href="javascript:alert(1)">x</a>' },
  { name: 'markdown link javascript:', source: '[x](javascript:alert(1))' },
  { name: 'markdown link JaVaScRiPt:', source: '[x](JaVaScRiPt:alert(1))' },
  { name: 'markdown link java\\tscript:', source: '[x](java\tscript:alert(1))' },
  { name: 'html link java\\tscript:', source: '<a href="java\tscript:alert(1)">x</a>' },
  { name: 'html link java&Tab;script:', source: '<a href="java&Tab;script:alert(1)">x</a>' },
  { name: 'leading whitespace and control characters', source: '<a href=" \u0001 javascript:alert(1)">x</a>' },
  { name: 'entity-encoded &#106;avascript:', source: '<a href="&#106;avascript:alert(1)">x</a>' },
  { name: 'entity-encoded markdown link', source: '[x](&#106;avascript:alert(1))' },
  { name: 'hex entities and &colon;', source: '<a href="&#x6A;&#x61;vascript&colon;alert(1)">x</a>' },
  { name: 'zero-padded decimal entities', source: '<a href="&#0000106&#0000097vascript:alert(1)">x</a>' },
  {
    name: 'reference-style link to javascript:',
    source: '[x][evil]\n\n[evil]: javascript:alert(1)',
    inertText: ['renderInlineMarkdown'],
  },
  { name: 'vbscript: link', source: '[x](vbscript:msgbox(1))' },
  { name: 'data:text/html link', source: '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)' },
  { name: 'data:text/html html link', source: '<a href="data:text/html,<script>alert(1)</script>">x</a>' },
  { name: 'iframe', source: '<iframe src="https://evil.example"></iframe>' },
  { name: 'iframe srcdoc', source: '<iframe srcdoc="<script>alert(1)</script>"></iframe>' },
  { name: 'style element', source: '<style>body { display: none }</style>' },
  { name: 'svg onload', source: '<svg onload=alert(1)>' },
  { name: 'script inside svg', source: '<svg><script>alert(1)</script></svg>' },
  { name: 'math / mglyph mutation', source: '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>' },
  { name: 'form with formaction', source: '<form action="https://evil.example"><button formaction=javascript:alert(1)>go</button></form>' },
  { name: 'input onfocus autofocus', source: '<input onfocus=alert(1) autofocus>' },
  { name: 'checkbox with onclick', source: '<input type="checkbox" onclick="alert(1)" checked>' },
  { name: 'div style url(javascript:)', source: '<div style="background:url(javascript:alert(1))">x</div>' },
  { name: 'protocol-relative link with onclick', source: '<a href="//evil.example" onclick="alert(1)">x</a>' },
  { name: 'backslash protocol-relative link', source: '<a href="/\\evil.example">x</a>' },
  { name: 'markdown image javascript: src', source: '![x](javascript:alert(1))' },
  { name: 'img javascript: src', source: '<img src="javascript:alert(1)">' },
  { name: 'img data:image/svg+xml src', source: '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">' },
  { name: 'nested unclosed tags', source: '<div><p>unclosed <b><i>nested <a href="javascript:alert(1)">x' },
  { name: 'unterminated tag', source: '<a href="javascript:alert(1)"', inertText: BOTH },
  { name: '<scr<script>ipt>', source: '<scr<script>ipt>alert(1)</scr</script>ipt>' },
  { name: '<<script>script>', source: '<<script>script>alert(1)<</script>/script>' },
  { name: 'HTML comment hiding script', source: '<!-- <script>alert(1)</script> -->' },
  { name: 'abruptly closed comment', source: '<!--><script>alert(1)</script>-->' },
  { name: 'noscript title breakout', source: '<noscript><p title="</noscript><img src=x onerror=alert(1)>">' },
  { name: 'base href', source: '<base href="https://evil.example/">' },
  { name: 'meta refresh', source: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">' },
  { name: 'object', source: '<object data="javascript:alert(1)"></object>' },
  { name: 'embed', source: '<embed src="javascript:alert(1)">' },
  { name: 'link stylesheet', source: '<link rel="stylesheet" href="https://evil.example/x.css">' },
  { name: 'attribute breaking quotes', source: `<a href="https://ok.example" title='"><script>alert(1)</script>'>t</a>` },
  { name: 'markdown title breaking quotes', source: '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")' },
  { name: 'unquoted attribute breakout', source: '<a href=https://ok.example/x onmouseover=alert(1)>x</a>' },
  { name: 'details ontoggle', source: '<details open ontoggle=alert(1)><summary>s</summary>x</details>' },
  { name: 'table background', source: '<table background="javascript:alert(1)"><tr><td style="x:y">c</td></tr></table>' },
  {
    name: 'textarea and template content',
    source: '<textarea><script>alert(1)</script></textarea><template><script>alert(1)</script></template>',
  },
  { name: 'autolink with javascript: scheme', source: '<javascript:alert(1)>', inertText: BOTH },
];

describe.each([
  ['renderMarkdown', renderMarkdown],
  ['renderInlineMarkdown', renderInlineMarkdown],
] as const)('%s: XSS corpus', (renderer, render) => {
  it.each(XSS_VECTORS)('$name', ({ source, inertText }) => {
    const html = render(source);
    expectHarmless(html);
    expect(html).not.toMatch(/<script/i);
    if (!inertText?.includes(renderer)) {
      expect(html).not.toMatch(/javascript:/i);
      expect(html.replace(/="[^"]*"/g, '=""')).not.toMatch(/on\w+=/i);
    }
  });
});

describe('renderMarkdown: XSS specifics', () => {
  it('keeps the text of a neutralised link', () => {
    expect(renderMarkdown('[click me](javascript:alert(1))')).toBe(`<p><a ${REL}>click me</a></p>\n`);
  });

  it('keeps an allowed image but drops its handler', () => {
    expect(renderMarkdown('see <img src="https://ok.example/a.png" alt="a" onerror="alert(1)">')).toBe(
      '<p>see <img src="https://ok.example/a.png" alt="a" /></p>\n',
    );
  });

  it('escapes attribute values instead of letting them break out', () => {
    const html = renderMarkdown(`<a href="https://ok.example" title='"><script>alert(1)</script>'>t</a>`);
    expect(html).toBe(`<p><a href="https://ok.example" title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" ${REL}>t</a></p>\n`);
  });

  it('turns a javascript: autolink into inert text', () => {
    expect(renderMarkdown('<javascript:alert(1)>')).toBe(`<p><a ${REL}>javascript:alert(1)</a></p>\n`);
  });

  it('survives hostile nesting without throwing', () => {
    for (const source of ['>'.repeat(20_000), '- '.repeat(10_000), '*a '.repeat(5_000) + '*'.repeat(5_000), '~a '.repeat(6_000)]) {
      expect(typeof renderMarkdown(source)).toBe('string');
    }
  });
});

describe('renderInlineMarkdown', () => {
  it('renders inline code, emphasis, strikethrough and links', () => {
    expect(renderInlineMarkdown('Use `npm ci`, **not** _npm install_ ~~ever~~ — see [docs](https://docs.npmjs.com/cli).')).toBe(
      `Use <code>npm ci</code>, <strong>not</strong> <em>npm install</em> <del>ever</del> — see <a href="https://docs.npmjs.com/cli" ${REL}>docs</a>.`,
    );
  });

  it('autolinks bare URLs with rel', () => {
    expect(renderInlineMarkdown('see https://example.com')).toBe(`see <a href="https://example.com" ${REL}>https://example.com</a>`);
  });

  it('drops block elements, whether written in Markdown or HTML', () => {
    const html = renderInlineMarkdown(
      '# Heading\n\n- item\n\n> quote\n\n```\ncode block\n```\n\n![diagram](https://img.example/a.png)\n\n' +
        '<p>para</p><h1>h</h1><ul><li>li</li></ul><table><tr><td>cell</td></tr></table><pre>pre</pre><hr><br><img src="https://img.example/b.png">' +
        '<details><summary>s</summary>d</details><blockquote>bq</blockquote><input type="checkbox">',
    );
    expect(html).not.toMatch(
      /<\/?(p|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tr|th|td|hr|br|img|input|details|summary|span|div)\b/i,
    );
    expect(html).toContain('# Heading');
    expect(html).toContain('diagram'); // an image becomes its alt text
    expect(html).toContain('<code>');
    expect(html).toMatch(/para +h +li/); // dropped block tags still separate words
    expectHarmless(html);
  });

  it('does not highlight code or keep classes', () => {
    expect(renderInlineMarkdown('<code class="hljs language-js">x</code> <span class="hljs-keyword">y</span>')).toBe('<code>x</code> y');
  });
});

describe('excerpt', () => {
  it('strips markup, decodes entities and collapses whitespace', () => {
    const md =
      '# Hello &amp; &lt;world&gt;\n\n**Bold**   and [a link](https://example.com) with `a < b`.\n\n' +
      '![image alt](https://img.example/a.png)\n\n<script>alert(1)</script>\n\n- one\n- two\n\n| h | i |\n|---|---|\n| c | d |';
    expect(excerpt(md)).toBe('Hello & <world> Bold and a link with a < b. one two h i c d');
  });

  it('returns short text unchanged, without an ellipsis', () => {
    expect(excerpt('Just a short question?')).toBe('Just a short question?');
    expect(excerpt('')).toBe('');
  });

  it('cuts at a word boundary with an ellipsis, never exceeding maxChars', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const result = excerpt(text);
    expect(result.length).toBeLessThanOrEqual(200);
    expect(result.endsWith('…')).toBe(true);
    expect(text.startsWith(result.slice(0, -1))).toBe(true);
    expect(text[result.length - 1]).toMatch(/[\s.]/); // the cut falls between words
    expect(excerpt('alpha beta gamma delta', 12)).toBe('alpha beta…');
  });

  it('drops trailing punctuation before the ellipsis', () => {
    expect(excerpt('first, second, third, fourth', 15)).toBe('first, second…');
  });

  it('hard-cuts a single overlong word', () => {
    expect(excerpt('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('handles non-positive limits', () => {
    expect(excerpt('anything', 0)).toBe('');
  });
});
