// npm run reindex: rebuilds the search index from MongoDB into a fresh index, then swaps it in
// (zero downtime: queries keep using the old index until the swap).
import { loadConfig } from '../server/src/config.js';
import { createDeps } from '../server/src/deps.js';
import type { SearchDocument } from '../server/src/infra/search/search.port.js';
import { op } from '../server/src/lib/mongo-ops.js';
import { PostModel, type PostDoc } from '../server/src/modules/post/post.model.js';
import { buildSearchDocuments } from '../server/src/modules/search/search.sync.js';
import { createProgress } from './lib/progress.js';

async function* allDocuments(batchSize = 500): AsyncIterable<SearchDocument[]> {
  let lastId: unknown = null;
  for (;;) {
    const batch = (await PostModel.find(lastId ? { _id: op.gt(lastId) } : {})
      .sort({ _id: 1 })
      .limit(batchSize)
      .lean()) as PostDoc[];
    if (batch.length === 0) return;
    lastId = batch[batch.length - 1]!._id;
    const { docs } = await buildSearchDocuments(batch);
    if (docs.length) yield docs;
  }
}

async function main() {
  const config = loadConfig();
  const deps = await createDeps(config, 'reindex', { events: 'inline' });
  try {
    const search = deps.services.search;
    const total = await PostModel.countDocuments({ deletedAt: null });
    console.log(`reindexing ${total} posts into a fresh ${search.name} index …`);
    const progress = createProgress({ label: 'reindex', total, unit: 'rows' });
    const started = Date.now();
    await search.reindex(allDocuments(), total, (p) => progress.update(p.done));
    progress.finish();
    console.log(`done: ${await search.count()} documents indexed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await deps.close();
  }
}

main().catch((error) => {
  console.error(`reindex failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
