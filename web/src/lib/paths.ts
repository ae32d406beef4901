// Internal links go through SvelteKit's `resolve()` (base path, lint rule
// svelte/no-navigation-without-resolve). Paths built at run time — server-provided URLs such as
// `question.url`, or paths with query strings — are typed as plain strings; `path()` marks them
// as app paths for `resolve()`.
//
// It claims the type of one path, '/': `resolve()` is overloaded per route, and TypeScript cannot
// match an argument typed as the union of all ~40 app paths against that list of overloads. At run
// time `resolve()` only prefixes the base path to a pathname, whichever it is.
export function path(p: string): '/' {
  return p as '/';
}
