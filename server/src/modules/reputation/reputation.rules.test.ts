import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REPUTATION_RULES as R,
  effectiveDelta,
  loadReputationRules,
  voteAwardToAuthor,
  voteCostToVoter,
} from './reputation.rules.js';

describe('reputation rules', () => {
  it('default to Stack Overflow’s numbers', () => {
    expect(voteAwardToAuthor(R, 'question', 1)).toBe(10);
    expect(voteAwardToAuthor(R, 'answer', 1)).toBe(10);
    expect(voteAwardToAuthor(R, 'answer', -1)).toBe(-2);
    expect(voteAwardToAuthor(R, 'question', 0)).toBe(0);
    expect(voteCostToVoter(R, 'answer', -1)).toBe(-1);
    expect(voteCostToVoter(R, 'question', -1)).toBe(0);
    expect(R.answerAccepted).toBe(15);
    expect(R.acceptorBonus).toBe(2);
    expect(R.dailyCap).toBe(200);
  });

  it('caps upvote awards at 200 a day, partially at the edge', () => {
    expect(effectiveDelta(R, 10, 50, 0, true)).toBe(10);
    expect(effectiveDelta(R, 10, 50, 195, true)).toBe(5);
    expect(effectiveDelta(R, 10, 50, 200, true)).toBe(0);
    expect(effectiveDelta(R, 15, 50, 200, false)).toBe(15); // accepts are exempt
  });

  it('never takes a member below 1', () => {
    expect(effectiveDelta(R, -2, 1, 0, false)).toBe(0);
    expect(effectiveDelta(R, -2, 2, 0, false)).toBe(-1);
    expect(effectiveDelta(R, -10, 30, 0, false)).toBe(-10);
  });

  it('reads overrides from REPUTATION_RULES and rejects bad ones', () => {
    expect(loadReputationRules('{"dailyCap":300}').dailyCap).toBe(300);
    expect(loadReputationRules(undefined)).toBe(R);
    expect(() => loadReputationRules('{"dailyCap":-1}')).toThrow(/dailyCap/);
    expect(() => loadReputationRules('{"nope":1}')).toThrow();
    expect(() => loadReputationRules('not json')).toThrow(/JSON/);
  });
});
