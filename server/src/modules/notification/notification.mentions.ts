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
