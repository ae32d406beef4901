import { describe, expect, it } from 'vitest';
import { linkMentions, mentionedHandles } from './notification.mentions.js';

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

describe('linkMentions', () => {
  const known = new Set(['carol', 'bob_2']);
  it('links the mentions of known members to their profiles, keeping the text as written', () => {
    expect(linkMentions('<p>Hi @Carol and @nobody, ask @bob_2.</p>', known)).toBe(
      '<p>Hi <a href="/users/carol" class="mention">@Carol</a> and @nobody, ask <a href="/users/bob_2" class="mention">@bob_2</a>.</p>',
    );
  });
  it('leaves code, links, e-mail addresses and attributes alone', () => {
    const html =
      '<p><code>@carol</code> <a href="mailto:x@carol.dev">x@carol.dev</a> <img alt="@carol" src="https://x/@carol" /> mail x@carol</p><pre><code>@carol\n</code></pre>';
    expect(linkMentions(html, known)).toBe(html);
  });
  it('links again after a closed code span and in nested markup', () => {
    expect(linkMentions('<p><code>@carol</code> <em>@carol</em></p>', known)).toBe(
      '<p><code>@carol</code> <em><a href="/users/carol" class="mention">@carol</a></em></p>',
    );
  });
  it('returns the HTML unchanged when nobody is known', () => {
    expect(linkMentions('<p>@carol</p>', new Set())).toBe('<p>@carol</p>');
  });
});
