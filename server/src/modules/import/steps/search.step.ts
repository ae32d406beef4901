// search: index the imported questions (each with its answers).
import { indexPosts } from '../../search/search.sync.js';
import type { ImportContext, StepStats } from './context.js';

export async function searchStep(ctx: ImportContext, _write: boolean, stats: StepStats): Promise<void> {
  const ids: string[] = [];
  for (const [id, p] of ctx.maps.posts) if (p.type === 1 && ctx.isImportedPost(id)) ids.push(ctx.postOid(id).toHexString());
  const total = ids.length;
  ctx.progress({ step: 'search', file: null, phase: 'start', bytesRead: 0, totalBytes: total, rows: 0 });
  for (let i = 0; i < ids.length; i += ctx.batchSize) {
    ctx.options.signal?.throwIfAborted();
    const batch = ids.slice(i, i + ctx.batchSize);
    const indexed = await indexPosts(ctx.deps.repos, ctx.deps.services.search, batch);
    stats.rows += batch.length;
    stats.imported += indexed;
    ctx.progress({
      step: 'search',
      file: null,
      phase: 'progress',
      bytesRead: stats.rows,
      totalBytes: total,
      rows: stats.imported,
    });
  }
  ctx.progress({ step: 'search', file: null, phase: 'end', bytesRead: total, totalBytes: total, rows: stats.imported });
}
