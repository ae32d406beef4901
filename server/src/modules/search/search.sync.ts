// Search sync by the version pattern: every searchable change bumps a post's `version`; the
// index keeps the version it holds. A queued job indexes changed posts right away and a
// periodic sweep indexes anything whose version is newer than the index's (and removes what
// should not be there), so a crash between the database write and the indexing never loses
// an update.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../../config.js';
import type { DomainEvents } from '../../context.js';
import type { Logger } from '../../infra/logger.js';
import { createEmbeddedSearch } from '../../infra/search/embedded.adapter.js';
import type { SearchDocument, SearchPort } from '../../infra/search/search.port.js';
import { markdownToPlainText } from '../../lib/plain-text.js';
import { toObjectId } from '../../lib/ids.js';
import type { PostDoc } from '../post/post.model.js';
import type { Repositories } from '../repositories.js';

/** What indexing reads: posts, and the slugs and handles their documents carry. */
export type SearchRepos = Pick<Repositories, 'posts' | 'spaces' | 'users' | 'storage'>;
import type { QuestionListings } from '../post/post.listings.js';

export const SEARCH_QUEUE = 'search-index';

/** Typesense when TYPESENSE_URL is configured, else the embedded engine (loaded only when used). */
export async function createSearchPort(config: Readonly<Config>): Promise<SearchPort> {
  if (config.typesense) {
    const { createTypesenseSearch } = await import('../../infra/search/typesense.adapter.js');
    return createTypesenseSearch({ url: config.typesense.url, apiKey: config.typesense.apiKey });
  }
  return createEmbeddedSearch({ dir: config.searchDataDir });
}

/**
 * What documents need besides the post: its question, space slug and author handle. A sweep
 * passes one cache through all its batches, so each is read once per pass (FerretDB reads ids one
 * by one); questions are kept for the most recent QUESTION_CACHE ones.
 */
export interface SearchLookupCache {
  questions: Map<string, PostDoc>;
  spaces: Map<string, string>;
  authors: Map<string, string>;
}
const QUESTION_CACHE = 20_000;

export const newSearchLookupCache = (): SearchLookupCache => ({ questions: new Map(), spaces: new Map(), authors: new Map() });

/** An index document's version: an answer's also depends on its question (title, tags, accepted state). */
export function searchVersion(post: Pick<PostDoc, 'type' | 'version'>, question: Pick<PostDoc, 'version'>): number {
  return post.type === 'answer' ? post.version * 1_000_000 + question.version : post.version * 1_000_000;
}

/** Flattens posts for the index; posts that must not be searchable come back in `remove`. */
export async function buildSearchDocuments(
  repos: SearchRepos,
  posts: PostDoc[],
  cache: SearchLookupCache = newSearchLookupCache(),
): Promise<{ docs: SearchDocument[]; remove: string[] }> {
  const { questions, spaces, authors } = cache;
  for (const p of posts) if (p.type === 'question') questions.set(p._id.toHexString(), p);
  const questionIds = [...new Set(posts.filter((p) => p.type === 'answer' && p.questionId).map((p) => p.questionId!.toHexString()))].filter(
    (id) => !questions.has(id),
  );
  for (const q of await repos.posts.findPostsByIds(questionIds)) if (q) questions.set(q._id.toHexString(), q);
  const spaceIds = [...new Set(posts.map((p) => p.spaceId.toHexString()))].filter((id) => !spaces.has(id));
  for (const s of await repos.spaces.findManyByIds<{ _id: { toHexString(): string }; slug: string }>(
    spaceIds.map((id) => toObjectId(id)!),
    'slug',
  ))
    spaces.set(s._id.toHexString(), s.slug);
  const authorIds = [...new Set(posts.map((p) => p.authorId.toHexString()))].filter((id) => !authors.has(id));
  for (const u of await repos.users.findManyByIds<{ _id: { toHexString(): string }; handle: string }>(
    authorIds.map((id) => toObjectId(id)!),
    'handle',
  ))
    authors.set(u._id.toHexString(), u.handle);
  // bounded: the oldest questions leave first (a Map iterates in insertion order)
  for (const key of questions.keys()) {
    if (questions.size <= QUESTION_CACHE) break;
    questions.delete(key);
  }
  const docs: SearchDocument[] = [];
  const remove: string[] = [];
  for (const p of posts) {
    const question = p.type === 'question' ? p : questions.get(p.questionId?.toHexString() ?? '');
    if (p.deletedAt || !question || question.deletedAt) {
      remove.push(p._id.toHexString());
      continue;
    }
    docs.push({
      id: p._id.toHexString(),
      type: p.type,
      questionId: question._id.toHexString(),
      title: question.title ?? '',
      body: markdownToPlainText(p.body),
      tags: question.tags,
      space: spaces.get(p.spaceId.toHexString()) ?? '',
      authorId: p.authorId.toHexString(),
      authorHandle: authors.get(p.authorId.toHexString()) ?? '',
      score: p.score,
      answerCount: question.answerCount,
      isAnswered: question.isAnswered,
      hasAccepted: !!question.acceptedAnswerId,
      isAccepted: p.type === 'answer' && !!question.acceptedAnswerId?.equals(p._id),
      isClosed: !!question.closedAt,
      createdAt: p.createdAt.getTime(),
      lastActivityAt: (p.lastActivityAt ?? p.createdAt).getTime(),
      // an answer's document also depends on its question (title, tags, accepted state)
      version: searchVersion(p, question),
    });
  }
  return { docs, remove };
}

