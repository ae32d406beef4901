// Tag names as the api expects them: lower-case, unique; forms separate them by spaces or commas.
// (How many are allowed is the api's rule: it answers with a `tags` validation error.)
export function parseTags(raw: string): string[] {
  const seen = new Set<string>();
  for (const part of raw.toLowerCase().split(/[\s,]+/)) {
    const tag = part.trim().replace(/^#/, '');
    if (tag) seen.add(tag);
  }
  return [...seen];
}
