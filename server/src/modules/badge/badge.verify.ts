// `npm run verify`: the members' badge counters and the badges' Redis read models against the
// awards (badge.awards.ts rebuilds them); registered in maintenance/verify.service.ts.
import type { Tally, VerifyDeps } from '../maintenance/verify-checks.js';
import { rebuildBadgeReadModels } from './badge.awards.js';

export async function checkBadges(deps: VerifyDeps, tally: Tally, repair: boolean): Promise<void> {
  const found = await rebuildBadgeReadModels(deps, { repair: false });
  tally.seen('badge counts', found.members);
  const wrong = [...new Set([...found.wrongCounts, ...found.wrongIndex])];
  for (const id of wrong) tally.drift('badge counts', `member ${id}`);
  if (repair && wrong.length) {
    await rebuildBadgeReadModels(deps, { repair: true });
    for (let i = 0; i < wrong.length; i++) tally.repaired('badge counts');
  }
}
