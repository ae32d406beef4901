// Use cases of the inbox: a member's notifications (newest first, from the inbox read model),
// the unread count, marking read, and the entry a live subscriber is told about. Every read is
// the viewer's own inbox, and an entry whose post the viewer can no longer see is left out.
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Context, Viewer } from '../../context.js';
import { encodeCursor, pageWindow, toConnection, type Connection, type PageArgs } from '../../lib/connection.js';
import { ValidationError } from '../../lib/errors.js';
import { parseInput } from '../../lib/validate.js';
import { visiblePosts } from '../post/post.visibility.js';
import { reposOf, servicesOf } from '../services.js';
import { requireViewer } from '../user/user.service.js';
import type { NotificationDoc } from './notification.model.js';

type Ctx = Pick<Context, 'deps' | 'viewer'>;

/** The path an entry links to: its question, at the answer it is about. */
export function notificationPath(doc: Pick<NotificationDoc, 'questionId' | 'postId'>): string {
  if (!doc.questionId) return '/inbox';
  const q = doc.questionId.toHexString();
  const post = doc.postId?.toHexString();
  return `/questions/${q}/-${post && post !== q ? `#answer-${post}` : ''}`;
}

/** The entries (in order) the viewer may see: their own, not gone, their post still visible. */
export async function visibleNotifications(ctx: Ctx, viewer: Viewer, docs: ReadonlyArray<NotificationDoc | null>) {
  const own = docs.map((d) => (d && d.recipientId.toHexString() === viewer.id && !d.goneAt ? d : null));
  const postIds = [...new Set(own.flatMap((d) => (d?.postId ? [d.postId.toHexString()] : [])))];
  const posts = postIds.length ? await visiblePosts(reposOf(ctx).posts, viewer, await reposOf(ctx).posts.findPostsByIds(postIds)) : [];
  const seen = new Set(posts.flatMap((p) => (p ? [p._id.toHexString()] : [])));
  return own.map((d) => (d && (!d.postId || seen.has(d.postId.toHexString())) ? d : null));
}

export async function listNotifications(
  ctx: Ctx,
  args: PageArgs & { unreadOnly?: boolean | null },
): Promise<Connection<NotificationDoc & { score: number }>> {
  const viewer = requireViewer(ctx);
  if (args.last != null || args.before != null) throw new ValidationError('the inbox pages forward only (first/after)', 'last');
  const window = pageWindow(args, 20);
  const after = window.cursor ? { score: Number(window.cursor.key), id: window.cursor.id } : null;
  const repo = reposOf(ctx).notifications;
  const rows = await repo.inboxPage(viewer.id, !!args.unreadOnly, after, window.limit + 1);
  const docs = await repo.findByIdsOrdered(
    rows.map((r) => new Types.ObjectId(r.id)),
    (id) => String(id),
  );
  const visible = await visibleNotifications(ctx, viewer, docs);
  const page = rows.flatMap((r, i) => (visible[i] ? [{ ...visible[i]!, score: r.score }] : []));
  // hidden entries are skipped; `hasNextPage` still follows the read model's rows
  const connection = toConnection(page.slice(0, window.limit), window, (d) => encodeCursor(d.score, d._id.toHexString()));
  connection.pageInfo.hasNextPage = rows.length > window.limit;
  return connection;
}

/** Unread entries of the viewer (0 for anonymous visitors). */
export async function unreadNotificationCount(ctx: Ctx): Promise<number> {
  if (!ctx.viewer) return 0;
  return reposOf(ctx).notifications.unreadCount(ctx.viewer.id);
}

const markInput = z
  .object({ ids: z.array(z.string()).max(100, { error: 'mark at most 100 at once' }).optional(), all: z.boolean().optional() })
  .refine((v) => !!v.all !== !!v.ids?.length, { error: 'pass either ids or all: true', path: ['ids'] });

export async function markNotificationsRead(ctx: Ctx, raw: z.input<typeof markInput>): Promise<{ marked: string[]; unreadCount: number }> {
  const viewer = requireViewer(ctx);
  const input = parseInput(markInput, raw);
  const repo = reposOf(ctx).notifications;
  const marked = await repo.markRead(viewer.id, input.all ? 'all' : input.ids!, servicesOf(ctx).clock.now());
  if (marked.length) servicesOf(ctx).live.publishNotificationAdded({ recipientId: viewer.id, notificationId: '' });
  return { marked, unreadCount: await repo.unreadCount(viewer.id) };
}

/** The entry a live subscriber hears of, as the viewer may see it (null: skip the event). */
export async function notificationForSubscriber(ctx: Ctx, notificationId: string): Promise<NotificationDoc | null> {
  if (!ctx.viewer || !Types.ObjectId.isValid(notificationId)) return null;
  const doc = await reposOf(ctx).notifications.findById(new Types.ObjectId(notificationId));
  return (await visibleNotifications(ctx, ctx.viewer, [doc]))[0] ?? null;
}
