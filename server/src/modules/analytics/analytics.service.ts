// communityAnalytics: a space's figures over a date range, summed from the daily rollups read by
// `_id` (at most MAX_DAYS of them). The vendor's engineers of that space and site admins only.
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import type { PageWindow } from '../../lib/connection.js';
import { ValidationError } from '../../lib/errors.js';
import { parseInput } from '../../lib/validate.js';
import { reposOf } from '../services.js';
import { median } from '../support/support.rules.js';
import { requireEngineerOfSpace, viewerEngineerSpaces } from '../support/support.service.js';
import type { SpaceDoc } from '../space/space.model.js';
import type { AnalyticsDayDoc } from './analytics.model.js';

export const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

/** One day's figures (the same definitions as the range's). */
export interface AnalyticsDayRow {
  day: string;
  questions: number;
  answered: number;
  unanswered: number;
  medianFirstAnswerMinutes: number | null;
  medianResolutionMinutes: number | null;
  slaMet: number;
  slaBreached: number;
  slaPending: number;
  answers: number;
  staffAnswers: number;
}

export interface CommunityAnalytics {
  spaceId: string;
  from: string;
  to: string;
  days: AnalyticsDayRow[];
  questions: number;
  answered: number;
  /** answered / questions (null without questions) */
  answerRate: number | null;
  medianFirstAnswerMinutes: number | null;
  medianResolutionMinutes: number | null;
  slaMet: number;
  slaBreached: number;
  slaPending: number;
  /** met / (met + breached) */
  slaAttainment: number | null;
  unansweredBacklog: number;
  answers: number;
  staffAnswers: number;
  staffShare: number | null;
  topContributors: Array<{ userId: string; answers: number; staff: boolean }>;
}

const input = z.object({
  spaceId: z.string(),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'use YYYY-MM-DD' }),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'use YYYY-MM-DD' }),
});

export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end)) throw new ValidationError('is not a date', 'from');
  if (end < start) throw new ValidationError('must not be before "from"', 'to');
  const n = Math.round((end - start) / DAY_MS) + 1;
  if (n > MAX_DAYS) throw new ValidationError(`at most ${MAX_DAYS} days`, 'to');
  return Array.from({ length: n }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
}

/** Sums daily rollups (pure). */
export function summarise(spaceId: string, days: string[], docs: ReadonlyArray<AnalyticsDayDoc | null>): CommunityAnalytics {
  const rows = docs.filter((d): d is AnalyticsDayDoc => d !== null);
  const sum = (f: (d: AnalyticsDayDoc) => number) => rows.reduce((n, d) => n + f(d), 0);
  const contributors = new Map<string, { userId: string; answers: number; staff: boolean }>();
  for (const d of rows)
    for (const c of d.contributors) {
      const cur = contributors.get(c.userId) ?? { userId: c.userId, answers: 0, staff: c.staff };
      cur.answers += c.answers;
      contributors.set(c.userId, cur);
    }
  const questions = sum((d) => d.questions);
  const answered = sum((d) => d.answered);
  const slaMet = sum((d) => d.slaMet);
  const slaBreached = sum((d) => d.slaBreached);
  const all = [...contributors.values()];
  const answers = all.reduce((n, c) => n + c.answers, 0);
  const staffAnswers = all.filter((c) => c.staff).reduce((n, c) => n + c.answers, 0);
  const byDay = new Map(rows.map((d) => [d.day, d]));
  return {
    spaceId,
    from: days[0]!,
    to: days[days.length - 1]!,
    days: days.map((day) => dayRow(day, byDay.get(day))),
    questions,
    answered,
    answerRate: questions ? answered / questions : null,
    medianFirstAnswerMinutes: median(rows.flatMap((d) => d.firstAnswerMinutes)),
    medianResolutionMinutes: median(rows.flatMap((d) => d.resolutionMinutes)),
    slaMet,
    slaBreached,
    slaPending: sum((d) => d.slaPending),
    slaAttainment: slaMet + slaBreached ? slaMet / (slaMet + slaBreached) : null,
    unansweredBacklog: sum((d) => d.unanswered),
    answers,
    staffAnswers,
    staffShare: answers ? staffAnswers / answers : null,
    topContributors: all.sort((a, b) => b.answers - a.answers || a.userId.localeCompare(b.userId)).slice(0, 10),
  };
}

