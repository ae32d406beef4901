// The members directory (`users(orderBy, tag)`, the /users page): members by reputation (the
// Redis ranking, user.ranking.ts), newest and by name (keyset pages over the `_id` and unique
// `handleKey` indexes), or the experts of a tag (the tag's statistics read model: its top
// answerers by score, read by the tag's `_id`).
import type { Context } from '../../context.js';
import { encodeCursor, toConnection, type Connection, type PageWindow } from '../../lib/connection.js';
import { ValidationError } from '../../lib/errors.js';
import type { UserDoc } from '../user/user.model.js';

export type MemberOrder = 'REPUTATION' | 'NEWEST' | 'NAME';

/** A page of the directory; `tag` lists the tag's top answerers (by their answers' score). */
export async function listMembers(
  ctx: Pick<Context, 'deps'>,
  window: PageWindow,
  orderBy: MemberOrder,
  tag: string | null,
): Promise<Connection<UserDoc>> {
  const users = ctx.deps.repos.users;
  if (tag) {
    if (window.backward) throw new ValidationError('the experts of a tag page forward only (first/after)', 'last');
    const stats = (await ctx.deps.repos.tagStats.findManyByIds([tag.trim().toLowerCase()]))[0];
    const answerers = [...(stats?.answerers ?? [])];
    // the read model's order: score, then answers; the cursor is the position after the last one shown
    const start = window.cursor ? Number(window.cursor.key) + 1 : 0;
    const slice = answerers.slice(start, start + window.limit + 1);
    const docs = await users.findByIdsOrdered(slice.map((a) => a.userId));
    const rows = docs.map((u, i) => (u ? { u, at: start + i } : null)).filter((r): r is { u: UserDoc; at: number } => r !== null);
    const conn = toConnection(rows, window, (r) => encodeCursor(r.at, r.u._id.toHexString()));
    return { ...conn, nodes: conn.nodes.map((r) => r.u), edges: conn.edges.map((e) => ({ cursor: e.cursor, node: e.node.u })) };
  }
  if (orderBy === 'NEWEST') {
    const rows = await users.listNewest(window);
    return toConnection(rows, window, (u) => encodeCursor(null, u._id.toHexString()));
  }
  if (orderBy === 'NAME') {
    const rows = await users.listByHandle(window);
    return toConnection(rows, window, (u) => encodeCursor(u.handleKey, u._id.toHexString()));
  }
  const rows = await users.listByReputation(window);
  return toConnection(rows, window, (u) => encodeCursor(u.reputation, u._id.toHexString()));
}
