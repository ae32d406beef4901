import { describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../../lib/search-query.js';
import { matchesWatch, type PostForMatch } from './listening.match.js';

const post = (over: Partial<PostForMatch> = {}): PostForMatch => ({
  type: 'question',
  title: 'Replication stopped',
  body: 'After the upgrade we saw **data loss** on the replica.',
  tags: ['db2'],
  authorHandle: 'carol',
  spaceSlug: 'db',
  score: 0,
  ...over,
});

describe('listening matches', () => {
  it('matches a phrase only as written, in title or body', () => {
    const q = parseSearchQuery('"data loss"');
    expect(matchesWatch(q, post())).toBe(true);
    expect(matchesWatch(q, post({ body: 'No loss of data here, just some loss.' }))).toBe(false);
    expect(matchesWatch(q, post({ title: 'Data loss after upgrade', body: 'It happened again yesterday.' }))).toBe(true);
  });
  it('applies tags, type, author and space', () => {
    expect(matchesWatch(parseSearchQuery('"data loss" [db2]'), post())).toBe(true);
    expect(matchesWatch(parseSearchQuery('"data loss" [mq]'), post())).toBe(false);
    expect(matchesWatch(parseSearchQuery('"data loss" -[db2]'), post())).toBe(false);
    expect(matchesWatch(parseSearchQuery('replica is:answer'), post())).toBe(false);
    expect(matchesWatch(parseSearchQuery('replica user:carol space:db'), post())).toBe(true);
    expect(matchesWatch(parseSearchQuery('CVE'), post())).toBe(false);
  });
  it('never matches an empty query', () => {
    expect(matchesWatch(parseSearchQuery(''), post())).toBe(false);
  });
});
