import { describe, expect, it } from 'vitest';
import {
  closeReasonFromHistory,
  fallbackHandle,
  handleFromName,
  HANDLE_RE,
  htmlToMarkdown,
  htmlToText,
  licenseFor,
  safeUrl,
  seObjectId,
  siteDisplayName,
  siteHandle,
  siteLabel,
} from './se-mapping.js';

describe('Stack Exchange mapping helpers', () => {
  it('derives the same ObjectId from the same (site, kind, id) and different ones otherwise', () => {
    const a = seObjectId('ai.stackexchange.com', 'post', 4);
    expect(a.toHexString()).toBe(seObjectId('ai.stackexchange.com', 'post', 4).toHexString());
    expect(a.toHexString()).not.toBe(seObjectId('ai.stackexchange.com', 'user', 4).toHexString());
    expect(a.toHexString()).not.toBe(seObjectId('ux.stackexchange.com', 'post', 4).toHexString());
  });

  it('makes valid handles from any display name', () => {
    expect(handleFromName('kenorb', 8)).toBe('kenorb');
    expect(handleFromName('Ben N', 75)).toBe('Ben-N');
    expect(handleFromName('José Müller', 3)).toBe('Jose-Muller');
    expect(handleFromName('李', 12)).toBe('user-12');
    expect(handleFromName('Community', -1)).toBe('Community');
    expect(handleFromName(undefined, -1)).toBe('user-m1');
    expect(handleFromName('_-x', 5)).toBe('user-5');
    const long = handleFromName('A very long display name that goes on and on', 9);
    expect(long.length).toBeLessThanOrEqual(30);
    for (const h of [
      long,
      fallbackHandle('Ben N', 75),
      fallbackHandle('A very long display name that goes on and on', 123456),
      siteHandle('ai.stackexchange.com', 42),
    ]) {
      expect(h).toMatch(HANDLE_RE);
    }
    expect(fallbackHandle('Ben N', 75)).toBe('Ben-N-75');
  });

  it('names sites and spaces', () => {
    expect(siteLabel('ai.stackexchange.com')).toBe('ai');
    expect(siteLabel('stackoverflow.com')).toBe('stackoverflow');
    expect(siteLabel('meta.ai.stackexchange.com')).toBe('meta-ai');
    expect(siteDisplayName('ai.stackexchange.com')).toBe('AI (Stack Exchange)');
  });

  it('tells the licence from the dump or the date', () => {
    expect(licenseFor('CC BY-SA 4.0', new Date('2012-01-01'))).toBe('CC BY-SA 4.0');
    expect(licenseFor(undefined, new Date('2010-01-01'))).toBe('CC BY-SA 2.5');
    expect(licenseFor(undefined, new Date('2016-08-02'))).toBe('CC BY-SA 3.0');
    expect(licenseFor(undefined, new Date('2019-01-01'))).toBe('CC BY-SA 4.0');
  });

  it('maps close reasons', () => {
    expect(closeReasonFromHistory('101')).toBe('DUPLICATE');
    expect(closeReasonFromHistory('102')).toBe('OFF_TOPIC');
    expect(closeReasonFromHistory('105')).toBe('OPINION_BASED');
    expect(closeReasonFromHistory(undefined)).toBe('OTHER');
  });

  it('turns post HTML into Markdown and profile HTML into text', () => {
    const md = htmlToMarkdown(
      '<p>Use <code>x &lt; y</code> and <a href="https://example.com/a">this &amp; that</a>.</p>\n<pre><code>if (a &lt; b) {\n  go();\n}\n</code></pre>\n<ul><li>one</li><li><strong>two</strong></li></ul>',
    );
    expect(md).toBe('Use `x < y` and [this & that](https://example.com/a).\n\n```\nif (a < b) {\n  go();\n}\n```\n\n- one\n- **two**');
    expect(htmlToText('<p>Hello&nbsp;<b>world</b></p><p>Second&#39;s line</p>')).toBe("Hello world\n\nSecond's line");
  });

  it('keeps only http(s) links', () => {
    expect(safeUrl('http://ads.london')).toBe('http://ads.london');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('not a url')).toBeNull();
  });
});
