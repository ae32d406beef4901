import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, businessMinutesBetween, DEFAULT_CALENDAR, isTimeZone, type BusinessCalendar } from './business-hours.js';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('business hours (UTC, Mon–Fri 09:00–17:00)', () => {
  it('adds within one working day', () => {
    // 2026-01-05 is a Monday
    expect(iso(addBusinessMinutes(at('2026-01-05T10:00:00Z'), 240))).toBe('2026-01-05T14:00:00.000Z');
  });
  it('carries over the night to the next opening', () => {
    expect(iso(addBusinessMinutes(at('2026-01-05T15:00:00Z'), 240))).toBe('2026-01-06T11:00:00.000Z');
  });
  it('starts at opening time when asked before it', () => {
    expect(iso(addBusinessMinutes(at('2026-01-05T06:30:00Z'), 60))).toBe('2026-01-05T10:00:00.000Z');
  });
  it('skips the weekend', () => {
    // Friday 16:00 + 2 h → Monday 10:00
    expect(iso(addBusinessMinutes(at('2026-01-09T16:00:00Z'), 120))).toBe('2026-01-12T10:00:00.000Z');
    // asked on Saturday
    expect(iso(addBusinessMinutes(at('2026-01-10T12:00:00Z'), 30))).toBe('2026-01-12T09:30:00.000Z');
  });
  it('skips holidays', () => {
    const cal = { ...DEFAULT_CALENDAR, holidays: ['2026-01-06'] };
    expect(iso(addBusinessMinutes(at('2026-01-05T15:00:00Z'), 240, cal))).toBe('2026-01-07T11:00:00.000Z');
  });
  it('counts working minutes between two instants', () => {
    expect(businessMinutesBetween(at('2026-01-05T10:00:00Z'), at('2026-01-05T14:00:00Z'))).toBe(240);
    expect(businessMinutesBetween(at('2026-01-09T16:00:00Z'), at('2026-01-12T10:00:00Z'))).toBe(120);
    expect(businessMinutesBetween(at('2026-01-12T10:00:00Z'), at('2026-01-09T16:00:00Z'))).toBe(0);
  });
  it('is the inverse of adding', () => {
    for (const start of ['2026-01-05T08:00:00Z', '2026-01-07T16:59:00Z', '2026-01-10T00:00:00Z']) {
      const due = addBusinessMinutes(at(start), 600)!;
      expect(businessMinutesBetween(at(start), due)).toBe(600);
    }
  });
});

describe('business hours in a time zone', () => {
  const ny: BusinessCalendar = {
    timeZone: 'America/New_York',
    workingDays: [1, 2, 3, 4, 5],
    startMinute: 540,
    endMinute: 1020,
    holidays: [],
  };
  it('opens at 09:00 local time (14:00 UTC in winter)', () => {
    expect(iso(addBusinessMinutes(at('2026-01-05T10:00:00Z'), 60, ny))).toBe('2026-01-05T15:00:00.000Z');
  });
  it('follows the daylight-saving change (13:00 UTC in summer)', () => {
    expect(iso(addBusinessMinutes(at('2026-07-06T10:00:00Z'), 60, ny))).toBe('2026-07-06T14:00:00.000Z');
  });
  it('uses the local date for working days and holidays', () => {
    // Friday 2026-01-09 23:30 in New York is Saturday in UTC: still Friday locally, after hours
    expect(iso(addBusinessMinutes(at('2026-01-10T03:30:00Z'), 60, { ...ny, holidays: ['2026-01-12'] }))).toBe('2026-01-13T15:00:00.000Z');
  });
  it('knows time zone names', () => {
    expect(isTimeZone('Europe/Zurich')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
  it('has no deadline without working time', () => {
    expect(addBusinessMinutes(at('2026-01-05T10:00:00Z'), 60, { ...ny, workingDays: [] })).toBeNull();
  });
});
