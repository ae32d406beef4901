// Fine-grained API token scopes (lib/scopes.ts), enforced per field by Pothos scope-auth:
// every Mutation field declares the scope a token needs (or that it is session-only), and a token
// without it gets FORBIDDEN naming the scope with nothing written; Query fields need `read`.
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../server/src/graphql/schema.js';
import { SESSION_ONLY_MESSAGE, TOKEN_SCOPES, type FineScope } from '../../server/src/lib/scopes.js';
import {
  ANSWER_BODY,
  BODY,
  COMMENT_BODY,
  ERRORS,
  Q,
  TITLE,
  answer,
  ask,
  comment,
  createSpace,
  gid,
  member,
  payloadErrors,
  type Member,
} from '../factories/qa.js';
import { startHarness, type Agent, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ rateLimitPerMinute: 5_000 });
});
afterAll(async () => {
  await h?.close();
});

/** What a Mutation field declares: a token scope, or that tokens may not call it. */
function classification(field: { extensions?: Record<string, unknown> }): FineScope | 'session-only' | null {
  type Scopes = { tokenScope?: FineScope; sessionOnly?: boolean; $all?: Scopes };
  const options = field.extensions?.pothosOptions as { authScopes?: Scopes } | undefined;
  const scopes = options?.authScopes?.$all ?? options?.authScopes;
  if (scopes?.tokenScope) return scopes.tokenScope;
  if (scopes?.sessionOnly) return 'session-only';
  return null;
}

const mutationFields = () => Object.values((schema.getMutationType() as GraphQLObjectType).getFields());