/**
 * Every live post as search documents, in batches, in one cursor pass (reindex, restore). Pages
 * of `_id > last` sorted by _id would each scan the whole collection on FerretDB, which pushes
 * down only `{_id: value}` filters.
 */
export async function* allSearchDocuments(repos: SearchRepos, batchSize = 500): AsyncIterable<SearchDocument[]> {
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

/** Indexes these posts now (and, for questions, their answers, which carry the question's title/tags). */
export async function indexPosts(repos: SearchRepos, search: SearchPort, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const posts = (await repos.posts.findPostsByIds(ids)).filter((p): p is PostDoc => p !== null);
  const missing = ids.filter((id) => !posts.some((p) => p._id.toHexString() === id));
  const questions = posts.filter((p) => p.type === 'question');
  const answers = questions.length ? (await repos.posts.findAnswersOfQuestions(questions)).flat() : [];
  const all = [...posts, ...answers.filter((a) => !ids.includes(a._id.toHexString()))];
  const { docs, remove } = await buildSearchDocuments(repos, all);
  if (docs.length) await search.upsert(docs);
  if (remove.length || missing.length) await search.remove([...remove, ...missing]);
  // cached search results (pages, responses) are stale now
  await repos.storage.changed(['search']);
  return docs.length;
}

/**
 * Converges the index with MongoDB: indexes every post whose version is newer than the
 * index's, removes index entries whose post is gone or deleted. Returns what it did.
 */
export async function sweep(
  repos: SearchRepos,
  search: SearchPort,
  log?: Logger,
  batchSize = 500,
  listings?: QuestionListings,
): Promise<{ indexed: number; removed: number }> {
  let indexed = 0;
  let removed = 0;
  const live = new Set<string>();
  const questions = new Set<string>();
  // one pass over the collection through a cursor: FerretDB scans the whole collection for any
  // filter but `{_id: value}`, so paging with `_id > last` would cost a scan per page
  const cache = newSearchLookupCache();
  const converge = async (batch: PostDoc[]) => {
    // the question listings converge in the same pass
    for (const p of batch) if (p.type === 'question') questions.add(p._id.toHexString());
    await listings?.sync(batch.filter((p) => p.type === 'question'));
    // versions first: only posts whose index entry is missing, stale or to be removed are built
    // (building reads each author's handle; a converged index costs no reads but the questions)
    for (const p of batch) if (p.type === 'question') cache.questions.set(p._id.toHexString(), p);
    const parents = [...new Set(batch.filter((p) => p.type === 'answer' && p.questionId).map((p) => p.questionId!.toHexString()))].filter(
      (id) => !cache.questions.has(id),
    );
    for (const q of await repos.posts.findPostsByIds(parents)) if (q) cache.questions.set(q._id.toHexString(), q);
    const held = await search.versions(batch.map((p) => p._id.toHexString()));
    const changed = batch.filter((p) => {
      const id = p._id.toHexString();
      const question = p.type === 'question' ? p : cache.questions.get(p.questionId?.toHexString() ?? '');
      if (p.deletedAt || !question || question.deletedAt) return held.has(id);
      live.add(id);
      return held.get(id) !== searchVersion(p, question);
    });
    if (changed.length === 0) return;
    const { docs, remove } = await buildSearchDocuments(repos, changed, cache);
    const stale = docs.filter((d) => (held.get(d.id) ?? -1) !== d.version);
    for (const d of docs) live.add(d.id);
    if (stale.length) {
      await search.upsert(stale);
      indexed += stale.length;
    }
    const toRemove = remove.filter((id) => held.has(id));
    if (toRemove.length) {
      await search.remove(toRemove);
      removed += toRemove.length;
    }
  };
  let batch: PostDoc[] = [];
  for await (const doc of repos.posts.scan<PostDoc>()) {
    batch.push(doc);
    if (batch.length >= batchSize) {
      await converge(batch);
      batch = [];
    }
  }
  if (batch.length) await converge(batch);
  await listings?.finishRebuild(questions);
  // entries whose post no longer exists at all
  for await (const ids of search.allIds()) {
    const gone = ids.filter((id) => !live.has(id));
    if (gone.length) {
      await search.remove(gone);
      removed += gone.length;
    }
  }
  if (indexed || removed) {
    await repos.storage.changed(['search']);
    log?.info({ indexed, removed }, 'search sweep converged the index');
  }
  return { indexed, removed };
}

/** how long a write waits for its indexing job to be queued before going on without it */
const ENQUEUE_TIMEOUT_MS = 500;

/**
 * Domain events through the queue (api): the worker indexes. Redis unreachable: the write does
 * not wait (the job is queued when the connection is back, or else the worker's sweep indexes
 * the posts: their versions are newer than the index's); the failure is logged once per outage.
 */
export function createQueuedEvents(connection: Redis, config: Readonly<Config>, log?: Logger): DomainEvents & { close(): Promise<void> } {
  const queue = new Queue(SEARCH_QUEUE, { connection, prefix: `${config.redisPrefix}bull` });
  // BullMQ reports connection errors on the queue too: logged by the connection (infra/redis.ts)
  queue.on('error', () => undefined);
  let failing = false;
  return {
    async postsChanged(postIds) {
      if (postIds.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const added = queue.add(
        'index',
        { ids: postIds },
        { removeOnComplete: 1000, removeOnFail: 5000, attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
      );
      try {
        await Promise.race([
          added,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`queueing took longer than ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
          }),
        ]);
        failing = false;
      } catch (error) {
        added.catch(() => undefined);
        if (!failing) log?.warn({ err: error }, 'search indexing could not be queued; the sweep will index these posts');
        failing = true;
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => queue.close(),
  };
}

/**
 * Every postsChanged event also brings the question listings up to date, in-process and before
 * the event is queued (a page read right after the write sees it); a failure is logged and left
 * to the sweep.
 */
export function withListings<E extends DomainEvents>(events: E, listings: QuestionListings, log: Logger): E {
  return {
    ...events,
    async postsChanged(postIds) {
      await listings.syncIds(postIds).catch((error) => log.warn({ err: error }, 'listing sync failed; the sweep will catch up'));
      await events.postsChanged(postIds);
    },
  };
}

/** Domain events applied in-process (scripts, tests): index right away. */
export function createInlineEvents(repos: SearchRepos, search: SearchPort, log: Logger): DomainEvents {
  return {
    async postsChanged(postIds) {
      await indexPosts(repos, search, postIds).catch((error) =>
        log.warn({ err: error }, 'inline indexing failed; the sweep will catch up'),
      );
    },
  };
}
