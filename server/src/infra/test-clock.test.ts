import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { parseOffset, testClockKey } from './test-clock.js';

describe('the e2e test clock', () => {
  it('reads a whole number of ms; anything else is no offset', () => {
    expect(parseOffset('12600000')).toBe(12_600_000);
    expect(parseOffset('-5000')).toBe(-5000);
    expect(parseOffset(' 42 ')).toBe(42);
    for (const bad of [null, '', 'soon', '1.5', '1e9', '99999999999999999999']) expect(parseOffset(bad)).toBe(0);
    expect(testClockKey('colloquy-e2e:')).toBe('colloquy-e2e:test:clock-offset-ms');
  });

  it('is off by default and refused in production', () => {
    expect(loadConfig({}).testClock).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', TEST_CLOCK: 'true' }).testClock).toBe(true);
    expect(() => loadConfig({ NODE_ENV: 'production', TEST_CLOCK: 'true' })).toThrow(/TEST_CLOCK must not be set when NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: 'production', TEST_CLOCK: 'false' }).testClock).toBe(false);
  });
});
