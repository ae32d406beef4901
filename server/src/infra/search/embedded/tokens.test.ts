import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { searchTokens as tokenize } from '../../../lib/plain-text.js';
import { mulberry32 } from '../../../lib/random.js';
import { ScratchDb } from './scratch.js';
import { CLOSE, OPEN, PAIR_GAP, TOKENIZER, asciiTokens, clean, exactTokens, ftsString, isAscii, pairPhrase, pairText } from './tokens.js';

/** the tests are deterministic */
const prng = mulberry32;

describe('embedded search: tokens', () => {
  it('tokenizes like the index', () => {
    expect(tokenize('Using C++ and C# with Node.js — naïve café!')).toEqual([
      'using',
      'c++',
      'and',
      'c#',
      'with',
      'node',
      'js',
      'naive',
      'cafe',
    ]);
  });

  it('splits ASCII text exactly like the FTS5 tokenizer', () => {
    const db = new Database(':memory:');
    try {
      db.exec(
        `CREATE VIRTUAL TABLE t USING fts5(x, tokenize = "${TOKENIZER}", content = ''); CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');`,
      );
      const rand = prng(11);
      const alphabet = 'aZ09+#_-.,;:!?"\'()[]{}<>/\\|@$%^&*=~` \t\nQxyz';
      const texts = ['C++ and C# with Node.js', 'e-mail_address x86-64 ++ # a+b a#b', ''];
      for (let i = 0; i < 300; i++) {
        let t = '';
        const n = Math.floor(rand() * 60);
        for (let k = 0; k < n; k++) t += alphabet[Math.floor(rand() * alphabet.length)];
        texts.push(t);
      }
      texts.push(Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join(''));
      const insert = db.prepare(`INSERT INTO t (rowid, x) VALUES (?, ?)`);
      texts.forEach((t, i) => insert.run(i + 1, t));
      const byDoc = new Map<number, string[]>();
      for (const [doc, offset, term] of db.prepare(`SELECT doc, offset, term FROM v`).raw().all() as [number, number, string][]) {
        const list = byDoc.get(doc) ?? [];
        list[offset] = term;
        byDoc.set(doc, list);
      }
      texts.forEach((t, i) => expect(asciiTokens(t)).toEqual(byDoc.get(i + 1) ?? []));
    } finally {
      db.close();
    }
  });

  it('makes word pairs and pair phrases', () => {
    expect(pairText(['a', 'b', 'c'])).toBe('a_b b_c');
    expect(pairText(['a'])).toBe('');
    expect(pairText(['a', 'x'.repeat(101), 'c', 'd'])).toBe('_ _ c_d');
    expect(pairPhrase(['a', 'b', 'c'])).toBe('"a_b b_c"');
    expect(pairPhrase(['c++', 'c#'])).toBe('"c++_c#"');
    expect(pairPhrase(['a'])).toBeNull();
    expect(pairPhrase(['a', 'x'.repeat(101)])).toBeNull();
  });
});

describe('embedded search: exact tokens and text clean-up', () => {
  const scratch = new ScratchDb();
  afterAll(() => scratch.close());
  const fts5 = (texts: readonly string[]) => scratch.tokenize(texts);

  it('tokenizes ASCII texts itself and only the others through FTS5, keeping their order', () => {
    const asked: string[][] = [];
    const tokens = exactTokens(['Café au lait', 'C++ and C#', '', 'Zürich: naïve ÉCOLE'], (texts) => {
      asked.push([...texts]);
      return fts5(texts);
    });
    expect(asked).toEqual([['Café au lait', 'Zürich: naïve ÉCOLE']]);
    expect(tokens).toEqual([['cafe', 'au', 'lait'], ['c++', 'and', 'c#'], [], ['zurich', 'naive', 'ecole']]);
    expect(exactTokens(['all ascii'], () => expect.fail('FTS5 is not needed for ASCII'))).toEqual([['all', 'ascii']]);
  });

  it('never leaves a hole in the positions FTS5 reports', () => {
    const sparse: string[] = [];
    sparse[2] = 'c';
    expect(exactTokens(['ü'], () => [sparse])).toEqual([[PAIR_GAP, PAIR_GAP, 'c']]);
  });

  it('tells ASCII texts apart', () => {
    expect(isAscii('plain text, 100% ASCII\n')).toBe(true);
    expect(isAscii('naïve')).toBe(false);
    expect(isAscii('')).toBe(true);
  });

  it('removes the highlight markers and other control characters, keeping tab and newlines', () => {
    expect(clean(`a${OPEN}b${CLOSE}c\u0000d\u001fe`)).toBe('a b c d e');
    expect(clean('tab\there\nline\r\nend')).toBe('tab\there\nline\r\nend');
    expect(clean('abcdef', 3)).toBe('abc');
  });

  it('quotes text as one FTS5 string', () => {
    expect(ftsString('node.js')).toBe('"node.js"');
    expect(ftsString('say "hi" OR NEAR')).toBe('"say ""hi"" OR NEAR"');
  });

  it('highlights the matches of a page of hits, marked for markedToHtml', () => {
    const marks = scratch.highlights(
      [
        { rid: 7, title: 'Connection pooling explained', tags: 'db', body: 'why pooling helps' },
        { rid: 9, title: 'Unrelated', tags: '', body: 'nothing here' },
      ],
      '"pooling"',
    );
    expect([...marks.keys()]).toEqual([7]);
    expect(marks.get(7)).toEqual([`Connection ${OPEN}pooling${CLOSE} explained`, `why ${OPEN}pooling${CLOSE} helps`]);
    // the table holds only the last page: an earlier page's rows are gone
    expect(scratch.highlights([{ rid: 1, title: 'x', tags: '', body: 'y' }], '"pooling"').size).toBe(0);
  });
});
