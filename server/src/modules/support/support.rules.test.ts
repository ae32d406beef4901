import { describe, expect, it } from 'vitest';
import { coversLatest, inQueue, median, slaStateOf, targetFor, verificationLabel, versionRange } from './support.rules.js';

const base = {
  status: 'OPEN' as const,
  askedAt: new Date('2026-01-05T10:00:00Z'),
  firstResponseAt: null,
  firstResponseDue: new Date('2026-01-05T14:00:00Z'),
  resolutionDue: new Date('2026-01-06T10:00:00Z'),
  resolvedAt: null,
  warnBeforeMinutes: 60,
  reverify: false,
  reverifySince: null,
  caseOpen: false,
};

describe('support rules', () => {
  it('tells on-track, breaching and breached apart', () => {
    expect(slaStateOf(base, new Date('2026-01-05T12:00:00Z'))).toBe('ON_TRACK');
    expect(slaStateOf(base, new Date('2026-01-05T13:30:00Z'))).toBe('BREACHING');
    expect(slaStateOf(base, new Date('2026-01-05T14:00:00Z'))).toBe('BREACHED');
  });
  it('moves to the resolution deadline after the first response, out of the queue when resolved', () => {
    const responded = { ...base, firstResponseAt: new Date('2026-01-05T11:00:00Z') };
    expect(slaStateOf(responded, new Date('2026-01-05T15:00:00Z'))).toBe('ON_TRACK');
    const resolved = { ...responded, status: 'RESOLVED' as const, resolvedAt: new Date('2026-01-05T12:00:00Z') };
    expect(slaStateOf(resolved, new Date('2026-01-09T00:00:00Z'))).toBe('MET');
    expect(inQueue(resolved)).toBe(false);
    expect(inQueue({ ...resolved, reverify: true })).toBe(true);
    expect(inQueue({ ...resolved, caseOpen: true })).toBe(true);
  });
  it('picks the tier target, else DEFAULT', () => {
    const targets = [
      { tier: 'DEFAULT', firstResponseMinutes: 240, resolutionMinutes: 960 },
      { tier: 'PREMIUM', firstResponseMinutes: 60, resolutionMinutes: 480 },
    ];
    expect(targetFor(targets, 'PREMIUM').firstResponseMinutes).toBe(60);
    expect(targetFor(targets, 'GOLD').firstResponseMinutes).toBe(240);
    expect(targetFor([], null).firstResponseMinutes).toBe(240);
  });
  it('labels verified versions', () => {
    const declared = ['3.2', '3.3', '4.0'];
    expect(versionRange(declared, ['4.0', '3.2', '3.3'])).toBe('3.2–4.0');
    expect(versionRange(declared, ['3.2', '4.0'])).toBe('3.2, 4.0');
    expect(verificationLabel(declared, ['3.2', '3.3', '4.0'])).toBe('Verified for 3.2–4.0');
    expect(verificationLabel([...declared, '5.0'], ['4.0'])).toBe('verified for 4.0');
    expect(coversLatest([...declared, '5.0'], ['4.0'])).toBe(false);
    expect(verificationLabel(declared, [])).toBeNull();
  });
  it('takes medians', () => {
    expect(median([])).toBeNull();
    expect(median([30, 10, 20])).toBe(20);
    expect(median([10, 40, 20, 30])).toBe(25);
  });
});
