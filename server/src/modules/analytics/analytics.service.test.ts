import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { AnalyticsDayDoc } from './analytics.model.js';
import { analyticsCsv, csvNumber, daysBetween, summarise } from './analytics.service.js';

const space = new Types.ObjectId();
const day = (d: string, over: Partial<AnalyticsDayDoc>): AnalyticsDayDoc => ({
  _id: `${space.toHexString()}:${d}`,
  spaceId: space,
  day: d,
  questions: 0,
  answered: 0,
  unanswered: 0,
  firstAnswerMinutes: [],
  resolutionMinutes: [],
  slaMet: 0,
  slaBreached: 0,
  slaPending: 0,
  contributors: [],
  builtAt: new Date(0),
  ...over,
});

describe('summarise and the CSV', () => {
  const days = daysBetween('2026-01-05', '2026-01-07');
  const docs = [
    day('2026-01-05', {
      questions: 2,
      answered: 2,
      firstAnswerMinutes: [10, 30],
      resolutionMinutes: [60],
      slaMet: 1,
      contributors: [
        { userId: 'a', answers: 2, staff: true },
        { userId: 'b', answers: 1, staff: false },
      ],
    }),
    null,
    day('2026-01-07', { questions: 2, answered: 1, unanswered: 1, firstAnswerMinutes: [120], slaBreached: 1, slaPending: 1 }),
  ];

  it('sums the days; medians over every question of the range', () => {
    const a = summarise(space.toHexString(), days, docs);
    expect(a).toMatchObject({
      questions: 4,
      answered: 3,
      answerRate: 0.75,
      medianFirstAnswerMinutes: 30,
      medianResolutionMinutes: 60,
      slaMet: 1,
      slaBreached: 1,
      slaPending: 1,
      slaAttainment: 0.5,
      unansweredBacklog: 1,
      answers: 3,
      staffAnswers: 2,
    });
    expect(a.days.map((d) => [d.day, d.questions, d.medianFirstAnswerMinutes, d.answers, d.staffAnswers])).toEqual([
      ['2026-01-05', 2, 20, 3, 2],
      ['2026-01-06', 0, null, 0, 0],
      ['2026-01-07', 2, 120, 0, 0],
    ]);
    expect(analyticsCsv(a).split('\r\n').slice(1)).toEqual([
      '2026-01-05,2,2,0,1,20,60,1,0,0,1,3,2,0.6667',
      '2026-01-06,0,0,0,,,,0,0,0,,0,0,',
      '2026-01-07,2,1,1,0.5,120,,0,1,1,0,0,0,',
      'total,4,3,1,0.75,30,60,1,1,1,0.5,3,2,0.6667',
      '',
    ]);
  });

  it('writes plain numbers', () => {
    expect(csvNumber(1 / 3)).toBe('0.3333');
    expect(csvNumber(null)).toBe('');
    expect(csvNumber(90)).toBe('90');
  });
});
