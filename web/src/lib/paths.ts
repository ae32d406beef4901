// Internal links go through SvelteKit's `resolve()` (base path, lint rule
// svelte/no-navigation-without-resolve). Paths built at run time — server-provided URLs such as
// `question.url`, or paths with query strings — are typed as plain strings; `path()` marks them
// as app paths for `resolve()`.
import type { Pathname } from '$app/types';

export function path(p: string): Pathname {
  return p as Pathname;
}
