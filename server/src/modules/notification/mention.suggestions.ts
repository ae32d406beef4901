// Mention autocomplete (`mentionSuggestions`): the members a writer may mean by `@<prefix>` on a
// question page — the thread's participants first (asker, answerers, commenters, from the
// question's thread read model), then members by handle prefix (the handle index in Redis,
// user.ranking.ts; on MongoDB the unique handleKey index). No query scans at request time.
import { z } from 'zod';
import type { Context } from '../../context.js';
import { parseInput } from '../../lib/validate.js';
import { answersLoader, commentsLoader } from '../loaders.js';
import { loadQuestion } from '../post/post.service.js';
import { canSeeInContext } from '../post/post.visibility.js';
import { canSeeComment } from '../comment/comment.policy.js';
import { reposOf } from '../services.js';
import type { UserDoc } from '../user/user.model.js';
import { requireViewer } from '../user/user.service.js';

/** Participants considered (a long thread's first ones: askers and early answerers matter most). */
const MAX_PARTICIPANTS = 200;

const suggestionsInput = z.object({
  questionId: z.string().min(1),
  prefix: z
    .string()
    .trim()
    .max(31, { error: 'must be at most 30 characters' })
    .regex(/^@?[A-Za-z0-9_-]*$/, { error: 'use letters, digits, "_" or "-"' })
    .transform((p) => p.replace(/^@/, '').toLowerCase()),
  first: z.number().int().min(1, { error: 'must be between 1 and 20' }).max(20, { error: 'must be between 1 and 20' }).default(8),
});

/** The thread's participants (question author, answerers, commenters; each once, in that order). */
async function participantIds(ctx: Context, questionId: string): Promise<string[]> {
  const question = await loadQuestion(ctx, questionId);
  // only who the viewer can see in the thread (no hidden answer or comment gives a name away)
  const answers = (await answersLoader(ctx).load(question)).filter((a) => canSeeInContext(ctx.viewer, a, question));
  const comments = (await commentsLoader(ctx).loadMany([question, ...answers])).flatMap((list) => (Array.isArray(list) ? list : []));
  const ids = new Set<string>([question.authorId.toHexString()]);
  for (const a of answers) ids.add(a.authorId.toHexString());
  for (const c of comments) if (canSeeComment(ctx.viewer, c)) ids.add(c.authorId.toHexString());
  return [...ids].slice(0, MAX_PARTICIPANTS);
}

export async function mentionSuggestions(
  ctx: Context,
  raw: { questionId: string; prefix: string; first?: number | null },
): Promise<UserDoc[]> {
  const viewer = requireViewer(ctx);
  const input = parseInput(suggestionsInput, { ...raw, first: raw.first ?? undefined });
  const { users } = reposOf(ctx);
  const matches = (u: UserDoc) => u._id.toHexString() !== viewer.id && u.handleKey.startsWith(input.prefix);
  const order = await participantIds(ctx, input.questionId);
  const rank = new Map(order.map((id, i) => [id, i]));
  const participants = (await users.findManyByIds(order))
    .filter(matches)
    .sort((a, b) => rank.get(a._id.toHexString())! - rank.get(b._id.toHexString())!);
  const out = participants.slice(0, input.first);
  // an empty prefix ("@" just typed) suggests the thread only
  if (out.length >= input.first || input.prefix === '') return out;
  const seen = new Set(out.map((u) => u._id.toHexString()));
  const more = (await users.idsByHandlePrefix(input.prefix, input.first + 1)).filter((m) => !seen.has(m._id.toHexString()));
  const found = await users.findManyByIds(more.map((m) => m._id));
  const byId = new Map(found.map((u) => [u._id.toHexString(), u]));
  for (const m of more) {
    const u = byId.get(m._id.toHexString());
    if (u && matches(u) && out.length < input.first) out.push(u);
  }
  return out;
}
