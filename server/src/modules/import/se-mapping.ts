// Pure mapping helpers of the Stack Exchange importer: deterministic ids, handles, licences,
// close reasons, badge tiers and a small HTML → Markdown/text converter for the few places
// where the dump has no Markdown source (user profiles, posts without history).
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { CloseReason } from '../post/post.rules.js';

/** Kinds of imported entities; each gets its own id space. */
export type SeKind = 'user' | 'post' | 'comment' | 'revision' | 'badge' | 'space' | 'bounty';

/**
 * The ObjectId of an imported entity: the first 12 bytes of sha1("<site>\0<kind>\0<key>").
 * Deterministic, so a re-run (or a resumed run) addresses the same documents and every write can
 * be an upsert by `_id` (the one filter FerretDB pushes down to SQLite).
 */
export function seObjectId(site: string, kind: SeKind, key: number | string): Types.ObjectId {
  const hex = createHash('sha1').update(`${site}\0${kind}\0${key}`).digest('hex').slice(0, 24);
  return new Types.ObjectId(hex);
}

/**
 * The id of an imported audit-log entry (one per PostHistory row): deterministic like the others,
 * but its first 4 bytes are the row's time, as in every ObjectId, because the audit log's
 * listings page by id order as time order (modules/moderation/audit.repository.ts).
 */
export function seAuditId(site: string, historyRowId: number, at: Date): Types.ObjectId {
  const seconds = Math.max(0, Math.min(0xffffffff, Math.floor(at.getTime() / 1000)));
  const rest = createHash('sha1').update(`${site}\0audit\0${historyRowId}`).digest('hex').slice(0, 16);
  return new Types.ObjectId(seconds.toString(16).padStart(8, '0') + rest);
}

/** A revision's id: one per (post, revision number). */
export function seRevisionId(site: string, postId: number, number: number): Types.ObjectId {
  return seObjectId(site, 'revision', `${postId}:${number}`);
}

export const HANDLE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{2,29}$/;

/** "-1" → "m1" (ids of system accounts are negative; "-" would read as a separator). */
function idPart(id: number): string {
  return id < 0 ? `m${-id}` : String(id);
}

/**
 * A valid handle (`[A-Za-z0-9][A-Za-z0-9_-]{2,29}`) from a display name: accents dropped, runs of
 * other characters become "-". Names that leave fewer than 3 characters become `user-<id>`.
 */
export function handleFromName(name: string | undefined, id: number): string {
  let h = (name ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+/, '')
    .replace(/[-_]+$/, '');
  if (h.length > 30) h = h.slice(0, 30).replace(/[-_]+$/, '');
  return HANDLE_RE.test(h) ? h : `user-${idPart(id)}`;
}

/** The handle used when `handleFromName` is taken: the name shortened to leave room for "-<id>". */
export function fallbackHandle(name: string | undefined, id: number): string {
  const suffix = `-${idPart(id)}`;
  const base = handleFromName(name, id);
  if (base.startsWith('user-')) return `user${suffix}`.slice(0, 30);
  const head = base.slice(0, 30 - suffix.length).replace(/[-_]+$/, '');
  const h = `${head}${suffix}`;
  return HANDLE_RE.test(h) ? h : `user${suffix}`;
}

/** The last resort when both of the above are taken (another site's import, a member's handle). */
export function siteHandle(site: string, id: number): string {
  const label = siteLabel(site).slice(0, 12);
  return `${label}-user-${idPart(id)}`.slice(0, 30);
}

/** "ai.stackexchange.com" → "ai"; "stackoverflow.com" → "stackoverflow"; "meta.x.stackexchange.com" → "meta-x". */
export function siteLabel(site: string): string {
  const parts = site.split('.');
  const drop = parts.length >= 3 && parts.at(-2) === 'stackexchange' ? 2 : 1;
  const label = parts
    .slice(0, parts.length - drop)
    .join('-')
    .replace(/[^a-z0-9-]/g, '');
  return label || 'site';
}

/** Default space name for a site: "ai.stackexchange.com" → "AI (Stack Exchange)". */
export function siteDisplayName(site: string): string {
  const label = siteLabel(site);
  const words = label.split('-').map((w) => (w.length <= 3 ? w.toUpperCase() : w[0]!.toUpperCase() + w.slice(1)));
  return `${words.join(' ')} (Stack Exchange)`;
}

/**
 * The licence of a contribution. Newer dumps say it (ContentLicense); for older dumps it follows
 * from the date, as Stack Exchange states it: before 2011-04-08 CC BY-SA 2.5, before 2018-05-02
 * CC BY-SA 3.0, later CC BY-SA 4.0.
 */
export function licenseFor(contentLicense: string | undefined, date: Date | undefined): string {
  if (contentLicense) return contentLicense;
  if (!date) return 'CC BY-SA 4.0';
  const t = date.getTime();
  if (t < Date.UTC(2011, 3, 8)) return 'CC BY-SA 2.5';
  if (t < Date.UTC(2018, 4, 2)) return 'CC BY-SA 3.0';
  return 'CC BY-SA 4.0';
}

export type { CloseReason };

