// Builders for the Q&A integration tests: GraphQL documents, global ids, and small helpers that
// create spaces, questions, answers, comments and votes through the public API.
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import mongoose, { Types } from 'mongoose';
import type { Context, Role, TokenScope, Viewer } from '../../server/src/context.js';
import { grantRole } from '../../server/src/modules/user/user.service.js';
import type { Agent, Harness } from '../helpers/harness.js';
import { mulberry32 } from '../../server/src/lib/random.js';

// ---------------------------------------------------------------------------------------------
// ids

/** The Relay global id of a type + raw id: base64("Type:id"). */
export const gid = (type: string, raw: string | Types.ObjectId): string => Buffer.from(`${type}:${String(raw)}`).toString('base64');

/** The raw id inside a global id. */
export function rawOf(globalId: string): string {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

export const oid = (globalId: string) => new Types.ObjectId(rawOf(globalId));

// ---------------------------------------------------------------------------------------------
// text that passes (or fails) the content rules

export const TITLE = (n = 0) => `How do I configure the widget frobnicator number ${n}?`;
export const BODY = (n = 0) =>
  `I tried the documented settings for case ${n} but the frobnicator still refuses to start. What am I missing here?`;
export const ANSWER_BODY = (n = 0) => `Set \`frobnicate: true\` in the config file (answer ${n}) and restart the service; that fixes it.`;
export const COMMENT_BODY = (n = 0) => `Thanks, that clarifies it (comment ${n}).`;

// ---------------------------------------------------------------------------------------------
// members

/** The password of every member made by `member()`. */
export const PASSWORD = 'correct horse battery staple';

export type Member = Agent & { id: string; handle: string };

/**
 * Signs up a member through the API and returns an agent holding their session: the one way
 * integration tests make a member. `role` (other than MEMBER) is granted as the admin command
 * line does, with `affiliation` for STAFF (default "Acme Corp"). Every member gets PASSWORD, so
 * a handle that PASSWORD contains is refused (sign-up rejects a password containing the handle).
 */
export async function member(h: Harness, handle: string, options: { role?: Role; affiliation?: string } = {}): Promise<Member> {
  if (PASSWORD.includes(handle.toLowerCase())) throw new Error(`pick another handle than "${handle}": the shared password contains it`);
  const agent = h.agent();
  const r = await agent.must<{ signUp: { viewer: { id: string } } }>(
    `mutation($input: SignUpInput!) { signUp(input: $input) { viewer { id } errors { code message } } }`,
    {
      input: { handle, email: `${handle}@example.test`, password: PASSWORD, displayName: handle },
    },
  );
  if (options.role && options.role !== 'MEMBER') {
    await grantRole(h.deps.repos, handle, options.role, options.role === 'STAFF' ? (options.affiliation ?? 'Acme Corp') : null);
    // drop cached identities so the new role applies now
    const cached = await h.deps.redis.keys(`${h.deps.config.redisPrefix}session:*`);
    if (cached.length) await h.deps.redis.del(...cached);
  }
  return Object.assign(agent, { id: r.signUp.viewer.id, handle });
}

// ---------------------------------------------------------------------------------------------
// documents

export const ERRORS = `errors { __typename code message ... on ValidationError { field path } }`;

export const Q = {
  createSpace: `mutation($input: CreateSpaceInput!) { createSpace(input: $input) { space { id slug name questionCount } ${ERRORS} } }`,
  ask: `mutation($input: AskQuestionInput!) { askQuestion(input: $input) { question { id title body bodyHTML tags { name } space { slug } author { handle } score answerCount } ${ERRORS} } }`,
  updateQuestion: `mutation($input: UpdateQuestionInput!) { updateQuestion(input: $input) { question { id title body tags { name } lastEditedAt lastEditor { handle } } ${ERRORS} } }`,
  deleteQuestion: `mutation($input: DeleteQuestionInput!) { deleteQuestion(input: $input) { deletedQuestionId ${ERRORS} } }`,
  answer: `mutation($input: PostAnswerInput!) { postAnswer(input: $input) { answer { id body bodyHTML author { handle } score } ${ERRORS} } }`,
  updateAnswer: `mutation($input: UpdateAnswerInput!) { updateAnswer(input: $input) { answer { id body lastEditor { handle } } ${ERRORS} } }`,
  deleteAnswer: `mutation($input: DeleteAnswerInput!) { deleteAnswer(input: $input) { deletedAnswerId question { id answerCount } ${ERRORS} } }`,
  comment: `mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id body bodyHTML author { handle } } ${ERRORS} } }`,
  updateComment: `mutation($input: UpdateCommentInput!) { updateComment(input: $input) { comment { id body editedAt } ${ERRORS} } }`,
  deleteComment: `mutation($input: DeleteCommentInput!) { deleteComment(input: $input) { deletedCommentId ${ERRORS} } }`,
  vote: `mutation($input: VoteInput!) { vote(input: $input) { subject { id score viewerVote } ${ERRORS} } }`,
  accept: `mutation($input: AcceptAnswerInput!) { acceptAnswer(input: $input) { answer { id isAccepted } question { id isAnswered acceptedAnswer { id } } ${ERRORS} } }`,
  unaccept: `mutation($input: UnacceptAnswerInput!) { unacceptAnswer(input: $input) { answer { id isAccepted } question { id acceptedAnswer { id } } ${ERRORS} } }`,
  verify: `mutation($input: VerifyAnswerInput!) { verifyAnswer(input: $input) { answer { id isVerified verifiedBy { handle } verifiedAt } ${ERRORS} } }`,
  unverify: `mutation($input: UnverifyAnswerInput!) { unverifyAnswer(input: $input) { answer { id isVerified verifiedBy { handle } } ${ERRORS} } }`,
  close: `mutation($input: CloseQuestionInput!) { closeQuestion(input: $input) { question { id isClosed closeReason duplicateOf { id } } ${ERRORS} } }`,
  reopen: `mutation($input: ReopenQuestionInput!) { reopenQuestion(input: $input) { question { id isClosed closeReason } ${ERRORS} } }`,
  rollback: `mutation($input: RollbackRevisionInput!) { rollbackRevision(input: $input) { post { id body ... on Question { title tags { name } } } ${ERRORS} } }`,
  view: `mutation($input: RecordQuestionViewInput!) { recordQuestionView(input: $input) { question { id viewCount } ${ERRORS} } }`,
  addSynonym: `mutation($input: AddTagSynonymInput!) { addTagSynonym(input: $input) { tag { name synonyms } ${ERRORS} } }`,
  signIn: `mutation($input: SignInInput!) { signIn(input: $input) { viewer { id handle } ${ERRORS} } }`,
  signUp: `mutation($input: SignUpInput!) { signUp(input: $input) { viewer { id handle } ${ERRORS} } }`,
  signOut: `mutation { signOut(input: {}) { ok ${ERRORS} } }`,
};

export type ErrorData = { __typename: string; code: string; message: string; field?: string | null; path?: string[] };

// ---------------------------------------------------------------------------------------------
// builders over the API

export async function createSpace(admin: Agent, slug = 'widgets', name = 'Widgets'): Promise<{ id: string; slug: string }> {
  const r = await admin.must<{ createSpace: { space: { id: string; slug: string } } }>(Q.createSpace, {
    input: { slug, name, description: `All about ${name}` },
  });
  return r.createSpace.space;
}

export interface AskOptions {
  spaceSlug?: string;
  title?: string;
  body?: string;
  tags?: string[];
}

export async function ask(
  agent: Agent,
  options: AskOptions = {},
): Promise<{ id: string; title: string; bodyHTML: string; tags: Array<{ name: string }> }> {
  const r = await agent.must<{ askQuestion: { question: { id: string; title: string; bodyHTML: string; tags: Array<{ name: string }> } } }>(
    Q.ask,
    {
      input: {
        spaceSlug: options.spaceSlug ?? 'widgets',
        title: options.title ?? TITLE(),
        body: options.body ?? BODY(),
        tags: options.tags ?? ['frobnicator'],
      },
    },
  );
  return r.askQuestion.question;
}

export async function answer(agent: Agent, questionId: string, body = ANSWER_BODY()): Promise<{ id: string }> {
  const r = await agent.must<{ postAnswer: { answer: { id: string } } }>(Q.answer, { input: { questionId, body } });
  return r.postAnswer.answer;
}

export async function comment(agent: Agent, subjectId: string, body = COMMENT_BODY()): Promise<{ id: string }> {
  const r = await agent.must<{ addComment: { comment: { id: string } } }>(Q.comment, { input: { subjectId, body } });
  return r.addComment.comment;
}

export async function vote(agent: Agent, subjectId: string, direction: 'UP' | 'DOWN' | 'NONE'): Promise<{ score: number }> {
  const r = await agent.must<{ vote: { subject: { score: number } } }>(Q.vote, { input: { subjectId, direction } });
  return r.vote.subject;
}

export async function accept(agent: Agent, answerId: string): Promise<void> {
  await agent.must(Q.accept, { input: { answerId } });
}

/** The payload errors of the (only) mutation in a result. */
export function payloadErrors(data: Record<string, unknown> | null | undefined): ErrorData[] {
  const value = Object.values(data ?? {})[0] as { errors?: ErrorData[] } | null | undefined;
  return value?.errors ?? [];
}

// ---------------------------------------------------------------------------------------------
// database facts

/** Document counts of every collection (to prove that a failed mutation wrote nothing). */
export async function countAll(): Promise<Record<string, number>> {
  const db = mongoose.connection.db!;
  const out: Record<string, number> = {};
  for (const c of await db.listCollections().toArray()) out[c.name] = await db.collection(c.name).countDocuments({});
  return out;
}

/** A stable snapshot of a few collections' documents (ids + update stamps): detects in-place writes too. */
export async function snapshot(names: string[]): Promise<string> {
  const db = mongoose.connection.db!;
  const parts: unknown[] = [];
  for (const name of names) parts.push(await db.collection(name).find({}).sort({ _id: 1 }).toArray());
  return JSON.stringify(parts);
}

export async function userReputation(handle: string): Promise<number> {
  const user = await mongoose.connection.db!.collection('users').findOne({ handleKey: handle.toLowerCase() });
  return Number(user?.reputation);
}

/** Deterministic PRNG (mulberry32): the same seed gives the same sequence. */
export function prng(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: readonly T[]): T => {
      if (list.length === 0) throw new Error('pick from an empty list');
      return list[Math.floor(next() * list.length)]!;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// direct service calls (for tests where HTTP would be too slow)

export interface ServiceActor {
  id: string;
  handle: string;
  role?: Role;
  scopes?: TokenScope[];
}

/** A Context for calling services directly, as the GraphQL layer would build it. */
export function serviceContext(h: Harness, actor: ServiceActor | null, deps: Context['deps'] = h.deps): Context {
  const viewer: Viewer | null = actor
    ? { id: actor.id, handle: actor.handle, role: actor.role ?? 'MEMBER', via: 'session', scopes: actor.scopes ?? ['read', 'write'] }
    : null;
  const req = { ip: '127.0.0.1', get: () => undefined, headers: {} } as unknown as Request;
  const res = { cookie: () => undefined, clearCookie: () => undefined, locals: {} } as unknown as Response;
  return { requestId: randomUUID(), viewer, deps, log: deps.log, req, res, cache: new Map() };
}
