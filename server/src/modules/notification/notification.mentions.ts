// @mentions: which handles a Markdown text mentions. Pure (unit-tested beside it). Code (fenced
// blocks, indented blocks, inline code spans) mentions nobody, nor do e-mail addresses.

/** a member handle (user.service.ts: 3–30 letters, digits, "_" or "-", starting with a letter or digit) */
export const MENTION = /(^|[^\w@/.-])@([A-Za-z0-9][A-Za-z0-9_-]{2,29})(?![\w-])/g;

/** At most this many members are notified by one text (the rest is ignored: no mass pings). */
export const MAX_MENTIONS = 20;

function withoutCode(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?(^\1[^\n]*$|(?![\s\S]))/gm, ' ')
    .replace(/^(?: {4}|\t).*$/gm, ' ')
    .replace(/(`+)[^`]*?\1/g, ' ');
}

/** The handles mentioned (lowercased, unique, first MAX_MENTIONS in order of appearance). */
export function mentionedHandles(markdown: string): string[] {
  const out = new Set<string>();
  for (const m of withoutCode(markdown).matchAll(MENTION)) {
    out.add(m[2]!.toLowerCase());
    if (out.size >= MAX_MENTIONS) break;
  }
  return [...out];
}

/** Elements whose text is never a mention: links (already a link), code. */
const NO_MENTION_TAGS = new Set(['a', 'code', 'pre']);

/** The profile page of a member, by handle key (profiles resolve handles case-insensitively). */
export const profilePath = (handleKey: string) => `/users/${handleKey}`;

/**
 * Turns the `@handle` mentions of members that exist (`known`: lowercased handles) into profile
 * links in sanitized HTML (what lib/markdown.ts renders). Only text outside links and code is
 * touched; everything else is returned byte for byte. The sanitizer escapes every `<` in text, so
 * `<…>` runs are tags. Handles match MENTION (letters, digits, `_`, `-`), so the link is safe HTML.
 */
export function linkMentions(html: string, known: ReadonlySet<string>): string {
  if (known.size === 0 || !html.includes('@')) return html;
  let skipDepth = 0;
  return html
    .split(/(<[^>]*>)/)
    .map((part) => {
      if (part.startsWith('<')) {
        const tag = /^<(\/?)([a-zA-Z0-9]+)/.exec(part);
        if (tag && NO_MENTION_TAGS.has(tag[2]!.toLowerCase()) && !part.endsWith('/>')) skipDepth += tag[1] ? -1 : 1;
        if (skipDepth < 0) skipDepth = 0;
        return part;
      }
      if (skipDepth > 0 || !part.includes('@')) return part;
      return part.replace(MENTION, (whole, before: string, handle: string) =>
        known.has(handle.toLowerCase()) ? `${before}<a href="${profilePath(handle.toLowerCase())}" class="mention">@${handle}</a>` : whole,
      );
    })
    .join('');
}
