// Verify: moderation's derived state. A flagged item's sums (active flaggers, counts per reason,
// spam / rude count) are what its active flags say; the moderators' flag queue (Redis) lists
// exactly the open items; the audit log's Redis listings hold every entry.
import { HIDING_REASONS } from '../moderation/flag.rules.js';
import type { Tally, VerifyDeps } from './verify-checks.js';

export async function checkFlags(deps: VerifyDeps, tally: Tally, repair: boolean) {
  const flags = deps.repos.flags;
  const queue: string[] = [];
  const seen = new Set<string>();
  for await (const s of flags.scanSubjects()) {
    seen.add(s._id);
    tally.seen('flag counters');
    const active = s.status === 'OPEN' ? await flags.activeFlagsOf(s._id) : [];
    const reasonCounts: Record<string, number> = {};
    for (const f of active) reasonCounts[f.reason] = (reasonCounts[f.reason] ?? 0) + 1;
    const want = {
      flaggerIds: active.map((f) => f.flaggerId).sort((a, b) => a.toHexString().localeCompare(b.toHexString())),
      activeCount: active.length,
      hidingCount: active.filter((f) => HIDING_REASONS.has(f.reason)).length,
      reasonCounts,
    };
    const have = [...s.flaggerIds].map((id) => id.toHexString()).sort();
    const same =
      s.activeCount === want.activeCount &&
      s.hidingCount === want.hidingCount &&
      JSON.stringify(have) === JSON.stringify(want.flaggerIds.map((id) => id.toHexString())) &&
      JSON.stringify(
        Object.entries(s.reasonCounts ?? {})
          .filter(([, n]) => n)
          .sort(),
      ) === JSON.stringify(Object.entries(reasonCounts).sort());
    if (!same) {
      tally.drift(
        'flag counters',
        `${s.subjectType} ${s._id}: ${s.activeCount} active / ${s.hidingCount} spam-rude stored, ${want.activeCount} / ${want.hidingCount} flagged`,
      );
      if (repair) {
        await flags.forceSubject(s._id, want);
        tally.repaired('flag counters');
      }
    }
    if (s.status === 'OPEN' && s.queueMember)
      queue.push(s._id === s.queueMember.slice(s.queueMember.indexOf(':') + 1) ? s.queueMember : '');
  }
  // active flags on items without sums (a crash between the flag and its sums)
  for (const subjectId of await flags.flaggedSubjectIds()) {
    if (seen.has(subjectId)) continue;
    tally.seen('flag counters');
    tally.drift('flag counters', `${subjectId}: active flags but no sums`);
  }
  const listed = await flags.queueMembers();
  if (listed === null) return;
  tally.seen('flag queue');
  const want = new Set(queue.filter(Boolean));
  const missing = [...want].filter((m) => !listed.includes(m)).length;
  const extra = listed.filter((m) => !want.has(m)).length;
  if (missing || extra) {
    tally.drift('flag queue', `${missing} open item(s) not listed, ${extra} listed item(s) not open`);
    if (repair) {
      await flags.replaceQueue([...want]);
      tally.repaired('flag queue');
    }
  }
  tally.seen('audit listings');
  const listedAudit = await deps.repos.audit.listedCount();
  const entries = await deps.repos.audit.estimatedCount();
  if (listedAudit !== null && listedAudit !== entries) {
    tally.drift('audit listings', `${entries} entries, ${listedAudit} listed`);
    if (repair) {
      await deps.repos.audit.rebuildListings();
      tally.repaired('audit listings');
    }
  }
}
