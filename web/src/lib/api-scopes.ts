// The API token scopes as the web app shows them (the server's list: server/src/lib/scopes.ts;
// the GraphQL enum ApiTokenScope). Used by the token settings page and /developers.
export const API_SCOPES = [
  { value: 'READ', name: 'read', description: 'Run queries: read everything you can see.' },
  { value: 'WRITE_QUESTIONS', name: 'write:questions', description: 'Ask, edit and delete questions.' },
  {
    value: 'WRITE_ANSWERS',
    name: 'write:answers',
    description: 'Post, edit and delete answers; accept and unaccept answers to your questions.',
  },
  { value: 'WRITE_COMMENTS', name: 'write:comments', description: 'Add, edit and delete comments.' },
  { value: 'WRITE_VOTES', name: 'write:votes', description: 'Vote on questions and answers.' },
  {
    value: 'MODERATE',
    name: 'moderate',
    description: 'Moderator and staff actions your role allows: close, reopen, verify, roll back, manage tags and spaces.',
  },
  { value: 'ADMIN_WEBHOOKS', name: 'admin:webhooks', description: 'Manage webhooks and read their deliveries (administrators).' },
] as const;

export type ApiScopeValue = (typeof API_SCOPES)[number]['value'];

/** How a token's scope reads on the page (`WRITE`: tokens made before fine-grained scopes). */
export function scopeName(value: string): string {
  if (value === 'WRITE') return 'write (every write:*)';
  return API_SCOPES.find((s) => s.value === value)?.name ?? value.toLowerCase();
}

/** The expiry choices of a new token (days; '' = never). */
export const EXPIRY_CHOICES = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '', label: 'Never' },
] as const;
