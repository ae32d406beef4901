// API token scopes (fine-grained, GitHub-style). A session (a member in the browser) holds every
// scope — their role and privileges still decide; an API token holds only the scopes it lists.
export const TOKEN_SCOPES = [
  'read',
  'write:questions',
  'write:answers',
  'write:comments',
  'write:votes',
  'moderate',
  'admin:webhooks',
] as const;
export type FineScope = (typeof TOKEN_SCOPES)[number];

/** Tokens made before fine-grained scopes carry `write`: it stands for every `write:*` scope. */
const LEGACY: Record<string, readonly FineScope[]> = {
  write: ['write:questions', 'write:answers', 'write:comments', 'write:votes'],
};

export function viewerHasScope(viewer: { via: 'session' | 'token'; scopes: readonly string[] } | null, scope: FineScope): boolean {
  if (viewer === null) return false;
  if (viewer.via === 'session') return true;
  return viewer.scopes.includes(scope) || viewer.scopes.some((s) => LEGACY[s]?.includes(scope));
}
