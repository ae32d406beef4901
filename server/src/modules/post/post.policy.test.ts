import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../context.js';
import { canAccept, canDeletePost, canEditPost, canSeePost, canVerify, canVote } from './post.policy.js';

const viewer = (
  id: string,
  role: Viewer['role'] = 'MEMBER',
  via: Viewer['via'] = 'session',
  scopes: Viewer['scopes'] = ['read', 'write'],
): Viewer => ({ id, handle: id, role, via, scopes });
const question = (authorId: string, extra: Record<string, unknown> = {}) => ({
  authorId,
  type: 'question' as const,
  answerCount: 0,
  deletedAt: null,
  ...extra,
});
const answer = (authorId: string, extra: Record<string, unknown> = {}) => ({
  authorId,
  type: 'answer' as const,
  deletedAt: null,
  ...extra,
});

describe('post policies', () => {
  it('votes: never anonymous, never on one’s own post, never on deleted posts, never with a read-only token', () => {
    expect(canVote(null, question('a'))).toBe(false);
    expect(canVote(viewer('a'), question('a'))).toBe(false);
    expect(canVote(viewer('b'), question('a'))).toBe(true);
    expect(canVote(viewer('b'), question('a', { deletedAt: new Date() }))).toBe(false);
    expect(canVote(viewer('b', 'MEMBER', 'token', ['read']), question('a'))).toBe(false);
    expect(canVote(viewer('b', 'MEMBER', 'token', ['read', 'write']), question('a'))).toBe(true);
  });

  it('edit: the author or a moderator', () => {
    expect(canEditPost(viewer('a'), answer('a'))).toBe(true);
    expect(canEditPost(viewer('b'), answer('a'))).toBe(false);
    expect(canEditPost(viewer('m', 'MODERATOR'), answer('a'))).toBe(true);
    expect(canEditPost(viewer('s', 'STAFF'), answer('a'))).toBe(false);
  });

  it('delete a question: its author only while it has no answers; moderators always', () => {
    expect(canDeletePost(viewer('a'), question('a'))).toBe(true);
    expect(canDeletePost(viewer('a'), question('a', { answerCount: 1 }))).toBe(false);
    expect(canDeletePost(viewer('m', 'MODERATOR'), question('a', { answerCount: 3 }))).toBe(true);
    expect(canDeletePost(viewer('b'), question('a'))).toBe(false);
    expect(canDeletePost(viewer('a'), answer('a'))).toBe(true);
  });

  it('accept: the asker only; verify: staff and admins only', () => {
    expect(canAccept(viewer('a'), question('a'), answer('b'))).toBe(true);
    expect(canAccept(viewer('b'), question('a'), answer('b'))).toBe(false);
    expect(canAccept(viewer('m', 'MODERATOR'), question('a'), answer('b'))).toBe(false);
    expect(canVerify(viewer('s', 'STAFF'), answer('b'))).toBe(true);
    expect(canVerify(viewer('x', 'ADMIN'), answer('b'))).toBe(true);
    expect(canVerify(viewer('m', 'MODERATOR'), answer('b'))).toBe(false);
    expect(canVerify(viewer('b'), answer('b'))).toBe(false);
  });

  it('deleted posts are visible to their author and moderators only', () => {
    const deleted = question('a', { deletedAt: new Date() });
    expect(canSeePost(null, deleted)).toBe(false);
    expect(canSeePost(viewer('b'), deleted)).toBe(false);
    expect(canSeePost(viewer('a'), deleted)).toBe(true);
    expect(canSeePost(viewer('m', 'MODERATOR'), deleted)).toBe(true);
    expect(canSeePost(null, question('a'))).toBe(true);
  });
});