describe('every mutation declares its token scope', () => {
  it('walks the built schema: no Mutation field without a scope classification', () => {
    const unclassified = mutationFields()
      .filter((f) => classification(f) === null)
      .map((f) => f.name);
    expect(unclassified, 'declare ...needsScope(<scope>) or ...sessionOnly (graphql/builder.ts) on these').toEqual([]);
  });

  it('classifies the known mutations as the docs say', () => {
    const of = Object.fromEntries(mutationFields().map((f) => [f.name, classification(f)]));
    expect(of).toMatchObject({
      askQuestion: 'write:questions',
      updateQuestion: 'write:questions',
      deleteQuestion: 'write:questions',
      postAnswer: 'write:answers',
      acceptAnswer: 'write:answers',
      unacceptAnswer: 'write:answers',
      addComment: 'write:comments',
      vote: 'write:votes',
      closeQuestion: 'moderate',
      verifyAnswer: 'moderate',
      rollbackRevision: 'moderate',
      createApiToken: 'session-only',
      updateProfile: 'session-only',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// the matrix

let boss: Member; // an ADMIN: their role allows every mutation, so only the token's scopes decide
let alice: Member;
let bob: Member;
let anon: Agent;
let spaceId: string;
const tokens = new Map<FineScope, Agent>();
let n = 0;

/** Every collection but the token bookkeeping (lastUsedAt) and sessions. */
async function everything(): Promise<string> {
  const db = mongoose.connection.db!;
  const parts: unknown[] = [];
  for (const c of (await db.listCollections().toArray()).map((x) => x.name).sort()) {
    if (c === 'api_tokens' || c === 'sessions') continue;
    parts.push(c, await db.collection(c).find({}).sort({ _id: 1 }).toArray());
  }
  return JSON.stringify(parts);
}

async function tokenFor(owner: Agent, scope: FineScope): Promise<Agent> {
  const r = await owner.must<{ createApiToken: { token: string } }>(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token errors { code message } } }`,
    { input: { name: scope, scopes: [scope.toUpperCase().replace(':', '_')] } },
  );
  const agent = h.agent();
  agent.token = r.createApiToken.token;
  return agent;
}

interface Case {
  scope: FineScope;
  doc: string;
  /** builds a fresh valid input (through sessions) */
  input: () => Promise<Record<string, unknown>>;
  /** anonymous visitors may do it (no sign-in needed) */
  anonymousOk?: boolean;
}

const CASES: Record<string, Case> = {
  askQuestion: {
    scope: 'write:questions',
    doc: Q.ask,
    input: async () => ({ spaceSlug: 'widgets', title: TITLE(++n), body: BODY(n), tags: ['frobnicator'] }),
  },
  updateQuestion: {
    scope: 'write:questions',
    doc: Q.updateQuestion,
    input: async () => ({ questionId: (await ask(boss, { title: TITLE(++n) })).id, body: BODY(n + 1000) }),
  },
  deleteQuestion: {
    scope: 'write:questions',
    doc: Q.deleteQuestion,
    input: async () => ({ questionId: (await ask(boss, { title: TITLE(++n) })).id }),
  },
  postAnswer: {
    scope: 'write:answers',
    doc: Q.answer,
    input: async () => ({ questionId: (await ask(alice, { title: TITLE(++n) })).id, body: ANSWER_BODY(n) }),
  },
  updateAnswer: {
    scope: 'write:answers',
    doc: Q.updateAnswer,
    input: async () => ({ answerId: (await answer(boss, (await ask(alice, { title: TITLE(++n) })).id)).id, body: ANSWER_BODY(n + 1000) }),
  },
  deleteAnswer: {
    scope: 'write:answers',
    doc: Q.deleteAnswer,
    input: async () => ({ answerId: (await answer(boss, (await ask(alice, { title: TITLE(++n) })).id)).id }),
  },
  acceptAnswer: {
    scope: 'write:answers',
    doc: Q.accept,
    input: async () => ({ answerId: (await answer(alice, (await ask(boss, { title: TITLE(++n) })).id)).id }),
  },
  unacceptAnswer: {
    scope: 'write:answers',
    doc: Q.unaccept,
    input: async () => {
      const a = await answer(alice, (await ask(boss, { title: TITLE(++n) })).id);
      await boss.must(Q.accept, { input: { answerId: a.id } });
      return { answerId: a.id };
    },
  },
  verifyAnswer: {
    scope: 'moderate',
    doc: Q.verify,
    input: async () => ({ answerId: (await answer(bob, (await ask(alice, { title: TITLE(++n) })).id)).id }),
  },
  unverifyAnswer: {
    scope: 'moderate',
    doc: Q.unverify,
    input: async () => {
      const a = await answer(bob, (await ask(alice, { title: TITLE(++n) })).id);
      await boss.must(Q.verify, { input: { answerId: a.id } });
      return { answerId: a.id };
    },
  },
  closeQuestion: {
    scope: 'moderate',
    doc: Q.close,
    input: async () => ({ questionId: (await ask(alice, { title: TITLE(++n) })).id, reason: 'OFF_TOPIC' }),
  },
  reopenQuestion: {
    scope: 'moderate',
    doc: Q.reopen,
    input: async () => {
      const q = await ask(alice, { title: TITLE(++n) });
      await boss.must(Q.close, { input: { questionId: q.id, reason: 'OFF_TOPIC' } });
      return { questionId: q.id };
    },
  },
  rollbackRevision: {
    scope: 'moderate',
    doc: Q.rollback,
    input: async () => {
      const q = await ask(boss, { title: TITLE(++n) });
      await boss.must(Q.updateQuestion, { input: { questionId: q.id, body: BODY(n + 1000) } });
      return { postId: q.id, revision: 1 };
    },
  },
  recordQuestionView: {
    scope: 'read',
    doc: Q.view,
    input: async () => ({ questionId: (await ask(alice, { title: TITLE(++n) })).id }),
    anonymousOk: true,
  },
  addComment: {
    scope: 'write:comments',
    doc: Q.comment,
    input: async () => ({ subjectId: (await ask(alice, { title: TITLE(++n) })).id, body: COMMENT_BODY(n) }),
  },
  updateComment: {
    scope: 'write:comments',
    doc: Q.updateComment,
    input: async () => ({
      commentId: (await comment(boss, (await ask(alice, { title: TITLE(++n) })).id)).id,
      body: COMMENT_BODY(n + 1000),
    }),
  },
  deleteComment: {
    scope: 'write:comments',
    doc: Q.deleteComment,
    input: async () => ({ commentId: (await comment(boss, (await ask(alice, { title: TITLE(++n) })).id)).id }),
  },
  vote: {
    scope: 'write:votes',
    doc: Q.vote,
    input: async () => ({ subjectId: (await ask(alice, { title: TITLE(++n) })).id, direction: 'UP' }),
  },
  createSpace: {
    scope: 'moderate',
    doc: Q.createSpace,
    input: async () => ({ slug: `space-${++n}`, name: `Space ${n}`, description: 'Another space' }),
  },
  updateSpace: {
    scope: 'moderate',
    doc: `mutation($input: UpdateSpaceInput!) { updateSpace(input: $input) { space { id name } ${ERRORS} } }`,
    input: async () => ({ spaceId, name: `Widgets ${++n}` }),
  },
  updateTag: {
    scope: 'moderate',
    doc: `mutation($input: UpdateTagInput!) { updateTag(input: $input) { tag { name } ${ERRORS} } }`,
    input: async () => ({ name: 'frobnicator', description: `The frobnicator: configuration and troubleshooting, take ${++n}.` }),
  },
  addTagSynonym: {
    scope: 'moderate',
    doc: Q.addSynonym,
    input: async () => ({ name: `frob-${++n}`, masterName: 'frobnicator' }),
  },
};

describe('scope matrix: every mutation × {no token, each single-scope token}', () => {
  beforeAll(async () => {
    await h.reset();
    boss = await member(h, 'boss', { role: 'ADMIN' });
    alice = await member(h, 'alice');
    bob = await member(h, 'bob');
    anon = h.agent();
    spaceId = (await createSpace(boss, 'widgets')).id;
    for (const scope of TOKEN_SCOPES) tokens.set(scope, await tokenFor(boss, scope));
  });

  /** a fresh valid input per case (made through sessions before any token runs) */
  const inputs = new Map<string, Record<string, unknown>>();

  it('every case × every token lacking its scope, and anonymous visitors: refused (naming the scope), nothing written', async () => {
    for (const [name, c] of Object.entries(CASES)) inputs.set(name, await c.input());
    const before = await everything();
    // refusals write nothing: they run concurrently
    const outcomes = await Promise.all(
      Object.entries(CASES).flatMap(([name, c]) => [
        ...[...tokens]
          .filter(([scope]) => scope !== c.scope)
          .map(async ([scope, agent]) => {
            const r = await agent.gql(c.doc, { input: inputs.get(name) });
            return { what: `${name} with ${scope}`, errors: r.errors, payload: payloadErrors(r.data), expected: c.scope };
          }),
        ...(c.anonymousOk
          ? []
          : [
              (async () => {
                const r = await anon.gql(c.doc, { input: inputs.get(name) });
                return { what: `${name} anonymous`, errors: r.errors, payload: payloadErrors(r.data), expected: null };
              })(),
            ]),
      ]),
    );
    expect(outcomes.length).toBeGreaterThan(Object.keys(CASES).length * 6);
    for (const o of outcomes) {
      expect(o.errors, o.what).toBeUndefined();
      if (o.expected === null) {
        // anonymous visitors are refused by the mutation itself (sign in first), never by a token scope
        expect(o.payload.length, o.what).toBe(1);
        expect(['UNAUTHENTICATED', 'FORBIDDEN'], o.what).toContain(o.payload[0]!.code);
        expect(o.payload[0]!.message, o.what).not.toMatch(/token/i);
      } else {
        expect(o.payload, o.what).toEqual([
          expect.objectContaining({ code: 'FORBIDDEN', message: `This token lacks the ${o.expected} scope.` }),
        ]);
      }
    }
    expect(await everything(), 'a refused mutation wrote something').toBe(before);
  });

  it.each(Object.keys(CASES))('%s succeeds with a token holding exactly its scope', async (name) => {
    const c = CASES[name]!;
    const r = await tokens.get(c.scope)!.gql(c.doc, { input: inputs.get(name) ?? (await c.input()) });
    expect(r.errors, name).toBeUndefined();
    expect(payloadErrors(r.data), name).toEqual([]);
  });

  it('session-only mutations (profile, tokens, sign-in) refuse every token, whatever its scopes', async () => {
    const before = await everything();
    const docs = {
      updateProfile: [`mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { ${ERRORS} } }`, { displayName: 'Bot' }],
      createApiToken: [
        `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token ${ERRORS} } }`,
        { name: 'nested', scopes: ['READ'] },
      ],
      revokeApiToken: [
        `mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { ${ERRORS} } }`,
        { apiTokenId: '000000000000000000000000' },
      ],
      signOut: [`mutation($input: SignOutInput!) { signOut(input: $input) { ok ${ERRORS} } }`, {}],
    } as const;
    for (const [scope, agent] of tokens) {
      for (const [name, [doc, input]] of Object.entries(docs)) {
        const r = await agent.gql(doc, { input });
        expect(payloadErrors(r.data), `${name} with ${scope}`).toEqual([
          expect.objectContaining({ code: 'FORBIDDEN', message: SESSION_ONLY_MESSAGE }),
        ]);
      }
    }
    expect(await everything()).toBe(before);
  });

  it('schema-driven: every mutation refuses each token lacking its declared scope (any module, any input)', async () => {
    const before = await everything();
    // (a field without a classification fails the first test of this file); refusals run concurrently
    const checks = mutationFields()
      .filter((f) => classification(f) !== null)
      .flatMap((field) => {
        const declared = classification(field)!;
        const inputArg = field.args.find((a) => a.name === 'input');
        const doc = `mutation($input: ${String(inputArg?.type)}) { ${field.name}(input: $input) { __typename errors { code message } } }`;
        const input = inputArg ? dummy(inputArg.type) : undefined;
        return [...tokens]
          .filter(([scope]) => scope !== declared)
          .map(async ([scope, agent]) => ({ what: `${field.name} with ${scope}`, declared, r: await agent.gql(doc, { input }) }));
      });
    for (const { what, declared, r } of await Promise.all(checks)) {
      expect(r.errors, what).toBeUndefined();
      expect(payloadErrors(r.data), what).toEqual([
        expect.objectContaining({
          code: 'FORBIDDEN',
          message: declared === 'session-only' ? SESSION_ONLY_MESSAGE : `This token lacks the ${declared} scope.`,
        }),
      ]);
    }
    expect(await everything()).toBe(before);
  });

  it('queries need read: a token without it is refused naming the scope; anonymous reads still work', async () => {
    const query = `{ questions(first: 1) { nodes { id } } }`;
    const noRead = await tokens.get('write:votes')!.gql(query);
    expect(noRead.errors?.[0]).toMatchObject({ message: 'This token lacks the read scope.', extensions: { code: 'FORBIDDEN' } });
    const reader = await tokens.get('read')!.gql(query);
    expect(reader.errors).toBeUndefined();
    expect(reader.data.questions.nodes.length).toBe(1);
    const anonymous = await anon.gql(query);
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data.questions.nodes.length).toBe(1);
  });

  it('the legacy write scope stands for every write:* scope (not moderate)', async () => {
    const legacy = await boss.must<{ createApiToken: { token: string; apiToken: { scopes: string[] } } }>(
      `mutation { createApiToken(input: { name: "legacy", scopes: [WRITE] }) { token apiToken { scopes } errors { code } } }`,
    );
    expect(legacy.createApiToken.apiToken.scopes).toEqual(['READ', 'WRITE']);
    const agent = h.agent();
    agent.token = legacy.createApiToken.token;
    const voted = await agent.gql(Q.vote, { input: await CASES.vote!.input() });
    expect(payloadErrors(voted.data)).toEqual([]);
    const closed = await agent.gql(Q.close, { input: await CASES.closeQuestion!.input() });
    expect(payloadErrors(closed.data)[0]).toMatchObject({ code: 'FORBIDDEN', message: 'This token lacks the moderate scope.' });
  });
});

/** A value of an input type that passes coercion (the scope check runs before the resolver reads it). */
function dummy(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return dummy(type.ofType);
  if (isListType(type)) return [dummy(type.ofType)];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.name;
  if (isInputObjectType(named)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(named.getFields()))
      if (isNonNullType(f.type) && f.defaultValue === undefined) out[f.name] = dummy(f.type);
    return out;
  }
  if (isScalarType(named)) {
    switch (named.name) {
      case 'Int':
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'ID':
        return gid('Question', '000000000000000000000000');
      case 'DateTime':
        return '2030-01-01T00:00:00.000Z';
      default:
        return 'x';
    }
  }
  return null;
}
