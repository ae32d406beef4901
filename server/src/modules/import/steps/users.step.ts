// Users.xml → users (with their question/answer counts) + opening balances in the ledger, and
// the placeholder user that owns what deleted and anonymous accounts wrote.
//
// REPUTATION (decided): an imported member's reputation is the dump's `Reputation`, kept as an
// OPENING BALANCE in the ledger — one `join:<userId>` event with reason IMPORTED_BALANCE and
// delta max(1, Reputation), exactly the event `openLedger(rules, userId, createdAt, balance)`
// writes for a new member (written here in bulk: seq 1, balance = delta; the user document is
// inserted with reputation = balance and repSeq = 1). It is not recomputed from the imported
// votes: public dumps do not say who cast up/down votes and leave out deleted posts, bounties,
// suggested edits, association bonuses …, so a recomputation could not match what the site
// shows. Imported votes therefore award nothing (authorRep = voterRep = 0; undoing one takes
// nothing back); whatever members do after the import goes through the normal ledger rules.
// A user's reputation always equals the sum of their ledger events.
import { Types } from 'mongoose';
import { renderMarkdown } from '../../../lib/markdown.js';
import type { UserRow } from '../se-dump.reader.js';
import { clipText, fallbackHandle, handleFromName, htmlToText, safeUrl, seObjectId, siteHandle, siteLabel } from '../se-mapping.js';
import type { InsertBatch, InsertFailure } from '../../../infra/insert-batch.js';
import { DEFAULT_LICENSE, type ImportContext, type StepStats } from './context.js';

/** what a member's handle is made from, for the longer forms when it is taken */
interface HandleSource {
  name: string | undefined;
  id: number;
}

interface PostCounts {
  q: number;
  a: number;
}

export async function usersStep(ctx: ImportContext, write: boolean, stats: StepStats): Promise<void> {
  const members = new MemberWriter(ctx, write, stats);
  const taken = new Set<string>();
  const rules = ctx.deps.services.reputationRules;
  const now = new Date();
  const owned = postsPerOwner(ctx);
  const flushAll = () => members.flush();

  // owns the posts and comments whose author's account is gone (attribution keeps the name);
  // written last, when it is known whose accounts are gone
  const placeholderHandle = `se-anonymous-${siteLabel(ctx.site).slice(0, 16)}`;
  taken.add(placeholderHandle.toLowerCase());

  await ctx.read(
    'Users',
    'Users',
    async (row) => {
      stats.rows++;
      stats.imported++;
      const name = row.DisplayName?.trim() || `user${row.Id}`;
      ctx.maps.userNames.set(row.Id, name);
      ctx.counts.users++;
      if (!write) return;
      let handle = handleFromName(row.DisplayName, row.Id);
      if (taken.has(handle.toLowerCase())) handle = fallbackHandle(row.DisplayName, row.Id);
      if (taken.has(handle.toLowerCase())) handle = siteHandle(ctx.site, row.Id);
      taken.add(handle.toLowerCase());
      const full = members.add(
        seObjectId(ctx.site, 'user', row.Id),
        memberFields(ctx.site, row, name, handle, now),
        Math.max(1, row.Reputation ?? rules.initial),
        { name: row.DisplayName, id: row.Id },
        owned.get(row.Id),
      );
      if (full) await flushAll();
    },
    flushAll,
  );
  if (!write) return;
  const orphans = { q: 0, a: 0 };
  for (const [id, p] of ctx.maps.posts) {
    if (!ctx.isImportedPost(id) || ctx.userOid(p.owner)) continue;
    if (p.type === 1) orphans.q++;
    else orphans.a++;
  }
  const about = `Stands in for deleted and anonymous ${ctx.site} accounts; every imported post names its original author.`;
  members.add(
    ctx.placeholderId,
    { handle: placeholderHandle, displayName: 'Anonymous', bio: about, bioHTML: renderMarkdown(about), createdAt: now },
    Math.max(1, rules.initial),
    { name: 'anonymous', id: 0 },
    orphans,
  );
  await flushAll();
}

