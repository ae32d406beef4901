// E-mail: immediate mails for direct events (an answer to my question, a mention, a moderator
// message), per-type preferences, a per-member hourly throttle, signed one-click unsubscribe
// links (RFC 8058: List-Unsubscribe + List-Unsubscribe-Post), and daily/weekly digests of the
// new questions in followed tags and spaces. Sent by the worker through SMTP (nodemailer).
import { Types } from 'mongoose';
import nodemailer, { type Transporter } from 'nodemailer';
import { z } from 'zod';
import type { AppDeps, Context } from '../../context.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { op } from '../../lib/mongo-ops.js';
import { parseInput } from '../../lib/validate.js';
import type { NotificationDoc } from '../notification/notification.model.js';
import { notificationPath } from '../notification/notification.service.js';
import type { PostDoc } from '../post/post.model.js';
import { refreshTagStats, refreshUserStats, rollupSequence } from '../post/post.rollups.js';
import { isAtLeast, type Role } from '../../lib/roles.js';
import { reposOf, servicesOf } from '../services.js';
import { requireViewer } from '../user/user.service.js';
import { DIGEST_FREQUENCIES, MAIL_KINDS, type DigestFrequency, type MailKind } from './mail.kinds.js';
import type { MailJob } from './mail.queue.js';
import { unsubscribeToken, verifyUnsubscribeToken, type UnsubscribeKind } from './mail.tokens.js';

const IMMEDIATE: ReadonlySet<string> = new Set(MAIL_KINDS);
const DAY_MS = 24 * 3600 * 1000;
const PERIOD_MS: Record<Exclude<DigestFrequency, 'NONE'>, number> = { DAILY: DAY_MS, WEEKLY: 7 * DAY_MS };

const transports = new WeakMap<object, Transporter>();
function transportOf(deps: AppDeps): Transporter {
  let t = transports.get(deps.config);
  if (!t) {
    t = nodemailer.createTransport(deps.config.mail.smtpUrl);
    transports.set(deps.config, t);
  }
  return t;
}

async function secretOf(deps: AppDeps): Promise<string> {
  return deps.config.mail.secret ?? reposOf(deps).mail.generatedSecret();
}

/** The one-click unsubscribe URL of a member and kind (the web's /unsubscribe page). */
export async function unsubscribeUrl(deps: AppDeps, memberId: string, kind: UnsubscribeKind): Promise<string> {
  return `${deps.config.publicUrl}/unsubscribe?token=${unsubscribeToken(await secretOf(deps), memberId, kind)}`;
}

