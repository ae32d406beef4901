// npm run reindex: rebuilds the search index from MongoDB into a fresh index, then swaps it in
// (zero downtime: queries keep using the old index until the swap); then the question listings
// in Redis (where they are used), the members ranking and the tag and member statistics, which are
// derived from the posts too.
import { loadConfig } from '../server/src/config.js';
import { createDeps } from '../server/src/deps.js';
import type { SearchDocument } from '../server/src/infra/search/search.port.js';
import type { PostDoc } from '../server/src/modules/post/post.model.js';
import type { Repositories } from '../server/src/modules/repositories.js';
import { rebuildRollupsAndRanking } from '../server/src/modules/post/post.rollups.js';
import { buildSearchDocuments } from '../server/src/modules/search/search.sync.js';
import { createProgress } from './lib/progress.js';

/**
 * Every post in one cursor pass, in batches. (Pages of `_id > last` sorted by _id would each scan
 * the whole collection on FerretDB, which pushes down only `{_id: value}` filters.)
 */
async function* allDocuments(repos: Repositories, batchSize = 500): AsyncIterable<SearchDocument[]> {
  let batch: PostDoc[] = [];
  for await (const doc of repos.posts.scan<PostDoc>()) {
    batch.push(doc);
    if (batch.length < batchSize) continue;
    const { docs } = await buildSearchDocuments(repos, batch);
    batch = [];
    if (docs.length) yield docs;
  }
  const { docs } = await buildSearchDocuments(repos, batch);
  if (docs.length) yield docs;
}

async function main() {
  const config = loadConfig();
  const deps = await createDeps(config, 'reindex', { events: 'inline' });
  try {
    const search = deps.services.search;
    const total = await deps.repos.posts.count({ deletedAt: null });
    console.log(`reindexing ${total} posts into a fresh ${search.name} index …`);
    const progress = createProgress({ label: 'reindex', total, unit: 'rows' });
    const started = Date.now();
    await search.reindex(allDocuments(deps.repos), total, (p) => progress.update(p.done));
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
