import { describe, expect, it } from 'vitest';
import { AttributeCache, F_ANSWER, F_PRESENT } from './attributes.js';
import type { AttrRow } from './schema.js';

/** rid, type, space, author, score, answers, answered, hasAccepted, accepted, closed, created, activity */
function row(rid: number, score: number, type = 'question'): AttrRow {
  const flags = [0, 0, 0, 0] as const;
  return [rid, type, `s${rid % 3}`, `u${rid % 5}`, score, rid % 4, ...flags, rid * 1000, rid * 2000];
}

/** every per-row typed array of the cache */
function columns(c: AttributeCache): Array<Uint8Array | Int32Array | Float64Array> {
  return [c.flags, c.score, c.answers, c.created, c.activity, c.space, c.author];
}

describe('attribute cache', () => {
  it('reloads after growing past its initial capacity (every per-row array starts over)', () => {
    const cache = new AttributeCache();
    cache.reset('g1', 1);
    for (let rid = 1; rid <= 3000; rid++) cache.set(row(rid, rid));
    cache.setTags(2500, 'alpha beta');
    expect(cache.flags.length).toBeGreaterThan(3000);

    expect(() => cache.reset('g2', 7)).not.toThrow();
    expect(cache.gen).toBe('g2');
    expect(cache.seq).toBe(7);
    expect(cache.maxRid).toBe(0);
    const lengths = columns(cache).map((c) => c.length);
    expect(new Set(lengths).size).toBe(1);
    expect(lengths[0]).toBeLessThan(3000);
    for (const column of columns(cache)) expect(column.every((v) => v === 0)).toBe(true);
    expect(cache.tagsOf(2500)).toHaveLength(0);
    expect(cache.tagCount('alpha')).toBe(0);

    // the new generation loads and grows again
    for (let rid = 1; rid <= 2000; rid++) cache.set(row(rid, -rid, rid % 2 === 0 ? 'answer' : 'question'));
    expect(cache.maxRid).toBe(2000);
    expect(cache.flags[1999]).toBe(F_PRESENT);
    expect(cache.flags[2000]).toBe(F_PRESENT | F_ANSWER);
    expect(cache.flags[2001]).toBe(0);
    expect(cache.score[1500]).toBe(-1500);
    expect(cache.answers[1500]).toBe(0);
    expect(cache.created[1999]).toBe(1_999_000);
    expect(cache.activity[1999]).toBe(3_998_000);
    expect(cache.spaces.names[cache.space[1999]!]).toBe('s1');
    expect(cache.authors.names[cache.author[1999]!]).toBe('u4');
    expect(new Set(columns(cache).map((c) => c.length)).size).toBe(1);
  });
});
