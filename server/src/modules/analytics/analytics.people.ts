// The people finder's index of member profiles: each member's profile skills (expertise tags)
// and the words of their about text, as Redis sets (analytics.repository.ts). `updateProfile`
// re-indexes the member right after its write (`profileChanged`); the worker rebuilds the whole
// index from the members when Redis lost it (analytics.rollup.ts). Derived data only: a failed
// update is logged and the profile write stands.
import type { Types } from 'mongoose';
import type { AppDeps } from '../../context.js';

const STOP_WORDS = new Set(
  'a an and are as at be but by for from has have i in is it its my of on or our the this to was we with you your i’m im am been can do not so than that their them then there they very will'.split(
    ' ',
  ),
);
const TERM = /^[a-z0-9][a-z0-9.+#-]{0,34}$/;

/** A search term as the index keeps it: lower case, no trailing punctuation; null when unusable. */
export function normalizeTerm(raw: string): string | null {
  const t = raw
    .trim()
    .toLowerCase()
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[.\-#+]*$/, (m) => (m.includes('+') || m.includes('#') ? m : ''));
  if (!TERM.test(t) || STOP_WORDS.has(t) || /^\d+$/.test(t)) return null;
  return t;
}

/** The words of a member's "about" text the finder matches (pure; at most 200). */
export function aboutTerms(bio: string): string[] {
  const text = bio
    .toLowerCase()
    .replace(/\]\([^)]*\)/g, ' ') // Markdown link targets
    .replace(/https?:\/\/\S+/g, ' ');
  const out = new Set<string>();
  for (const raw of text.split(/[^a-z0-9.+#-]+/)) {
    const t = normalizeTerm(raw);
    if (t && t.length >= 2) out.add(t);
    if (out.size >= 200) break;
  }
  return [...out];
}

/** The index entries of one member: `s:<skill>` for profile expertise tags, `w:<word>` for the about text. */
export function personTerms(user: { expertiseTags?: readonly string[] | null; bio?: string | null }): string[] {
  const skills = (user.expertiseTags ?? []).map((t) => normalizeTerm(t)).filter((t): t is string => t !== null);
  return [...new Set([...skills.map((t) => `s:${t}`), ...aboutTerms(user.bio ?? '').map((t) => `w:${t}`)])];
}

/** Rebuilds the people index from every member (the worker, when Redis lost it; batch only). */
export async function rebuildPeopleIndex(deps: AppDeps): Promise<number> {
  let n = 0;
  for await (const user of deps.repos.users.scan<{ _id: Types.ObjectId; expertiseTags?: string[]; bio?: string }>(
    {},
    '_id expertiseTags bio',
  )) {
    const terms = personTerms(user);
    if (terms.length === 0) continue;
    await deps.repos.analytics.setPersonTerms(deps.redis, deps.config.redisPrefix, user._id.toHexString(), terms, false);
    n++;
  }
  await deps.repos.analytics.markPeopleIndexBuilt(deps.redis, deps.config.redisPrefix);
  return n;
}

/** After a member's profile write (the member as written): re-index them (never fails the write). */
export async function profileChanged(
  deps: AppDeps,
  user: { _id: Types.ObjectId; expertiseTags?: readonly string[] | null; bio?: string | null },
): Promise<void> {
  try {
    await deps.repos.analytics.setPersonTerms(deps.redis, deps.config.redisPrefix, user._id.toHexString(), personTerms(user));
  } catch (error) {
    deps.log.warn({ err: error, userId: user._id.toHexString() }, 'people index update failed');
  }
}
