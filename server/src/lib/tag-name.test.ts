import { describe, expect, it } from 'vitest';
import { normalizeTagName, normalizeTagNames } from './tag-name.js';

describe('tag names', () => {
  it('trims, lower-cases and joins inner whitespace with a hyphen', () => {
    expect(normalizeTagName('TypeScript')).toBe('typescript');
    expect(normalizeTagName('  C++ ')).toBe('c++');
    expect(normalizeTagName('Node JS')).toBe('node-js');
    expect(normalizeTagName('ruby \t on\n rails')).toBe('ruby-on-rails');
    expect(normalizeTagName('.NET')).toBe('.net');
    expect(normalizeTagName('ÉCOLE')).toBe('école');
  });

  it('does not validate: what a valid name is, is for the caller to say', () => {
    expect(normalizeTagName('   ')).toBe('');
    expect(normalizeTagName('a_b!')).toBe('a_b!');
    expect(normalizeTagName('x'.repeat(50))).toHaveLength(50);
  });

  it('normalises a list without empty names and duplicates, first occurrence first', () => {
    expect(normalizeTagNames(['Webpack', ' typescript', 'webpack ', '', '  ', 'TypeScript', 'node js', 'Node   JS'])).toEqual([
      'webpack',
      'typescript',
      'node-js',
    ]);
    expect(normalizeTagNames([])).toEqual([]);
  });

  it('leaves its input alone', () => {
    const input = Object.freeze([' A ', 'b']);
    expect(normalizeTagNames(input)).toEqual(['a', 'b']);
    expect(input).toEqual([' A ', 'b']);
  });
});
