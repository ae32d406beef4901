// Tag names as stored, indexed and searched: trimmed, lower-cased, whitespace runs joined by `-`.
// Pure normalisation, no validation (see TAG_NAME in modules/tag/tag.rules.ts for what a valid
// name is): `  Node JS ` → `node-js`, `C++` → `c++`.

/** One tag name, normalised (may be empty: the caller drops or rejects empty names). */
export function normalizeTagName(raw: string): string {
  return raw.trim().toLowerCase().replace(/\s+/g, '-');
}

/** Tag names normalised, without empty names and duplicates (first occurrence kept, in order). */
export function normalizeTagNames(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of list) {
    const tag = normalizeTagName(raw);
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}
