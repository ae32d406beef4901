// Small pure formatting helpers shared by pages (safe on server and client).

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const dateOnly = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });

/** "3 hours ago", "yesterday", "just now". */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (Math.abs(seconds) < 60) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relativeTo(Math.trunc(seconds / size), unit);
  }
  return relativeTo(Math.trunc(seconds / 60), 'minute');
}

/** the phrases made so far: a page shows a few dozen times, from a small set ("3 hours ago") */
const phrases = new Map<string, string>();

function relativeTo(value: number, unit: Intl.RelativeTimeFormatUnit): string {
  const key = `${value} ${unit}`;
  let phrase = phrases.get(key);
  if (phrase === undefined) {
    phrase = relative.format(value, unit);
    if (phrases.size >= TITLES_KEPT) phrases.delete(phrases.keys().next().value!);
    phrases.set(key, phrase);
  }
  return phrase;
}

/** the last titles formatted (Intl formatting costs ~10 µs, and a page repeats the same times on every view) */
const titles = new Map<string, string>();
const TITLES_KEPT = 2_000;

/** "Nov 28, 2026, 8:38 PM UTC" — for `title` attributes. */
export function formatDateTime(iso: string): string {
  let title = titles.get(iso);
  if (title === undefined) {
    const date = new Date(iso);
    title = Number.isNaN(date.getTime()) ? '' : `${absolute.format(date)} UTC`;
    if (titles.size >= TITLES_KEPT) titles.delete(titles.keys().next().value!);
    titles.set(iso, title);
  }
  return title;
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateOnly.format(date);
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const grouped = new Intl.NumberFormat('en');

/** 1234 → "1.2K" */
export function compactNumber(n: number): string {
  return Math.abs(n) < 1000 ? String(n) : compact.format(n);
}

/** 1234 → "1,234" */
export function formatNumber(n: number): string {
  // a whole number under 1,000 reads the same without Intl (a page formats dozens of counts)
  return Number.isInteger(n) && Math.abs(n) < 1000 ? String(n) : grouped.format(n);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** URL slug of a title: lowercase ASCII words joined by dashes, at most 80 characters. */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
  return slug || 'question';
}

/** Plain-text excerpt for meta descriptions (from Markdown source or plain text). */
export function excerpt(text: string, max = 160): string {
  const plain = text
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[#>*_~|-]+/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length <= max) return plain;
  const cut = plain.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
