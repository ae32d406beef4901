import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../lib/errors.js';
import { countLinks, contentProblem, hasImage } from './limits.js';
import { DEFAULT_MODERATION_RULES, loadModerationRules } from './moderation.rules.js';
import { hasPrivilege, privilegeMessage, privilegesOf, requirePrivilege, PRIVILEGES } from './privileges.js';

describe('privileges', () => {
  it('members earn them at the threshold, not one below', () => {
    expect(hasPrivilege({ role: 'MEMBER', reputation: 14 }, 'voteUp')).toBe(false);
    expect(hasPrivilege({ role: 'MEMBER', reputation: 15 }, 'voteUp')).toBe(true);
    expect(hasPrivilege({ role: 'MEMBER', reputation: 124 }, 'voteDown')).toBe(false);
    expect(hasPrivilege({ role: 'MEMBER', reputation: 125 }, 'voteDown')).toBe(true);
    expect(hasPrivilege(null, 'voteUp')).toBe(false);
  });
  it('moderators hold all; staff the everyday ones', () => {
    expect(privilegesOf({ role: 'MODERATOR', reputation: 1 })).toHaveLength(Object.keys(PRIVILEGES).length);
    expect(hasPrivilege({ role: 'STAFF', reputation: 1 }, 'editWithoutReview')).toBe(true);
    expect(hasPrivilege({ role: 'STAFF', reputation: 1 }, 'closeReopenVotes')).toBe(false);
  });
  it('refuses with a message naming the privilege', () => {
    expect(() => requirePrivilege({ role: 'MEMBER', reputation: 1 }, 'voteUp')).toThrow(
      new ForbiddenError('You need 15 reputation to vote up.'),
    );
    expect(privilegeMessage('moderatorTools')).toBe('You need 10,000 reputation to use the moderator tools.');
  });
  it('thresholds come from MODERATION_RULES, merged over the defaults', () => {
    const rules = loadModerationRules('{"privileges":{"voteDown":100},"flags":{"autoHideAt":3}}');
    expect(rules.privileges.voteDown).toBe(100);
    expect(rules.privileges.voteUp).toBe(15);
    expect(rules.flags).toEqual({ autoHideAt: 3, spamPenalty: -100 });
    expect(loadModerationRules('')).toBe(DEFAULT_MODERATION_RULES);
    expect(() => loadModerationRules('{"privileges":{"nope":1}}')).toThrow(/MODERATION_RULES/);
    expect(() => loadModerationRules('not json')).toThrow(/JSON object/);
  });
});

describe('new-member content limits', () => {
  it('counts distinct links and spots images', () => {
    expect(countLinks('see https://a.example/x, https://a.example/x and http://b.example.')).toBe(2);
    expect(hasImage('![alt](https://a.example/i.png)')).toBe(true);
    expect(contentProblem(DEFAULT_MODERATION_RULES, 'https://a.example https://b.example https://c.example')).toMatch(/at most 2 links/);
    expect(contentProblem(DEFAULT_MODERATION_RULES, 'plain text')).toBeNull();
  });
});
