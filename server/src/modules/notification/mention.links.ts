// @mentions as profile links in stored HTML: resolved once, when a post or comment is written
// (post.service.ts, comment.service.ts), so reading a body costs nothing. Handles come from the
// handle cache / directory (user.handles.ts): no query per mention on a warm cache, and never at
// read time. A handle that does not exist stays plain text.
import { userIdsByHandles, type HandleDeps } from '../user/user.handles.js';
import { linkMentions, mentionedHandles } from './notification.mentions.js';

/** `html` (rendered from `markdown`) with the mentions of existing members linked to their profiles. */
export async function withMentionLinks(deps: HandleDeps, markdown: string, html: string): Promise<string> {
  const handles = mentionedHandles(markdown);
  if (handles.length === 0) return html;
  try {
    const known = await userIdsByHandles(deps, handles);
    return linkMentions(html, new Set(known.keys()));
  } catch {
    // links are a nicety: a lookup failure never fails the write (the text still reads "@handle")
    return html;
  }
}