/** Questions and answers per owner, from the index (the placeholder's are counted at the end). */
function postsPerOwner(ctx: ImportContext): Map<number, PostCounts> {
  const owned = new Map<number, PostCounts>();
  for (const [id, p] of ctx.maps.posts) {
    if (!ctx.isImportedPost(id) || p.owner === undefined) continue;
    const key = p.owner;
    const c = owned.get(key) ?? { q: 0, a: 0 };
    if (p.type === 1) c.q++;
    else c.a++;
    owned.set(key, c);
  }
  return owned;
}

/** The profile of a dump user (the member fields MemberWriter does not set). */
function memberFields(site: string, row: UserRow, name: string, handle: string, now: Date) {
  const bio = row.AboutMe ? clipText(htmlToText(row.AboutMe), 3000) : '';
  const createdAt = row.CreationDate ?? now;
  const profile = `https://${site}/users/${row.Id}`;
  return {
    handle,
    displayName: clipText(name, 60),
    bio,
    bioHTML: bio ? renderMarkdown(bio) : '',
    location: row.Location?.trim() ? clipText(row.Location.trim(), 100) : null,
    websiteUrl: safeUrl(row.WebsiteUrl),
    lastSeenAt: row.LastAccessDate ?? null,
    createdAt,
    attribution: {
      site,
      originalId: String(row.Id),
      url: profile,
      authorName: name,
      authorUrl: profile,
      license: DEFAULT_LICENSE,
    },
  };
}

/** Members and their opening balances, written together; a handle taken outside the dump gets
 * its longer forms. */
class MemberWriter {
  private readonly users: InsertBatch;
  private readonly events: InsertBatch;
  /** what the queued members' handles are made from */
  private readonly names = new Map<string, HandleSource>();

  constructor(
    private readonly ctx: ImportContext,
    write: boolean,
    private readonly stats: StepStats,
  ) {
    this.users = ctx.writer('users', write, { otherUniqueKeys: true });
    this.events = ctx.writer('reputationEvents', write);
  }

  /** Queues a member and the ledger event behind their balance; true when the batch is full. */
  add(
    _id: Types.ObjectId,
    doc: Record<string, unknown> & { handle: string; createdAt: Date },
    balance: number,
    alt: HandleSource,
    counts: PostCounts | undefined,
  ): boolean {
    this.events.add({
      _id: `join:${_id.toHexString()}`,
      userId: _id,
      seq: 1,
      delta: balance,
      nominal: balance,
      reason: 'IMPORTED_BALANCE',
      capped: false,
      day: '',
      dayEarned: 0,
      balance,
      subjectId: null,
      subjectType: null,
      at: doc.createdAt,
    });
    this.names.set(_id.toHexString(), alt);
    return this.users.add({
      _id,
      ...doc,
      handleKey: doc.handle.toLowerCase(),
      email: null,
      emailKey: `none:${_id.toHexString()}`,
      passwordHash: null,
      role: 'MEMBER',
      reputation: balance,
      repSeq: 1,
      repDay: '',
      repDayEarned: 0,
      questionCount: counts?.q ?? 0,
      answerCount: counts?.a ?? 0,
      updatedAt: doc.createdAt,
    });
  }

  async flush(): Promise<void> {
    const { ctx, stats, users } = this;
    // the ledger event first: a member never exists without the event behind their balance
    await ctx.flush(this.events, stats, 'reputation event');
    const first = await users.flush();
    stats.existing += first.existing;
    let failures = first.failures;
    // a handle taken outside this dump (a member, another import): the longer forms
    for (let round = 0; round < 2 && failures.some((f) => f.conflict); round++) {
      const rest: InsertFailure[] = [];
      for (const f of failures) {
        const alt = this.names.get(f.id);
        if (!f.conflict || !alt) {
          rest.push(f);
          continue;
        }
        const handle = round === 0 ? fallbackHandle(alt.name, alt.id) : siteHandle(ctx.site, alt.id);
        users.add({ ...f.doc, _id: new Types.ObjectId(f.id), handle, handleKey: handle.toLowerCase() });
      }
      const again = await users.flush();
      stats.existing += again.existing;
      failures = [...rest, ...again.failures];
    }
    ctx.reportFailures(failures, stats, 'user');
    this.names.clear();
  }
}