function dayRow(day: string, d: AnalyticsDayDoc | undefined): AnalyticsDayRow {
  const answers = (d?.contributors ?? []).reduce((n, c) => n + c.answers, 0);
  const staffAnswers = (d?.contributors ?? []).filter((c) => c.staff).reduce((n, c) => n + c.answers, 0);
  return {
    day,
    questions: d?.questions ?? 0,
    answered: d?.answered ?? 0,
    unanswered: d?.unanswered ?? 0,
    medianFirstAnswerMinutes: median(d?.firstAnswerMinutes ?? []),
    medianResolutionMinutes: median(d?.resolutionMinutes ?? []),
    slaMet: d?.slaMet ?? 0,
    slaBreached: d?.slaBreached ?? 0,
    slaPending: d?.slaPending ?? 0,
    answers,
    staffAnswers,
  };
}

export async function communityAnalytics(ctx: Context, raw: z.input<typeof input>): Promise<CommunityAnalytics> {
  const args = parseInput(input, raw);
  const days = daysBetween(args.from, args.to);
  const spaceId = await requireEngineerOfSpace(ctx, args.spaceId);
  const docs = await reposOf(ctx).analytics.findByIdsOrdered(days.map((d) => `${spaceId.toHexString()}:${d}`));
  return summarise(spaceId.toHexString(), days, docs);
}

const CSV_COLUMNS = [
  'day',
  'questions',
  'answered',
  'unanswered',
  'answer_rate',
  'median_first_answer_minutes',
  'median_resolution_minutes',
  'sla_met',
  'sla_breached',
  'sla_pending',
  'sla_attainment',
  'answers',
  'staff_answers',
  'staff_share',
] as const;

/** A number as the CSV writes it: plain decimals (at most 4 places), empty when there is none. */
export function csvNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '';
  return String(Math.round(n * 10_000) / 10_000);
}

const ratio = (a: number, b: number) => (b ? a / b : null);

/**
 * CSV (RFC 4180) of the figures the analytics page shows: one row per day, then a `total` row
 * for the whole range (medians over every question of the range, not of the days' medians).
 * Figures only, no free text.
 */
export function analyticsCsv(a: CommunityAnalytics): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const d of a.days)
    lines.push(
      [
        d.day,
        d.questions,
        d.answered,
        d.unanswered,
        csvNumber(ratio(d.answered, d.questions)),
        csvNumber(d.medianFirstAnswerMinutes),
        csvNumber(d.medianResolutionMinutes),
        d.slaMet,
        d.slaBreached,
        d.slaPending,
        csvNumber(ratio(d.slaMet, d.slaMet + d.slaBreached)),
        d.answers,
        d.staffAnswers,
        csvNumber(ratio(d.staffAnswers, d.answers)),
      ].join(','),
    );
  lines.push(
    [
      'total',
      a.questions,
      a.answered,
      a.unansweredBacklog,
      csvNumber(a.answerRate),
      csvNumber(a.medianFirstAnswerMinutes),
      csvNumber(a.medianResolutionMinutes),
      a.slaMet,
      a.slaBreached,
      a.slaPending,
      csvNumber(a.slaAttainment),
      a.answers,
      a.staffAnswers,
      csvNumber(a.staffShare),
    ].join(','),
  );
  return `${lines.join('\r\n')}\r\n`;
}

/** The spaces whose analytics the viewer may see: every space for admins (first 200 by name), a vendor's for its engineers. */
export async function analyticsSpaces(ctx: Context): Promise<SpaceDoc[]> {
  const spaces = await viewerEngineerSpaces(ctx);
  if (spaces === 'ALL') {
    const window: PageWindow = { limit: 200, backward: false, cursor: null };
    return (await reposOf(ctx).spaces.listByName(window)).slice(0, window.limit);
  }
  const docs = await reposOf(ctx).spaces.findManyByIds(spaces.map((id) => new Types.ObjectId(id)));
  return docs.sort((a, b) => a.name.localeCompare(b.name));
}