/** PostHistory type 10 (closed) keeps the close reason id in Comment. */
export function closeReasonFromHistory(comment: string | undefined): CloseReason {
  switch (comment?.trim()) {
    case '1':
    case '101':
      return 'DUPLICATE';
    case '2':
    case '102':
      return 'OFF_TOPIC';
    case '4':
    case '103':
      return 'NEEDS_DETAILS';
    case '104':
      return 'NEEDS_FOCUS';
    case '3':
    case '105':
      return 'OPINION_BASED';
    default:
      return 'OTHER';
  }
}

export type BadgeTier = 'GOLD' | 'SILVER' | 'BRONZE';

/** Badges.Class: 1 gold, 2 silver, 3 bronze. */
export function badgeTier(cls: number | undefined): BadgeTier {
  return cls === 1 ? 'GOLD' : cls === 2 ? 'SILVER' : 'BRONZE';
}

/** Accepts http(s) URLs only (profile links); anything else is dropped. */
export function safeUrl(value: string | undefined): string | null {
  if (!value) return null;
  const trimmed = value.trim();
  try {
    const u = new URL(trimmed);
    return u.protocol === 'http:' || u.protocol === 'https:' ? trimmed.slice(0, 500) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// HTML → Markdown / text (only for content the dump has no Markdown source of)

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return codePoint(parseInt(lower.slice(2), 16)) ?? whole;
    if (lower.startsWith('#')) return codePoint(parseInt(lower.slice(1), 10)) ?? whole;
    return NAMED_ENTITIES[lower] ?? whole;
  });
}

function codePoint(n: number): string | null {
  return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : null;
}

/**
 * A rough Markdown rendition of Stack Exchange's post HTML: paragraphs, line breaks, code blocks
 * and spans, links, emphasis, headings, lists and quotes. Only used when a post has no history
 * (the Markdown source); the result is rendered and sanitized like any Markdown.
 */
export function htmlToMarkdown(html: string): string {
  const blocks: string[] = [];
  const keep = (text: string) => {
    blocks.push(text);
    return `\uE000${blocks.length - 1}\uE001`;
  };
  let s = html.replace(/\r\n?/g, '\n').replace(/[\uE000\uE001]/g, '');
  s = s.replace(/<pre[^>]*>\s*(?:<code[^>]*>)?([\s\S]*?)(?:<\/code>\s*)?<\/pre>/gi, (_m, code: string) => {
    const text = decodeEntities(code.replace(/<[^>]+>/g, '')).replace(/\n+$/, '');
    const fence = text.includes('```') ? '~~~' : '```';
    return `\n\n${keep(`${fence}\n${text}\n${fence}`)}\n\n`;
  });
  s = s.replace(/<code[^>]*>([\s\S]*?)<\/code>/gi, (_m, code: string) => {
    const text = decodeEntities(code.replace(/<[^>]+>/g, ''));
    const ticks = text.includes('`') ? '``' : '`';
    return keep(`${ticks}${ticks.length > 1 ? ' ' : ''}${text}${ticks.length > 1 ? ' ' : ''}${ticks}`);
  });
  s = s.replace(/<a\s[^>]*href\s*=\s*"([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, text: string) => {
    const label = text.replace(/<[^>]+>/g, '').trim() || href;
    return `[${label}](${decodeEntities(href).replace(/[()\s]/g, encodeURIComponent)})`;
  });
  s = s.replace(
    /<img\s[^>]*src\s*=\s*"([^"]*)"[^>]*?(?:alt\s*=\s*"([^"]*)")?[^>]*>/gi,
    (_m, src: string, alt?: string) => `![${alt ?? ''}](${src})`,
  );
  s = s.replace(/<\/?(?:strong|b)>/gi, '**').replace(/<\/?(?:em|i)>/gi, '*');
  s = s.replace(
    /<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/gi,
    (_m, level: string, text: string) => `\n\n${'#'.repeat(Number(level))} ${text.trim()}\n\n`,
  );
  s = s.replace(/<li[^>]*>/gi, '\n- ').replace(/<\/li>/gi, '');
  s = s.replace(
    /<blockquote[^>]*>([\s\S]*?)<\/blockquote>/gi,
    (_m, inner: string) =>
      `\n\n${inner
        .replace(/<\/?p[^>]*>/gi, '\n')
        .trim()
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n')}\n\n`,
  );
  s = s.replace(/<br\s*\/?>/gi, '  \n');
  s = s.replace(/<\/(?:p|div|ul|ol|h[1-6]|table|tr)>/gi, '\n\n').replace(/<hr\s*\/?>/gi, '\n\n---\n\n');
  s = s.replace(/<[^>]+>/g, '');
  s = decodeEntities(s);
  s = s.replace(/\uE000(\d+)\uE001/g, (_m, i: string) => blocks[Number(i)] ?? '');
  return s
    .replace(/[ \t]+\n/g, (m) => (m.startsWith('  ') ? '  \n' : '\n'))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Plain text of a fragment of HTML (profiles): tags dropped, entities decoded, paragraphs kept. */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/\r\n?/g, '\n')
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/(?:p|div|li|h[1-6]|blockquote|pre)>/gi, '\n\n')
      .replace(/<li[^>]*>/gi, '- ')
      .replace(/<[^>]+>/g, ''),
  )
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Text cut at a word boundary to at most `max` characters (no ellipsis when it fits). */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - 1);
  const cut = head.lastIndexOf(' ');
  return `${cut > max / 2 ? head.slice(0, cut) : head}…`;
}
