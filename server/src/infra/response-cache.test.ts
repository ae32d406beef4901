import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import { entitiesOfKey } from './response-cache.js';
import { anonymousQuery } from '../graphql/response-cache.plugin.js';

describe('entitiesOfKey: what a read-model version key stands for in the response cache', () => {
  it('a post is a question or an answer, by its Relay global id', () => {
    expect(entitiesOfKey('posts:65a1b2c3d4e5f60718293a4b')).toEqual([
      { typename: 'Question', id: encodeGlobalID('Question', '65a1b2c3d4e5f60718293a4b') },
      { typename: 'Answer', id: encodeGlobalID('Answer', '65a1b2c3d4e5f60718293a4b') },
    ]);
  });

  it('members, spaces, tags and comments are their own types', () => {
    expect(entitiesOfKey('users:u1')).toEqual([{ typename: 'User', id: encodeGlobalID('User', 'u1') }]);
    expect(entitiesOfKey('spaces:s1')).toEqual([{ typename: 'Space', id: encodeGlobalID('Space', 's1') }]);
    expect(entitiesOfKey('tags:c++')).toEqual([{ typename: 'Tag', id: encodeGlobalID('Tag', 'c++') }]);
    expect(entitiesOfKey('comments:c1')).toEqual([{ typename: 'Comment', id: encodeGlobalID('Comment', 'c1') }]);
  });

  it('a list is every object of its types (lists and counts); the epoch is everything; other keys are themselves', () => {
    expect(entitiesOfKey('list:posts')).toEqual([{ typename: 'Question' }, { typename: 'Answer' }]);
    expect(entitiesOfKey('list:users')).toEqual([{ typename: 'User' }]);
    expect(entitiesOfKey('list:tags')).toEqual([{ typename: 'Tag' }]);
    expect(entitiesOfKey('list:spaces')).toEqual([{ typename: 'Space' }]);
    expect(entitiesOfKey('epoch')).toEqual([{ typename: '*' }]);
    expect(entitiesOfKey('search')).toEqual([{ typename: 'Read', id: 'search' }]);
    expect(entitiesOfKey('list:badges')).toEqual([{ typename: 'Read', id: 'list:badges' }]);
  });
});

describe('anonymousQuery: which requests may use the response cache', () => {
  const anonymous = { res: { locals: { limits: { auth: { viewer: null } } } } };
  const member = { res: { locals: { limits: { auth: { viewer: { id: 'u1' } } } } } };

  it('anonymous queries only, judged before yoga builds our context and in it', () => {
    expect(anonymousQuery({ ...anonymous, params: { query: '{ questions { totalCount } }' } })).toBe(true);
    expect(anonymousQuery({ ...member, params: { query: '{ questions { totalCount } }' } })).toBe(false);
    expect(anonymousQuery({ params: { query: '{ ping }' }, viewer: null })).toBe(true);
    expect(
      anonymousQuery({ params: { query: '{ ping }' }, viewer: { id: 'u1', handle: 'a', role: 'MEMBER', via: 'token', scopes: ['read'] } }),
    ).toBe(false);
  });

  it('never mutations or subscriptions (a word match errs towards not caching), nor an unknown caller', () => {
    expect(anonymousQuery({ ...anonymous, params: { query: 'mutation { signOut(input: {}) { ok } }' } })).toBe(false);
    expect(anonymousQuery({ ...anonymous, params: { query: 'query A { ping }\nmutation B { x }' } })).toBe(false);
    expect(anonymousQuery({ ...anonymous, params: { query: 'subscription { events }' } })).toBe(false);
    expect(anonymousQuery({ ...anonymous, params: { query: '{ search(query: "mutation") { totalCount } }' } })).toBe(false);
    expect(anonymousQuery({ params: { query: '{ ping }' } })).toBe(false);
    expect(anonymousQuery({ ...anonymous })).toBe(false);
    expect(
      anonymousQuery({
        res: { locals: { limits: { auth: { viewer: null, invalidBearer: 'bad token' } } } },
        params: { query: '{ ping }' },
      }),
    ).toBe(false);
  });
});
