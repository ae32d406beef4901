// communityAnalytics: a space's figures over a date range, summed from the daily rollups read by
// `_id` (at most MAX_DAYS of them). The vendor's engineers of that space and site admins only.
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ValidationError } from '../../lib/errors.js';
import { parseInput } from '../../lib/validate.js';
import { reposOf } from '../services.js';
import { median } from '../support/support.rules.js';
import { requireEngineerOfSpace } from '../support/support.service.js';
import type { AnalyticsDayDoc } from './analytics.model.js';

export const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

export interface CommunityAnalytics {
  spaceId: string;
  from: string;
  to: string;
  days: Array<{ day: string; questions: number; answered: number }>;
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
    days: days.map((day) => ({ day, questions: byDay.get(day)?.questions ?? 0, answered: byDay.get(day)?.answered ?? 0 })),
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

export async function communityAnalytics(ctx: Context, raw: z.input<typeof input>): Promise<CommunityAnalytics> {
  const args = parseInput(input, raw);
  const days = daysBetween(args.from, args.to);
  const spaceId = await requireEngineerOfSpace(ctx, args.spaceId);
  const docs = await reposOf(ctx).analytics.findByIdsOrdered(days.map((d) => `${spaceId.toHexString()}:${d}`));
  return summarise(spaceId.toHexString(), days, docs);
}

/** CSV of the daily figures (RFC 4180; figures only, no free text). */
export function analyticsCsv(a: CommunityAnalytics): string {
  const lines = ['day,questions,answered'];
  for (const d of a.days) lines.push(`${d.day},${d.questions},${d.answered}`);
  return `${lines.join('\r\n')}\r\n`;
}
