// Support rules (pure): a ticket's SLA state, its place in the queue, version labels.
import type { BusinessCalendar } from './business-hours.js';
import type { SlaTarget, SupportSpaceDoc, TicketDoc } from './support.model.js';

export type SlaState = 'ON_TRACK' | 'BREACHING' | 'BREACHED' | 'MET' | 'NONE';
export type SlaPhase = 'FIRST_RESPONSE' | 'RESOLUTION' | 'REVERIFY' | 'CASE' | 'DONE';

export const DEFAULT_TARGET: SlaTarget = { tier: 'DEFAULT', firstResponseMinutes: 4 * 60, resolutionMinutes: 16 * 60 };

export function calendarOf(
  space: Pick<SupportSpaceDoc, 'timeZone' | 'workingDays' | 'startMinute' | 'endMinute' | 'holidays'>,
): BusinessCalendar {
  return {
    timeZone: space.timeZone,
    workingDays: space.workingDays,
    startMinute: space.startMinute,
    endMinute: space.endMinute,
    holidays: space.holidays,
  };
}

/** The target of a customer tier: its own, else the DEFAULT row, else the built-in default. */
export function targetFor(targets: readonly SlaTarget[], tier: string | null | undefined): SlaTarget {
  return targets.find((t) => t.tier === (tier ?? 'DEFAULT')) ?? targets.find((t) => t.tier === 'DEFAULT') ?? DEFAULT_TARGET;
}

type TicketFacts = Pick<
  TicketDoc,
  | 'status'
  | 'firstResponseAt'
  | 'firstResponseDue'
  | 'resolutionDue'
  | 'resolvedAt'
  | 'warnBeforeMinutes'
  | 'reverify'
  | 'reverifySince'
  | 'caseOpen'
  | 'askedAt'
>;

/** Which deadline matters now, and when it is. */
export function phaseOf(t: TicketFacts): { phase: SlaPhase; dueAt: Date | null } {
  if (t.status === 'OPEN' && !t.firstResponseAt) return { phase: 'FIRST_RESPONSE', dueAt: t.firstResponseDue };
  if (t.status === 'OPEN') return { phase: 'RESOLUTION', dueAt: t.resolutionDue };
  if (t.caseOpen) return { phase: 'CASE', dueAt: null };
  if (t.reverify) return { phase: 'REVERIFY', dueAt: null };
  return { phase: 'DONE', dueAt: null };
}

/** ON_TRACK, BREACHING (within the warning window), BREACHED, MET (resolved in time) or NONE. */
export function slaStateOf(t: TicketFacts, now: Date): SlaState {
  const { phase, dueAt } = phaseOf(t);
  if (phase === 'FIRST_RESPONSE' || phase === 'RESOLUTION') {
    if (!dueAt) return 'NONE';
    if (now.getTime() >= dueAt.getTime()) return 'BREACHED';
    if (now.getTime() >= dueAt.getTime() - t.warnBeforeMinutes * 60_000) return 'BREACHING';
    return 'ON_TRACK';
  }
  if (t.firstResponseDue && t.firstResponseAt && t.firstResponseAt > t.firstResponseDue) return 'BREACHED';
  if (t.resolutionDue && t.resolvedAt && t.resolvedAt > t.resolutionDue) return 'BREACHED';
  return t.resolvedAt ? 'MET' : 'NONE';
}

/** Whether a ticket waits in the engineer queue. */
export function inQueue(t: TicketFacts): boolean {
  return phaseOf(t).phase !== 'DONE';
}

/** The queue's sort key: the deadline, else when the work started waiting. */
export function queueScore(t: TicketFacts): number {
  const { dueAt } = phaseOf(t);
  return (dueAt ?? t.reverifySince ?? t.askedAt).getTime();
}

/** Versions in the space's declared order (unknown ones last, as given). */
export function orderVersions(declared: readonly string[], versions: readonly string[]): string[] {
  const rank = (v: string) => (declared.includes(v) ? declared.indexOf(v) : declared.length);
  return [...new Set(versions)].sort((a, b) => rank(a) - rank(b));
}

/** "3.2–4.0" for a run of consecutive declared versions, else "3.2, 4.0". */
export function versionRange(declared: readonly string[], versions: readonly string[]): string {
  const ordered = orderVersions(declared, versions);
  if (ordered.length <= 1) return ordered.join('');
  const idx = ordered.map((v) => declared.indexOf(v));
  const consecutive = idx.every((i, k) => i >= 0 && (k === 0 || i === idx[k - 1]! + 1));
  return consecutive ? `${ordered[0]}–${ordered[ordered.length - 1]}` : ordered.join(', ');
}

/** Whether verified versions cover the newest declared version. */
export function coversLatest(declared: readonly string[], versions: readonly string[]): boolean {
  const latest = declared[declared.length - 1];
  return !latest || versions.includes(latest);
}

/** "Verified for 3.2–4.0", or "verified for 4.0" (lower case: not the newest) — null when none. */
export function verificationLabel(declared: readonly string[], versions: readonly string[]): string | null {
  if (versions.length === 0) return null;
  const range = versionRange(declared, versions);
  return coversLatest(declared, versions) ? `Verified for ${range}` : `verified for ${range}`;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
