import { describe, expect, it } from 'vitest';
import { mentionedHandles } from './notification.mentions.js';

describe('mentionedHandles', () => {
  it('finds handles, lowercased and unique', () => {
    expect(mentionedHandles('Hi @Carol and @bob_2, see @carol.')).toEqual(['carol', 'bob_2']);
  });
  it('ignores code, e-mail addresses and too-short handles', () => {
    const text = 'mail me at dan@example.com, `@inline` here\n\n```\n@fenced\n```\n\n    @indented\n\n@ab is too short, @real-one counts';
    expect(mentionedHandles(text)).toEqual(['real-one']);
  });
  it('caps the number of mentions', () => {
    const text = Array.from({ length: 30 }, (_, i) => `@member${i}`).join(' ');
    expect(mentionedHandles(text)).toHaveLength(20);
  });
});
