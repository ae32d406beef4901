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

/** What each scope allows (the token page, the /developers page and docs/api.md show these). */
export const SCOPE_DESCRIPTIONS: Readonly<Record<FineScope, string>> = {
  read: 'Run queries (read everything the member can see).',
  'write:questions': 'Ask, edit and delete questions.',
  'write:answers': 'Post, edit and delete answers; accept and unaccept answers to the member’s questions.',
  'write:comments': 'Add, edit and delete comments.',
  'write:votes': 'Vote on questions and answers.',
  moderate: 'Moderator and staff actions the member’s role allows: close, reopen, verify, roll back, manage tags and spaces.',
  'admin:webhooks': 'Manage webhooks and read their deliveries (administrators).',
};

/** Tokens made before fine-grained scopes carry `write`: it stands for every `write:*` scope. */
const LEGACY: Record<string, readonly FineScope[]> = {
  write: ['write:questions', 'write:answers', 'write:comments', 'write:votes'],
};

export function viewerHasScope(viewer: { via: 'session' | 'token'; scopes: readonly string[] } | null, scope: FineScope): boolean {
  if (viewer === null) return false;
  if (viewer.via === 'session') return true;
  return viewer.scopes.includes(scope) || viewer.scopes.some((s) => LEGACY[s]?.includes(scope));
}

/** A token's scopes with the legacy `write` spelled out (sorted as TOKEN_SCOPES). */
export function expandScopes(scopes: readonly string[]): FineScope[] {
  return TOKEN_SCOPES.filter((s) => scopes.includes(s) || scopes.some((held) => LEGACY[held]?.includes(s)));
}

/** The refusal a token gets for a field it lacks the scope of. */
export const missingScopeMessage = (scope: FineScope) => `This token lacks the ${scope} scope.`;

/** The refusal a token gets for a session-only mutation (profile, settings, tokens). */
export const SESSION_ONLY_MESSAGE = 'API tokens cannot do this: sign in to the site instead.';
