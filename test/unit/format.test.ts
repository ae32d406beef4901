// The pages' formatting helpers (web/src/lib/format.ts): relative times and counts.
import { describe, expect, it } from 'vitest';
import { compactNumber, formatNumber, timeAgo } from '../../web/src/lib/format.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

describe('timeAgo', () => {
  it('names the largest whole unit, the same on every call (the phrases are kept)', () => {
    expect(timeAgo(ago(10), NOW)).toBe('just now');
    expect(timeAgo(ago(5 * 60), NOW)).toBe('5 minutes ago');
    expect(timeAgo(ago(3 * 3600), NOW)).toBe('3 hours ago');
    expect(timeAgo(ago(3 * 3600 + 59), NOW)).toBe('3 hours ago');
    expect(timeAgo(ago(26 * 3600), NOW)).toBe('yesterday');
    expect(timeAgo(ago(3 * 7 * 24 * 3600), NOW)).toBe('3 weeks ago');
    expect(timeAgo(ago(2 * 365 * 24 * 3600), NOW)).toBe('2 years ago');
    // a later time, and a kept phrase again for another instant
    expect(timeAgo(new Date(NOW + 2 * 3600 * 1000).toISOString(), NOW)).toBe('in 2 hours');
    expect(timeAgo(ago(3 * 3600 + 30), NOW)).toBe('3 hours ago');
    expect(timeAgo('not a date', NOW)).toBe('');
  });
});

describe('formatNumber', () => {
  it('groups thousands and keeps small and fractional numbers as Intl writes them', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(999)).toBe('999');
    expect(formatNumber(-42)).toBe('-42');
    expect(formatNumber(1234)).toBe('1,234');
    expect(formatNumber(-1234567)).toBe('-1,234,567');
    expect(formatNumber(2.12345)).toBe('2.123');
    expect(compactNumber(1234)).toBe('1.2K');
  });
});
