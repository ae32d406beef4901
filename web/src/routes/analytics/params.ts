// The dashboard's filters from the URL (the page and the CSV export read the same ones): a space
// by slug (the first the viewer may see by default) and a date range of UTC days (the last 30 by
// default). The api validates the range (YYYY-MM-DD, from ≤ to, at most 366 days).
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export interface AnalyticsFilters {
  slug: string;
  from: string;
  to: string;
}

export function defaultRange(now: Date): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
  return { from, to };
}

export function readFilters(url: URL, spaces: ReadonlyArray<{ slug: string }>, now: Date): AnalyticsFilters {
  const range = defaultRange(now);
  const slug = url.searchParams.get('space') ?? '';
  const from = (url.searchParams.get('from') ?? '').trim();
  const to = (url.searchParams.get('to') ?? '').trim();
  return {
    slug: spaces.some((s) => s.slug === slug) ? slug : (spaces[0]?.slug ?? ''),
    from: DAY.test(from) ? from : range.from,
    to: DAY.test(to) ? to : range.to,
  };
}
