// Following: questions, tags, spaces and members (the inbox hears of new answers in followed
// questions; digests list new questions of followed tags and spaces), and ignored tags.
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseInput } from '../../lib/validate.js';
import { requestScoped } from '../../graphql/request-scoped.js';
import { loadQuestion } from '../post/post.service.js';
import { reposOf } from '../services.js';
import { normalizeTag } from '../tag/tag.rules.js';
import { requireViewer } from '../user/user.service.js';
import type { FollowKind, MemberFollowsDoc } from './follow.model.js';

type Ctx = Pick<Context, 'deps' | 'viewer'>;

/** The subject key of something that exists and the viewer may see, else NOT_FOUND. */
async function subjectKey(ctx: Ctx, kind: FollowKind, id: string): Promise<string> {
  const repos = reposOf(ctx);
  if (kind === 'question') return `question:${(await loadQuestion(ctx, id))._id.toHexString()}`;
  if (kind === 'tag') {
    const tag = await repos.tags.findById(normalizeTag(id));
    if (!tag) throw new NotFoundError('The tag');
    return `tag:${tag._id}`;
  }
  const oid = Types.ObjectId.isValid(id) ? new Types.ObjectId(id) : null;
  const found = oid ? await (kind === 'space' ? repos.spaces.findById(oid) : repos.users.findById(oid)) : null;
  if (!found) throw new NotFoundError(kind === 'space' ? 'The space' : 'The member');
  return `${kind}:${oid!.toHexString()}`;
}

const followInput = z.object({ kind: z.enum(['question', 'tag', 'space', 'member']), id: z.string().min(1).max(100) });

export async function follow(ctx: Ctx, raw: z.input<typeof followInput>, on: boolean): Promise<string> {
  const viewer = requireViewer(ctx);
  const input = parseInput(followInput, raw);
  const key = await subjectKey(ctx, input.kind, input.id);
  if (key === `member:${viewer.id}`) throw new ValidationError('You cannot follow yourself.', 'subjectId');
  if (on) await reposOf(ctx).follows.follow(viewer.id, key);
  else await reposOf(ctx).follows.unfollow(viewer.id, key);
  return key;
}

export async function ignoreTag(ctx: Ctx, name: string, ignored: boolean): Promise<string> {
  const viewer = requireViewer(ctx);
  const key = (await subjectKey(ctx, 'tag', name)).slice(4);
  await reposOf(ctx).follows.setIgnoredTag(viewer.id, key, ignored);
  return key;
}

export interface Following {
  questionIds: string[];
  tags: string[];
  spaceIds: string[];
  memberIds: string[];
  ignoredTags: string[];
}

export async function following(ctx: Ctx): Promise<Following> {
  const viewer = requireViewer(ctx);
  const doc = await reposOf(ctx).follows.ofMember(viewer.id);
  const of = (kind: string) =>
    (doc?.subjects ?? [])
      .filter((s) => s.startsWith(`${kind}:`))
      .map((s) => s.slice(kind.length + 1))
      .reverse();
  return {
    questionIds: of('question'),
    tags: of('tag'),
    spaceIds: of('space'),
    memberIds: of('member'),
    ignoredTags: doc?.ignoredTags ?? [],
  };
}

/** The viewer's follows document, read once per request (by id); null for anonymous viewers. */
function viewerFollows(ctx: Pick<Context, 'deps' | 'viewer' | 'cache'>): Promise<MemberFollowsDoc | null> {
  const viewer = ctx.viewer;
  if (!viewer) return Promise.resolve(null);
  return requestScoped(ctx, 'viewerFollows', () => reposOf(ctx).follows.ofMember(viewer.id));
}

/** Whether the viewer follows a subject (`viewerIsFollowing` fields). */
export async function isFollowing(ctx: Pick<Context, 'deps' | 'viewer' | 'cache'>, key: string): Promise<boolean> {
  return (await viewerFollows(ctx))?.subjects.includes(key) ?? false;
}

/** The tags the viewer ignores (hidden from their question lists); empty for anonymous viewers. */
export async function viewerIgnoredTags(ctx: Pick<Context, 'deps' | 'viewer' | 'cache'>): Promise<string[]> {
  return (await viewerFollows(ctx))?.ignoredTags ?? [];
}
