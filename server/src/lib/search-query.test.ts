import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { escapeHtml, markdownToPlainText, markedToHtml } from './plain-text.js';
import { MAX_QUERY_LENGTH, parseSearchQuery } from './search-query.js';

const utc = (y: number, m: number, d = 1) => Date.UTC(y, m - 1, d);

function expectInvalid(input: string, operator: string | RegExp): ValidationError {
  let caught: unknown;
  try {
    parseSearchQuery(input);
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected "${input}" to be rejected`).toBeInstanceOf(ValidationError);
  const error = caught as ValidationError;
  expect(error.code).toBe('VALIDATION');
  expect(error.field).toBe('query');
  expect(error.problems[0]!.message).toMatch(operator);
  return error;
}

describe('parseSearchQuery: text', () => {
  it('returns an empty query for empty input', () => {
    expect(parseSearchQuery('')).toEqual({ terms: [], phrases: [], tags: [], excludedTags: [], users: [], spaces: [], chips: [] });
    expect(parseSearchQuery('   \t\n ').terms).toEqual([]);
  });

  it('splits free text into terms, keeping their spelling', () => {
    expect(parseSearchQuery('  How to  configure Webpack ').terms).toEqual(['How', 'to', 'configure', 'Webpack']);
  });

  it('reads quoted phrases, collapsing inner whitespace', () => {
    const q = parseSearchQuery('error "module   not found" webpack "exact"');
    expect(q.phrases).toEqual(['module not found', 'exact']);
    expect(q.terms).toEqual(['error', 'webpack']);
    expect(q.chips).toEqual([
      { kind: 'phrase', value: 'module not found', raw: '"module   not found"' },
      { kind: 'phrase', value: 'exact', raw: '"exact"' },
    ]);
  });

  it('runs an unterminated quote to the end and ignores empty phrases', () => {
    expect(parseSearchQuery('foo "bar baz').phrases).toEqual(['bar baz']);
    expect(parseSearchQuery('foo "" "  "').phrases).toEqual([]);
  });

  it('keeps unknown operators and URLs as plain text', () => {
    const q = parseSearchQuery('foo:bar https://example.com/x title:hello :colon');
    expect(q.terms).toEqual(['foo:bar', 'https://example.com/x', 'title:hello', ':colon']);
    expect(q.chips).toEqual([]);
  });

  it('keeps symbols people search for', () => {
    expect(parseSearchQuery('c++ c# node.js -flag').terms).toEqual(['c++', 'c#', 'node.js', '-flag']);
  });

  it('rejects overly long input', () => {
    expectInvalid('a'.repeat(MAX_QUERY_LENGTH + 1), /too long/);
  });
});

describe('parseSearchQuery: tags', () => {
  it('reads [tag] and -[tag], lowercased and de-duplicated', () => {
    const q = parseSearchQuery('[TypeScript] [c++] -[jQuery] [c#] [node.js] [typescript]');
    expect(q.tags).toEqual(['typescript', 'c++', 'c#', 'node.js']);
    expect(q.excludedTags).toEqual(['jquery']);
    expect(q.chips.filter((c) => c.kind === 'tag')).toEqual([
      { kind: 'tag', value: 'typescript', raw: '[TypeScript]' },
      { kind: 'tag', value: 'c++', raw: '[c++]' },
      { kind: 'tag', value: 'jquery', negated: true, raw: '-[jQuery]' },
      { kind: 'tag', value: 'c#', raw: '[c#]' },
      { kind: 'tag', value: 'node.js', raw: '[node.js]' },
      { kind: 'tag', value: 'typescript', raw: '[typescript]' },
    ]);
  });

  it('reads adjacent tags and tags glued to words', () => {
    const q = parseSearchQuery('[a][b] foo[bar]');
    expect(q.tags).toEqual(['a', 'b', 'bar']);
    expect(q.terms).toEqual(['foo']);
  });

  it('accepts the longest valid tag and every allowed character', () => {
    expect(parseSearchQuery(`[${'x'.repeat(35)}]`).tags).toEqual(['x'.repeat(35)]);
    expect(parseSearchQuery('[a-b.c+d#0]').tags).toEqual(['a-b.c+d#0']);
  });

  it('rejects malformed tags', () => {
    expectInvalid('[]', /not a valid tag/);
    expectInvalid('[two words]', /not a valid tag/);
    expectInvalid(`[${'x'.repeat(36)}]`, /not a valid tag/);
    expectInvalid('[semi;colon]', /not a valid tag/);
    expectInvalid('-[bad/tag]', /not a valid tag/);
    expectInvalid('[unclosed', /missing its closing/);
    expectInvalid('-[unclosed', /missing its closing/);
    expectInvalid('[ünïcode]', /not a valid tag/);
  });
});

describe('parseSearchQuery: operators', () => {
  it('user:handle and user:me', () => {
    const q = parseSearchQuery('user:alice user:ME user:bob_42 user:alice');
    expect(q.users).toEqual(['alice', 'me', 'bob_42']);
    expect(q.chips.map((c) => c.value)).toEqual(['alice', 'me', 'bob_42', 'alice']);
  });

  it('is:question and is:answer (case-insensitive operator and value)', () => {
    expect(parseSearchQuery('is:question').type).toBe('question');
    expect(parseSearchQuery('IS:Answer').type).toBe('answer');
    expect(parseSearchQuery('is:question is:answer').type).toBe('answer');
  });

  it('score:N, including negative numbers', () => {
    expect(parseSearchQuery('score:5').minScore).toBe(5);
    expect(parseSearchQuery('score:0').minScore).toBe(0);
    expect(parseSearchQuery('score:-3').minScore).toBe(-3);
    expect(parseSearchQuery('score:+2').minScore).toBe(2);
    expect(parseSearchQuery('score:5').chips).toEqual([{ kind: 'score', value: '>= 5', raw: 'score:5' }]);
  });

  it('answers:N', () => {
    expect(parseSearchQuery('answers:0').answers).toBe(0);
    expect(parseSearchQuery('answers:3').answers).toBe(3);
    expect(parseSearchQuery('answers:0').chips[0]!.value).toBe('0');
    expect(parseSearchQuery('answers:3').chips[0]!.value).toBe('>= 3');
  });

  it('isaccepted, hasaccepted and closed take yes/no (and true/false)', () => {
    const q = parseSearchQuery('isaccepted:yes hasaccepted:no closed:YES');
    expect(q.isAccepted).toBe(true);
    expect(q.hasAccepted).toBe(false);
    expect(q.isClosed).toBe(true);
    expect(parseSearchQuery('isaccepted:no').isAccepted).toBe(false);
    expect(parseSearchQuery('hasaccepted:true').hasAccepted).toBe(true);
    expect(parseSearchQuery('closed:false').isClosed).toBe(false);
  });

  it('space:slug (repeatable)', () => {
    expect(parseSearchQuery('space:Frontend space:back-end space:frontend').spaces).toEqual(['frontend', 'back-end']);
  });

  it('combines operators, tags, phrases and text, with chips in input order', () => {
    const q = parseSearchQuery(
      'webpack [typescript] -[angular] "module not found" user:me is:question score:2 answers:0 closed:no space:web created:2024 error',
    );
    expect(q.terms).toEqual(['webpack', 'error']);
    expect(q).toMatchObject({
      tags: ['typescript'],
      excludedTags: ['angular'],
      phrases: ['module not found'],
      users: ['me'],
      type: 'question',
      minScore: 2,
      answers: 0,
      isClosed: false,
      spaces: ['web'],
      createdFrom: utc(2024, 1),
      createdTo: utc(2025, 1),
    });
    expect(q.chips.map((c) => c.kind)).toEqual(['tag', 'tag', 'phrase', 'user', 'is', 'score', 'answers', 'closed', 'space', 'created']);
    expect(q.chips.every((c) => typeof c.raw === 'string' && c.raw.length > 0)).toBe(true);
  });
});

describe('parseSearchQuery: created', () => {
  it('a year, a month and a day', () => {
    expect(parseSearchQuery('created:2024')).toMatchObject({ createdFrom: utc(2024, 1), createdTo: utc(2025, 1) });
    expect(parseSearchQuery('created:2024-02')).toMatchObject({ createdFrom: utc(2024, 2), createdTo: utc(2024, 3) });
    expect(parseSearchQuery('created:2024-12')).toMatchObject({ createdFrom: utc(2024, 12), createdTo: utc(2025, 1) });
    expect(parseSearchQuery('created:2024-01-15')).toMatchObject({ createdFrom: utc(2024, 1, 15), createdTo: utc(2024, 1, 16) });
    expect(parseSearchQuery('created:2024-02-29')).toMatchObject({ createdFrom: utc(2024, 2, 29), createdTo: utc(2024, 3, 1) });
  });

  it('ranges end at the end of their last period', () => {
    expect(parseSearchQuery('created:2024-01..2024-06')).toMatchObject({ createdFrom: utc(2024, 1), createdTo: utc(2024, 7) });
    expect(parseSearchQuery('created:2023..2024')).toMatchObject({ createdFrom: utc(2023, 1), createdTo: utc(2025, 1) });
    expect(parseSearchQuery('created:2024-01-10..2024-01-20')).toMatchObject({
      createdFrom: utc(2024, 1, 10),
      createdTo: utc(2024, 1, 21),
    });
    expect(parseSearchQuery('created:2024-03..2024-03')).toMatchObject({ createdFrom: utc(2024, 3), createdTo: utc(2024, 4) });
  });

  it('open-ended ranges', () => {
    const from = parseSearchQuery('created:2024..');
    expect(from.createdFrom).toBe(utc(2024, 1));
    expect(from.createdTo).toBeUndefined();
    const to = parseSearchQuery('created:..2024-06');
    expect(to.createdFrom).toBeUndefined();
    expect(to.createdTo).toBe(utc(2024, 7));
  });

  it('shows the range as inclusive days on its chip, and the last created: wins', () => {
    expect(parseSearchQuery('created:2024-01..2024-06').chips[0]).toEqual({
      kind: 'created',
      value: '2024-01-01..2024-06-30',
      raw: 'created:2024-01..2024-06',
    });
    const q = parseSearchQuery('created:2020 created:2024..');
    expect(q.createdFrom).toBe(utc(2024, 1));
    expect(q.createdTo).toBeUndefined();
  });
});

describe('parseSearchQuery: malformed values name their operator', () => {
  const cases: Array<[string, RegExp]> = [
    ['score:abc', /^score: expects a whole number/],
    ['score:1.5', /^score:/],
    ['score:--1', /^score:/],
    ['score:', /^score: needs a value/],
    ['answers:-1', /^answers: expects a number of at least 0/],
    ['answers:many', /^answers:/],
    ['answers:', /^answers: needs a value/],
    ['is:banana', /^is: expects question or answer/],
    ['is:', /^is: needs a value/],
    ['isaccepted:maybe', /^isaccepted: expects yes or no/],
    ['hasaccepted:1', /^hasaccepted: expects yes or no/],
    ['closed:perhaps', /^closed: expects yes or no/],
    ['user:', /^user: needs a value/],
    ['user:bad<handle>', /^user:/],
    ['space:', /^space: needs a value/],
    ['space:-leading', /^space:/],
    ['space:bad!slug', /^space:/],
    ['created:2024-13', /^created: expects a date/],
    ['created:2024-00', /^created:/],
    ['created:2024-02-30', /^created:/],
    ['created:2023-02-29', /^created:/],
    ['created:yesterday', /^created:/],
    ['created:24', /^created:/],
    ['created:..', /^created:/],
    ['created:2024...2025', /^created:/],
    ['created:2024-01..2023', /^created: the range .* ends before it starts/],
    ['created:', /^created: needs a value/],
  ];
  for (const [input, message] of cases) {
    it(`rejects ${input}`, () => {
      const error = expectInvalid(`webpack ${input}`, message);
      expect(error.message).toContain('query: ');
    });
  }
});

describe('plain text for the index', () => {
  it('drops Markdown markup but keeps the words, code included', () => {
    const md = [
      '# Heading **bold** and _em_',
      '',
      '> quoted *text* with ~~strike~~',
      '',
      '- item one',
      '1. item [link text](https://example.com/a_(b) "title") and ![alt words](img.png)',
      '',
      '```ts title="x"',
      'const snake_case = a * b; // <div> stays',
      '```',
      '',
      'Inline `useEffect()` and <span class="x">html</span> &amp; &lt;tags&gt; &#35;1',
      '',
      '| col a | col b |',
      '|-------|:-----:|',
      '| 1 | 2 |',
      '',
      '[ref]: https://example.com',
      'See [the docs][ref] or <https://auto.link/x>. snake_case_name stays; 2 * 3 too. \\*escaped\\*',
      '<!-- hidden comment -->',
      '<script>alert(1)</script>after',
    ].join('\n');
    expect(markdownToPlainText(md)).toBe(
      'Heading bold and em quoted text with strike item one item link text and alt words ' +
        'const snake_case = a * b; // <div> stays ' +
        'Inline useEffect() and html & <tags> #1 col a col b 1 2 ' +
        'See the docs or https://auto.link/x . snake_case_name stays; 2 * 3 too. *escaped* after',
    );
  });

  it('handles empty input, unterminated fences and CRLF', () => {
    expect(markdownToPlainText('')).toBe('');
    expect(markdownToPlainText('text\r\n```\r\ncode line')).toBe('text code line');
  });
});

describe('safe highlight HTML', () => {
  it('escapes everything but balanced markers', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(markedToHtml('a <b> [[x]] & [[y', '[[', ']]')).toBe('a &lt;b&gt; <mark>x</mark> &amp; <mark>y</mark>');
    expect(markedToHtml(']] stray [[', '[[', ']]')).toBe(' stray ');
    expect(markedToHtml('<mark><script></mark>', '<mark>', '</mark>')).toBe('<mark>&lt;script&gt;</mark>');
  });
});