/** Queues the e-mail of a new inbox entry when its kind is one that mails at once (activity handler). */
export async function enqueueNotificationMail(deps: AppDeps, doc: NotificationDoc, source: { eventId: string; subjectId: string }) {
  if (!IMMEDIATE.has(doc.kind)) return;
  await deps.services.mail.add({ notificationId: doc._id.toHexString(), ...source });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function send(
  deps: AppDeps,
  to: string,
  memberId: string,
  kind: UnsubscribeKind,
  subject: string,
  lines: Array<{ text: string; url?: string }>,
) {
  const unsubscribe = await unsubscribeUrl(deps, memberId, kind);
  const text = [...lines.map((l) => (l.url ? `${l.text}\n${l.url}` : l.text)), '', `Unsubscribe: ${unsubscribe}`].join('\n\n');
  const html = [
    ...lines.map((l) => `<p>${l.url ? `<a href="${escapeHtml(l.url)}">${escapeHtml(l.text)}</a>` : escapeHtml(l.text)}</p>`),
    `<p style="color:#666;font-size:12px"><a href="${escapeHtml(unsubscribe)}">Unsubscribe</a> from these e-mails.</p>`,
  ].join('\n');
  await transportOf(deps).sendMail({
    from: deps.config.mail.from,
    to,
    subject,
    text,
    html,
    headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  });
}

/** Whether the member may get one more immediate e-mail this hour (counts it). */
async function withinThrottle(deps: AppDeps, memberId: string, now: Date): Promise<boolean> {
  const key = `${deps.config.redisPrefix}mail:rate:${memberId}:${Math.floor(now.getTime() / 3_600_000)}`;
  const n = await deps.redis.incr(key);
  if (n === 1) await deps.redis.expire(key, 3600);
  return n <= deps.config.mail.maxPerHour;
}

/**
 * The worker's job: one notification e-mail, unless the member turned that kind off, has no
 * address, or is over the hourly throttle (the inbox still has it). Idempotent per job.
 */
export async function processMailJob(deps: AppDeps, job: MailJob): Promise<'sent' | 'skipped'> {
  const { notifications, users, posts, mail } = reposOf(deps);
  const doc = Types.ObjectId.isValid(job.notificationId) ? await notifications.findById(new Types.ObjectId(job.notificationId)) : null;
  if (!doc || doc.goneAt || !IMMEDIATE.has(doc.kind)) return 'skipped';
  const memberId = doc.recipientId.toHexString();
  const user = await users.findById(doc.recipientId);
  if (!user?.email) return 'skipped';
  const prefs = await mail.prefsOf(memberId);
  if (prefs.mutedKinds.includes(doc.kind)) return 'skipped';
  const sentKey = `${deps.config.redisPrefix}mail:sent:${job.eventId}:${memberId}`;
  if (!(await deps.redis.set(sentKey, '1', 'EX', 7 * 24 * 3600, 'NX'))) return 'skipped';
  try {
    if (!(await withinThrottle(deps, memberId, deps.services.clock.now()))) return 'skipped';
    const question = doc.questionId ? await posts.findPost(doc.questionId) : null;
    const actor = doc.actorIds.length ? await users.findById(doc.actorIds[doc.actorIds.length - 1]) : null;
    const title = question?.title ?? 'a question';
    const subject =
      doc.kind === 'ANSWER'
        ? `New answer to “${title}”`
        : doc.kind === 'MENTION'
          ? `${actor?.displayName ?? 'Someone'} mentioned you on “${title}”`
          : 'A message from the moderators';
    const subjectPost = await posts.findPost(job.subjectId);
    const path =
      subjectPost?.type === 'answer'
        ? `/questions/${subjectPost.questionId!.toHexString()}/-#answer-${job.subjectId}`
        : notificationPath(doc);
    const intro =
      doc.kind === 'ANSWER'
        ? `${actor?.displayName ?? 'Someone'} answered your question “${title}”.`
        : doc.kind === 'MENTION'
          ? `${actor?.displayName ?? 'Someone'} mentioned you (@${user.handle}) on “${title}”.`
          : (doc.text ?? 'The moderators sent you a message.');
    await send(deps, user.email, memberId, doc.kind as MailKind, subject, [
      { text: `Hi ${user.displayName},` },
      { text: intro },
      { text: doc.kind === 'MODERATOR_MESSAGE' ? 'Open your inbox' : 'Read it on Colloquy', url: `${deps.config.publicUrl}${path}` },
    ]);
    return 'sent';
  } catch (error) {
    await deps.redis.del(sentKey); // let the retry send it
    throw error;
  }
}

/**
 * A member's expertise, from the rollups (the worker's, read by `_id`; computed once when
 * missing): the tags of their posts (user_stats' top tags) in which they have accepted answers
 * (tag_stats' answerers).
 */
export async function expertiseTagsOf(deps: AppDeps, memberId: string): Promise<string[]> {
  const { userStats, tagStats } = reposOf(deps);
  const id = new Types.ObjectId(memberId);
  const mark = () => rollupSequence(deps).catch(() => 0);
  const mine = (await userStats.ofUser(id)) ?? (await refreshUserStats(deps, [id], await mark()))[0];
  const names = mine?.topTags.map((t) => t.name) ?? [];
  if (names.length === 0) return [];
  const stored = await tagStats.findManyByIds(names);
  const missing = names.filter((n) => !stored.some((d) => d._id === n));
  const all = [...stored, ...(missing.length ? await refreshTagStats(deps, missing, await mark()) : [])];
  return all.filter((d) => d.answerers.some((a) => a.userId === memberId && a.acceptedCount > 0)).map((d) => d._id);
}

/**
 * Staff digests' "unanswered in your expertise": questions asked in `(since, now]` in the
 * member's expertise tags that are still open and unanswered, not their own (worker only: an
 * index-backed query, `{tags, type, createdAt}`).
 */
async function unansweredInExpertise(deps: AppDeps, memberId: string, since: Date, now: Date): Promise<PostDoc[]> {
  const tags = await expertiseTagsOf(deps, memberId);
  if (tags.length === 0) return [];
  const found = await reposOf(deps).posts.findWhere<PostDoc>({
    type: 'question',
    deletedAt: null,
    tags: op.in(tags),
    createdAt: op.gt(since),
  });
  return found
    .filter((q) => q.answerCount === 0 && !q.closedAt && q.authorId.toHexString() !== memberId && q.createdAt.getTime() <= now.getTime())
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

export interface DigestSent {
  memberId: string;
  /** new questions of the followed tags and spaces */
  questionIds: string[];
  /** staff only: unanswered questions in their expertise (not already in `questionIds`) */
  unansweredIds: string[];
}

/**
 * Digests: every member whose daily/weekly digest is due gets the new questions of the tags and
 * spaces they follow since their last digest (not their own) and, for staff, the questions of
 * that period still unanswered in their expertise (`expertiseTagsOf`); then `lastDigestAt` moves
 * to `now` — a second run sends nothing new. Exported for the worker and the tests.
 */
export async function runDigests(deps: AppDeps, now: Date): Promise<DigestSent[]> {
  const { mail, follows, posts, users } = reposOf(deps);
  const sent: DigestSent[] = [];
  for (const frequency of ['DAILY', 'WEEKLY'] as const) {
    for (const prefs of await mail.digestMembers(frequency)) {
      const last = prefs.lastDigestAt ? new Date(prefs.lastDigestAt) : null;
      if (last && now.getTime() - last.getTime() < PERIOD_MS[frequency]) continue;
      const since = last ?? new Date(now.getTime() - PERIOD_MS[frequency]);
      const followed = (await follows.ofMember(prefs._id))?.subjects ?? [];
      const tags = followed.filter((s) => s.startsWith('tag:')).map((s) => s.slice(4));
      const spaces = followed
        .filter((s) => s.startsWith('space:') && Types.ObjectId.isValid(s.slice(6)))
        .map((s) => new Types.ObjectId(s.slice(6)));
      // after the last digest (exclusive) up to now
      const base = { type: 'question', deletedAt: null, createdAt: op.gt(since) };
      const found = new Map<string, PostDoc>();
      if (tags.length) for (const q of await posts.findWhere({ ...base, tags: op.in(tags) })) found.set(q._id.toHexString(), q);
      if (spaces.length) for (const q of await posts.findWhere({ ...base, spaceId: op.in(spaces) })) found.set(q._id.toHexString(), q);
      const questions = [...found.values()]
        .filter((q) => q.authorId.toHexString() !== prefs._id && q.createdAt.getTime() <= now.getTime())
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      const user = await users.findById(new Types.ObjectId(prefs._id));
      const listed = new Set(questions.map((q) => q._id.toHexString()));
      const unanswered =
        user && isAtLeast(user.role as Role, 'STAFF')
          ? (await unansweredInExpertise(deps, prefs._id, since, now)).filter((q) => !listed.has(q._id.toHexString()))
          : [];
      if (user?.email && questions.length + unanswered.length > 0) {
        const line = (q: PostDoc) => ({
          text: `${q.title ?? ''}${q.tags.length ? ` [${q.tags.join(', ')}]` : ''}`,
          url: `${deps.config.publicUrl}/questions/${q._id.toHexString()}/-`,
        });
        const subject = [
          questions.length ? `${questions.length} new question${questions.length === 1 ? '' : 's'} you follow` : '',
          unanswered.length ? `${unanswered.length} unanswered in your expertise` : '',
        ]
          .filter(Boolean)
          .join(', ');
        await send(deps, user.email, prefs._id, 'DIGEST', subject, [
          { text: `Hi ${user.displayName},` },
          ...(questions.length ? [{ text: 'New in the tags and spaces you follow:' }, ...questions.map(line)] : []),
          ...(unanswered.length
            ? [{ text: 'Unanswered in your expertise (tags where your answers were accepted):' }, ...unanswered.map(line)]
            : []),
        ]);
        sent.push({
          memberId: prefs._id,
          questionIds: questions.map((q) => q._id.toHexString()),
          unansweredIds: unanswered.map((q) => q._id.toHexString()),
        });
      }
      await mail.setPrefs(prefs._id, { lastDigestAt: now });
    }
  }
  return sent;
}

// ---------------------------------------------------------------------------------------------
// preferences and unsubscribing

export interface NotificationPreferences {
  emailOnAnswer: boolean;
  emailOnMention: boolean;
  emailOnModeratorMessage: boolean;
  digest: DigestFrequency;
}

export async function notificationPreferences(ctx: Pick<Context, 'deps' | 'viewer'>): Promise<NotificationPreferences> {
  const viewer = requireViewer(ctx);
  const prefs = await reposOf(ctx).mail.prefsOf(viewer.id);
  const on = (k: MailKind) => !prefs.mutedKinds.includes(k);
  return {
    emailOnAnswer: on('ANSWER'),
    emailOnMention: on('MENTION'),
    emailOnModeratorMessage: on('MODERATOR_MESSAGE'),
    digest: prefs.digest,
  };
}

const prefsInput = z.object({
  emailOnAnswer: z.boolean().optional(),
  emailOnMention: z.boolean().optional(),
  emailOnModeratorMessage: z.boolean().optional(),
  digest: z.enum(DIGEST_FREQUENCIES).optional(),
});

export async function updateNotificationPreferences(
  ctx: Pick<Context, 'deps' | 'viewer'>,
  raw: z.input<typeof prefsInput>,
): Promise<NotificationPreferences> {
  const viewer = requireViewer(ctx);
  const input = parseInput(prefsInput, raw);
  const repo = reposOf(ctx).mail;
  await ctx.deps.repos.storage.withLock(`mail-prefs:${viewer.id}`, async () => {
    const prefs = await repo.prefsOf(viewer.id);
    const muted = new Set(prefs.mutedKinds as MailKind[]);
    const toggle = (k: MailKind, on: boolean | undefined) => (on === undefined ? undefined : on ? muted.delete(k) : muted.add(k));
    toggle('ANSWER', input.emailOnAnswer);
    toggle('MENTION', input.emailOnMention);
    toggle('MODERATOR_MESSAGE', input.emailOnModeratorMessage);
    const switchedOn = input.digest && input.digest !== 'NONE' && prefs.digest !== input.digest;
    await repo.setPrefs(viewer.id, {
      mutedKinds: [...muted],
      ...(input.digest ? { digest: input.digest } : {}),
      // a digest switched on covers from now: the first one is not a backlog
      ...(switchedOn ? { lastDigestAt: servicesOf(ctx).clock.now() } : {}),
    });
  });
  return notificationPreferences(ctx);
}

/** What a token unsubscribes from (the confirm page shows it), without changing anything. */
export async function inspectUnsubscribeToken(
  ctx: Pick<Context, 'deps'>,
  token: string,
): Promise<{ kind: UnsubscribeKind; handle: string }> {
  const found = verifyUnsubscribeToken(await secretOf(ctx.deps), token);
  if (!found) throw new ValidationError('This unsubscribe link is not valid.', 'token');
  const user = await reposOf(ctx).users.findById(new Types.ObjectId(found.memberId));
  if (!user) throw new NotFoundError('The member');
  return { kind: found.kind, handle: user.handle };
}

/** One-click unsubscribe: the signed token is the authorization (no session needed). */
export async function unsubscribe(ctx: Pick<Context, 'deps'>, token: string): Promise<{ kind: UnsubscribeKind; handle: string }> {
  const found = await inspectUnsubscribeToken(ctx, token);
  const { memberId } = verifyUnsubscribeToken(await secretOf(ctx.deps), token)!;
  await reposOf(ctx).mail.mute(memberId, found.kind, MAIL_KINDS);
  return found;
}
