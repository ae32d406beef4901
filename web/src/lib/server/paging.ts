// Keyset pagination arguments from a URL (?after= / ?before=), as Relay connection variables.

const CURSOR = /^[A-Za-z0-9_\-=:.+/]{1,512}$/;

export function pageArgs(url: URL, size: number): { first?: number; after?: string; last?: number; before?: string } {
  const before = url.searchParams.get('before');
  if (before && CURSOR.test(before)) return { last: size, before };
  const after = url.searchParams.get('after');
  if (after && CURSOR.test(after)) return { first: size, after };
  return { first: size };
}
