// Per-request values (DataLoaders and other request-scoped caches): created on first use within a
// request, kept in the request context's `cache`; never global.
import DataLoader from 'dataloader';

export function requestScoped<T>(ctx: { cache: Map<string, unknown> }, key: string, create: () => T): T {
  let value = ctx.cache.get(key) as T | undefined;
  if (value === undefined) {
    value = create();
    ctx.cache.set(key, value);
  }
  return value;
}

/**
 * Read-model version keys this request read (`posts:<id>`, `list:posts`, …: see
 * infra/versions.ts). The api returns them in the `x-colloquy-reads` response header so that a
 * cache in front of it (the web's page cache) can tell when a copy went stale.
 */
export function noteReads(ctx: { cache: Map<string, unknown> }, keys: Iterable<string>): void {
  const reads = requestScoped(ctx, 'reads', () => new Set<string>());
  for (const key of keys) reads.add(key);
}

/** The keys noted so far (empty when nothing was read). */
export function readsOf(ctx: { cache: Map<string, unknown> }): string[] {
  return [...((ctx.cache.get('reads') as Set<string> | undefined) ?? [])];
}

/**
 * A per-request DataLoader of documents by (hex) id, null where missing, that notes the
 * read-model version key of every id it loads (`readKey`) for the caches in front of the api.
 */
export function readModelLoader<T>(
  ctx: { cache: Map<string, unknown> },
  name: string,
  readKey: (id: string) => string,
  load: (ids: readonly string[]) => Promise<ReadonlyArray<T | null>>,
): DataLoader<string, T | null> {
  return requestScoped(
    ctx,
    name,
    () =>
      new DataLoader(async (ids: readonly string[]) => {
        noteReads(ctx, ids.map(readKey));
        return load(ids);
      }),
  );
}
