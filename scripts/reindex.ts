// npm run reindex: rebuilds the search index from MongoDB into a fresh index, then swaps it in
// (zero downtime: queries keep using the old index until the swap); then the question listings
// in Redis (where they are used), the members ranking and the tag and member statistics, which are
// derived from the posts too.
import { loadConfig } from '../server/src/config.js';
import { createDeps } from '../server/src/deps.js';
import { rebuildRollupsAndRanking } from '../server/src/modules/post/post.rollups.js';
import { allSearchDocuments } from '../server/src/modules/search/search.sync.js';
import { createProgress } from './lib/progress.js';

async function main() {
  const config = loadConfig();
  const deps = await createDeps(config, 'reindex', { events: 'inline' });
  try {
    const search = deps.services.search;
    const total = await deps.repos.posts.count({ deletedAt: null });
    console.log(`reindexing ${total} posts into a fresh ${search.name} index …`);
    const progress = createProgress({ label: 'reindex', total, unit: 'rows' });
    const started = Date.now();
    await search.reindex(allSearchDocuments(deps.repos), total, (p) => progress.update(p.done));
    progress.finish();
    console.log(`done: ${await search.count()} documents indexed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (deps.services.listings.enabled) {
      const t0 = Date.now();
      const { questions, dropped } = await deps.services.listings.rebuild();
      console.log(
        `question listings rebuilt: ${questions} questions (${dropped} stale entries dropped) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    const t1 = Date.now();
    const rebuilt = await rebuildRollupsAndRanking(deps);
    console.log(
      `members ranking and statistics rebuilt: ${rebuilt.members} members, ${rebuilt.tags} tags, ${rebuilt.users} member statistics in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
    );
  } finally {
    await deps.close();
  }
}

main().catch((error) => {
  console.error(`reindex failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
