import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { decodeCursor, encodeCursor, pageWindow, toConnection } from './connection.js';

describe('keyset connections', () => {
  it('round-trips cursors, dates included', () => {
    const d = new Date('2026-01-02T03:04:05Z');
    expect(decodeCursor(encodeCursor(d, 'abc'), 'after')).toEqual({ key: d, id: 'abc' });
    expect(decodeCursor(encodeCursor(42, 'x'), 'after')).toEqual({ key: 42, id: 'x' });
  });

  it('rejects garbage cursors and out-of-range sizes with VALIDATION naming the argument', () => {
    expect(() => decodeCursor('%%%', 'after')).toThrow(ValidationError);
    expect(() => pageWindow({ first: 101 })).toThrow(/first must be between 1 and 100/);
    expect(() => pageWindow({ first: 0 })).toThrow(ValidationError);
    expect(() => pageWindow({ last: 500 })).toThrow(/last/);
    expect(() => pageWindow({ first: 1, last: 1 })).toThrow(/either first or last/);
    try {
      pageWindow({ first: 101 });
    } catch (error) {
      expect((error as ValidationError).field).toBe('first');
    }
  });

  it('builds pageInfo from limit + 1 rows, forwards and backwards', () => {
    const fwd = toConnection([1, 2, 3], { limit: 2, cursor: null, backward: false }, (n) => String(n));
    expect(fwd.nodes).toEqual([1, 2]);
    expect(fwd.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: '1', endCursor: '2' });
    const back = toConnection([9, 8, 7], { limit: 2, cursor: { key: 10, id: 'x' }, backward: true }, (n) => String(n));
    expect(back.nodes).toEqual([8, 9]);
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });
});
