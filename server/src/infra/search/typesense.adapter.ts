// The Typesense adapter (production search, when TYPESENSE_URL is set), through the official
// `typesense` client. Searches and writes go through an alias (`posts` by default) that points
// at a versioned collection, so a full reindex builds `posts_<timestamp>` in the background and
// switches the alias in one call (zero downtime), then drops the old collection.
//
// HTTP calls made (Typesense API v27+): GET/PUT /aliases/:alias, POST /collections,
// GET/DELETE /collections/:name, POST /collections/:c/documents/import?action=upsert,
// GET /collections/:c/documents/search, DELETE /collections/:c/documents?filter_by=…,
// GET /collections/:c/documents/export.

import { Client, Errors } from 'typesense';
import type { CollectionCreateSchema, SearchParams, SearchResponse, SearchResponseHit } from 'typesense';
import { SEARCH_STOP_WORDS, escapeHtml, leadingWords, markedToHtml, searchTokens } from '../../lib/plain-text.js';
import { normalizeTagNames } from '../../lib/tag-name.js';
import type {
  FacetCount,
  PostType,
  ReindexProgress,
  SearchDocument,
  SearchHit,
  SearchPort,
  SearchQuery,
  SearchResultPage,
} from './search.port.js';

export interface TypesenseSearchOptions {
  /** e.g. http://127.0.0.1:8108 */
  url: string;
  apiKey: string;
  /** the alias every read and write goes through (default "posts") */
  collection?: string;
  /** client retries per request on network errors and 5xx (default 3) */
  numRetries?: number;
  /** per-request timeout in seconds (default 10) */
  timeoutSeconds?: number;
}

/** A post as stored in Typesense: the SearchDocument plus a derived `status` facet. */
interface TypesenseDocument extends SearchDocument {
  /** answered | unanswered, plus accepted and closed when they apply */
  status: string[];
  [key: string]: unknown;
}

const HIGHLIGHT_OPEN = '<mark>';
const HIGHLIGHT_CLOSE = '</mark>';
const SNIPPET_WORDS = 30;
const MAX_OFFSET = 10_000;
const IMPORT_BATCH = 500;
/** ids per filter_by `id:[…]` clause */
const ID_BATCH = 100;
const FACET_FIELDS = ['tags', 'space', 'type', 'status'] as const;

function collectionSchema(name: string): CollectionCreateSchema {
  return {
    name,
    fields: [
      { name: 'type', type: 'string', facet: true },
      { name: 'questionId', type: 'string' },
      { name: 'title', type: 'string' },
      { name: 'body', type: 'string' },
      { name: 'tags', type: 'string[]', facet: true },
      { name: 'space', type: 'string', facet: true },
      { name: 'authorId', type: 'string' },
      { name: 'authorHandle', type: 'string', index: false, optional: true },
      { name: 'score', type: 'int32', sort: true },
      { name: 'answerCount', type: 'int32' },
      { name: 'isAnswered', type: 'bool' },
      { name: 'hasAccepted', type: 'bool' },
      { name: 'isAccepted', type: 'bool' },
      { name: 'isClosed', type: 'bool' },
      { name: 'status', type: 'string[]', facet: true },
      { name: 'createdAt', type: 'int64', sort: true },
      { name: 'lastActivityAt', type: 'int64', sort: true },
      { name: 'version', type: 'int64' },
    ],
    default_sorting_field: 'createdAt',
    // keep c++ and c# searchable; split words like the embedded engine does
    symbols_to_index: ['+', '#'],
    token_separators: ['-', '_', '/', '.'],
  };
}

function statusOf(d: Pick<SearchDocument, 'isAnswered' | 'hasAccepted' | 'isClosed'>): string[] {
  const out = [d.isAnswered ? 'answered' : 'unanswered'];
  if (d.hasAccepted) out.push('accepted');
  if (d.isClosed) out.push('closed');
  return out;
}

function toTypesense(doc: SearchDocument): TypesenseDocument {
  return {
    id: doc.id,
    type: doc.type,
    questionId: doc.questionId,
    title: doc.title,
    body: doc.body,
    tags: normalizeTagNames(doc.tags),
    space: doc.space,
    authorId: doc.authorId,
    authorHandle: doc.authorHandle,
    score: Math.trunc(doc.score),
    answerCount: Math.trunc(doc.answerCount),
    isAnswered: doc.isAnswered,
    hasAccepted: doc.hasAccepted,
    isAccepted: doc.isAccepted,
    isClosed: doc.isClosed,
    createdAt: Math.trunc(doc.createdAt),
    lastActivityAt: Math.trunc(doc.lastActivityAt),
    version: Math.trunc(doc.version),
    status: statusOf(doc),
  };
}

function fromTypesense(d: Record<string, unknown>): SearchDocument {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));
  return {
    id: str(d.id),
    type: d.type === 'answer' ? 'answer' : 'question',
    questionId: str(d.questionId),
    title: str(d.title),
    body: str(d.body),
    tags: Array.isArray(d.tags) ? d.tags.map(String) : [],
    space: str(d.space),
    authorId: str(d.authorId),
    authorHandle: str(d.authorHandle),
    score: num(d.score),
    answerCount: num(d.answerCount),
    isAnswered: d.isAnswered === true,
    hasAccepted: d.hasAccepted === true,
    isAccepted: d.isAccepted === true,
    isClosed: d.isClosed === true,
    createdAt: num(d.createdAt),
    lastActivityAt: num(d.lastActivityAt),
    version: num(d.version),
  };
}

/** A filter_by string literal: backtick-quoted (backticks cannot be escaped, so they are removed). */
function literal(value: string): string {
  return `\`${value.replace(/`/g, '')}\``;
}

function literals(values: readonly string[]): string {
  return `[${values.map(literal).join(',')}]`;
}

/** keeps, per id, the document with the highest version (a batch may repeat an id) */
function latestPerId(docs: SearchDocument[]): SearchDocument[] {
  const byId = new Map<string, SearchDocument>();
  for (const d of docs) {
    const prev = byId.get(d.id);
    if (!prev || prev.version <= d.version) byId.set(d.id, d);
  }
  return [...byId.values()];
}

/** The filter_by expression for a query, or null when the filters contradict each other. */
export function typesenseFilter(q: SearchQuery): string | null {
  const parts: string[] = [];
  for (const tag of normalizeTagNames(q.tags)) parts.push(`tags:=${literal(tag)}`);
  const excluded = normalizeTagNames(q.excludedTags);
  if (excluded.length > 0) parts.push(`tags:!=${literals(excluded)}`);
  if (q.authorIds && q.authorIds.length > 0) parts.push(`authorId:=${literals(q.authorIds)}`);
  let type: PostType | undefined = q.type;
  // answers:N is about questions; isaccepted:yes|no is about answers (as on Stack Overflow)
  if (q.answers !== undefined) {
    if (type === 'answer') return null;
    type = 'question';
    const n = Math.max(0, Math.trunc(q.answers));
    parts.push(n === 0 ? 'answerCount:=0' : `answerCount:>=${n}`);
  }
  if (q.isAccepted !== undefined) {
    if (type === 'question') return null;
    type = 'answer';
    parts.push(`isAccepted:=${q.isAccepted}`);
  }
  if (type) parts.push(`type:=${literal(type)}`);
  if (q.minScore !== undefined) parts.push(`score:>=${Math.trunc(q.minScore)}`);
  if (q.hasAccepted !== undefined) parts.push(`hasAccepted:=${q.hasAccepted}`);
  if (q.isClosed !== undefined) parts.push(`isClosed:=${q.isClosed}`);
  if (q.spaces && q.spaces.length > 0) parts.push(`space:=${literals(q.spaces)}`);
  if (q.createdFrom !== undefined) parts.push(`createdAt:>=${Math.trunc(q.createdFrom)}`);
  if (q.createdTo !== undefined) parts.push(`createdAt:<${Math.trunc(q.createdTo)}`);
  return parts.join(' && ');
}

/** The q parameter: phrases first (quoted), then the terms, so that the prefix applies to the last term. */
export function typesenseQueryText(q: Pick<SearchQuery, 'terms' | 'phrases'>): string {
  const parts: string[] = [];
  for (const phrase of q.phrases) {
    const clean = phrase.replace(/"/g, ' ').trim();
    if (clean) parts.push(`"${clean}"`);
  }
  for (const term of q.terms) {
    // a leading "-" would make Typesense exclude the word; the query language has no such operator
    const clean = term.replace(/"/g, ' ').replace(/^-+/, '').trim();
    if (clean && searchTokens(clean).length > 0) parts.push(clean);
  }
  return parts.join(' ');
}

function sortBy(sort: SearchQuery['sort'], hasText: boolean): string {
  switch (sort) {
    case 'newest':
      return 'createdAt:desc';
    case 'activity':
      return 'lastActivityAt:desc';
    case 'votes':
      return 'score:desc,createdAt:desc';
    case 'relevance':
    default:
      return hasText ? '_text_match:desc,score:desc,createdAt:desc' : 'score:desc,createdAt:desc';
  }
}

type Highlight = { value?: string; snippet?: string } | undefined;

/** The highlight of a field from the v2 (`highlight`) or v1 (`highlights`) response structure. */
function fieldHighlight(hit: SearchResponseHit<TypesenseDocument>, field: 'title' | 'body'): Highlight {
  const v2 = (hit.highlight as Record<string, Highlight> | undefined)?.[field];
  if (v2 && (v2.value !== undefined || v2.snippet !== undefined)) return v2;
  const v1 = hit.highlights?.find((h) => h.field === field);
  return v1 ? { value: v1.value, snippet: v1.snippet } : undefined;
}

function toHit(hit: SearchResponseHit<TypesenseDocument>, textQuery: boolean): SearchHit {
  const document = fromTypesense(hit.document);
  const title = textQuery ? fieldHighlight(hit, 'title') : undefined;
  const body = textQuery ? fieldHighlight(hit, 'body') : undefined;
  const titleMarked = title?.value ?? title?.snippet;
  const bodyMarked = body?.snippet ?? body?.value;
  return {
    id: document.id,
    type: document.type,
    questionId: document.questionId,
    // Typesense returns raw document text around its tags: escape everything but the tags
    titleHighlight: titleMarked ? markedToHtml(titleMarked, HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE) : escapeHtml(document.title),
    snippet: bodyMarked
      ? markedToHtml(bodyMarked, HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE)
      : escapeHtml(leadingWords(document.body, SNIPPET_WORDS)),
    relevance: typeof hit.text_match === 'number' ? hit.text_match : 0,
    document,
  };
}

function toFacets(response: SearchResponse<TypesenseDocument>): SearchResultPage['facets'] {
  const facets: SearchResultPage['facets'] = { tags: [], space: [], type: [], status: [] };
  for (const f of response.facet_counts ?? []) {
    const field = String(f.field_name);
    if (field === 'tags' || field === 'space' || field === 'type' || field === 'status') {
      facets[field] = f.counts
        .map((c): FacetCount => ({ value: String(c.value), count: c.count }))
        .filter((c) => c.count > 0)
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    }
  }
  return facets;
}

function isNotFound(err: unknown): boolean {
  return err instanceof Errors.ObjectNotFound;
}

type Params = Record<string, string | number | boolean>;

function noFacets(): SearchResultPage['facets'] {
  return { tags: [], space: [], type: [], status: [] };
}

/** per_page and page when the offset falls on a page boundary, offset and limit otherwise */
function pageParams(limit: number, offset: number): Params {
  return offset % limit === 0 ? { per_page: limit, page: offset / limit + 1 } : { offset, limit };
}

/** The search parameters of a query (its filter and text already translated). */
function queryParams(q: SearchQuery, filter: string, text: string): Params {
  const limit = Math.min(100, Math.max(1, Math.trunc(q.limit) || 1));
  const offset = Math.min(MAX_OFFSET, Math.max(0, Math.trunc(q.offset) || 0));
  const params: Params = {
    q: text || '*',
    query_by: 'title,tags,body',
    query_by_weights: '3,2,1',
    prefix: true,
    num_typos: 2,
    min_len_1typo: 5,
    min_len_2typo: 8,
    // every term must match (no silent dropping of words), as in the embedded engine
    drop_tokens_threshold: 0,
    sort_by: sortBy(q.sort, text !== ''),
    highlight_fields: 'title,body',
    highlight_full_fields: 'title',
    highlight_start_tag: HIGHLIGHT_OPEN,
    highlight_end_tag: HIGHLIGHT_CLOSE,
    highlight_affix_num_tokens: 15,
    snippet_threshold: SNIPPET_WORDS,
    exclude_fields: 'status',
  };
  if (filter) params.filter_by = filter;
  Object.assign(params, pageParams(limit, offset));
  if (q.facets) {
    params.facet_by = FACET_FIELDS.join(',');
    params.max_facet_values = 20;
  }
  return params;
}

/** The distinct words of a title worth matching other titles on (no stop words, no single letters). */
function similarWords(title: string): string[] {
  const words: string[] = [];
  for (const token of searchTokens(title)) {
    if (token.length >= 2 && !SEARCH_STOP_WORDS.has(token) && !words.includes(token)) words.push(token);
  }
  return words;
}

/** The search parameters for up to `n` questions whose titles share words with the given ones. */
function similarParams(words: string[], n: number): Params {
  return {
    q: words.slice(0, 12).join(' '),
    query_by: 'title',
    filter_by: 'type:=`question`',
    prefix: false,
    num_typos: 1,
    // any of the words may match: drop words until enough questions are found
    drop_tokens_threshold: n,
    sort_by: '_text_match:desc,score:desc',
    per_page: n,
    page: 1,
    highlight_fields: 'title,body',
    highlight_full_fields: 'title',
    highlight_start_tag: HIGHLIGHT_OPEN,
    highlight_end_tag: HIGHLIGHT_CLOSE,
    exclude_fields: 'status',
  };
}

/** `options.url`: one node, or several comma-separated (a Typesense cluster: the client spreads
 * requests over them and fails over when one does not answer). */
export function typesenseNodes(urls: string): Array<{ host: string; port: number; protocol: string; path: string }> {
  return urls
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .map((raw) => {
      const url = new URL(raw);
      return {
        host: url.hostname,
        port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
        protocol: url.protocol.replace(':', ''),
        path: url.pathname === '/' ? '' : url.pathname.replace(/\/$/, ''),
      };
    });
}

function clientFor(options: TypesenseSearchOptions): Client {
  return new Client({
    apiKey: options.apiKey,
    nodes: typesenseNodes(options.url),
    connectionTimeoutSeconds: options.timeoutSeconds ?? 10,
    numRetries: options.numRetries ?? 3,
    retryIntervalSeconds: 0.1,
    logLevel: 'error',
  });
}

/** The documents of a collection (or of the collection an alias points at). */
class TypesenseDocuments {
  constructor(private readonly client: Client) {}

  private docsOf(collection: string) {
    return this.client.collections<TypesenseDocument>(collection).documents();
  }

  async search(collection: string, params: Params): Promise<SearchResponse<TypesenseDocument>> {
    return this.docsOf(collection).search(params as unknown as SearchParams<TypesenseDocument>, { cacheSearchResultsForSeconds: 0 });
  }

  async versionsIn(collection: string, ids: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < ids.length; i += ID_BATCH) {
      const chunk = ids.slice(i, i + ID_BATCH);
      const res = await this.search(collection, {
        q: '*',
        filter_by: `id:${literals(chunk)}`,
        include_fields: 'id,version',
        per_page: chunk.length,
        page: 1,
      });
      for (const hit of res.hits ?? []) out.set(String(hit.document.id), Number(hit.document.version));
    }
    return out;
  }

  /** Imports documents unless the collection holds a newer version of them. */
  async upsertInto(collection: string, docs: SearchDocument[]): Promise<void> {
    const latest = latestPerId(docs);
    for (let i = 0; i < latest.length; i += IMPORT_BATCH) {
      const chunk = latest.slice(i, i + IMPORT_BATCH);
      const stored = await this.versionsIn(
        collection,
        chunk.map((d) => d.id),
      );
      const fresh = chunk.filter((d) => (stored.get(d.id) ?? Number.NEGATIVE_INFINITY) <= d.version);
      if (fresh.length === 0) continue;
      // throws an ImportError naming the failed documents if any is rejected
      await this.docsOf(collection).import(fresh.map(toTypesense), { action: 'upsert' });
    }
  }

  async removeFrom(collection: string, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += ID_BATCH) {
      await this.docsOf(collection).delete({ filter_by: `id:${literals(ids.slice(i, i + ID_BATCH))}` });
    }
  }

  /** Every id in the collection, in batches of 1,000. */
  async *ids(collection: string): AsyncIterable<string[]> {
    const jsonl = await this.docsOf(collection).export({ include_fields: 'id' });
    let batch: string[] = [];
    for (const line of jsonl.split('\n')) {
      if (!line.trim()) continue;
      batch.push(String((JSON.parse(line) as { id: unknown }).id));
      if (batch.length === 1000) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
}

/** The alias every read and write goes through, and the versioned collections behind it. */
class TypesenseCollections {
  constructor(
    private readonly client: Client,
    readonly alias: string,
  ) {}

  /** the collection the alias points at, or null before the first init */
  async currentTarget(): Promise<string | null> {
    try {
      return (await this.client.aliases(this.alias).retrieve()).collection_name;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async create(name: string): Promise<void> {
    await this.client.collections().create(collectionSchema(name));
  }

  /** Creates a collection unless another process created it first. */
  async ensure(name: string): Promise<void> {
    try {
      await this.create(name);
    } catch (err) {
      if (!(err instanceof Errors.ObjectAlreadyExists)) throw err;
    }
  }

  async pointAliasAt(name: string): Promise<void> {
    await this.client.aliases().upsert(this.alias, { collection_name: name });
  }

  /** Drops a collection (already gone is fine). */
  async drop(name: string): Promise<void> {
    try {
      await this.client.collections(name).delete();
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async count(): Promise<number> {
    return (await this.client.collections(this.alias).retrieve()).num_documents;
  }
}

/** Points the alias at a first collection unless it already points somewhere. */
async function initAlias(collections: TypesenseCollections): Promise<void> {
  if (await collections.currentTarget()) return;
  // a fixed first name: processes starting together create (or find) the same collection
  const first = `${collections.alias}_initial`;
  await collections.ensure(first);
  if (!(await collections.currentTarget())) await collections.pointAliasAt(first);
}

/** What a reindex in this process is building: writes go to that collection too. */
interface BuildState {
  building: string | null;
}

/**
 * Builds `<alias>_<timestamp>` from the source, switches the alias to it (every search after the
 * switch reads it), then drops the previous collection. A failed build is dropped.
 */
async function reindexCollection(
  collections: TypesenseCollections,
  documents: TypesenseDocuments,
  state: BuildState,
  load: { source: AsyncIterable<SearchDocument[]>; total: number; onProgress?: (p: ReindexProgress) => void },
): Promise<void> {
  const { source, total, onProgress } = load;
  const next = `${collections.alias}_${Date.now()}`;
  await collections.create(next);
  state.building = next;
  try {
    let done = 0;
    onProgress?.({ done, total });
    for await (const batch of source) {
      await documents.upsertInto(next, batch);
      done += batch.length;
      onProgress?.({ done, total: Math.max(total, done) });
    }
    const previous = await collections.currentTarget();
    await collections.pointAliasAt(next);
    state.building = null;
    if (previous && previous !== next) await collections.drop(previous);
  } catch (err) {
    state.building = null;
    if ((await collections.currentTarget()) !== next) {
      await collections.drop(next).catch(() => undefined);
    }
    throw err;
  }
}

export function createTypesenseSearch(options: TypesenseSearchOptions): SearchPort {
  const client = clientFor(options);
  const collections = new TypesenseCollections(client, options.collection ?? 'posts');
  const documents = new TypesenseDocuments(client);
  const { alias } = collections;
  const state: BuildState = { building: null };

  return {
    name: 'typesense',

    init: () => initAlias(collections),

    async upsert(docs) {
      if (docs.length === 0) return;
      await documents.upsertInto(alias, docs);
      if (state.building) await documents.upsertInto(state.building, docs);
    },

    async remove(ids) {
      if (ids.length === 0) return;
      await documents.removeFrom(alias, ids);
      if (state.building) await documents.removeFrom(state.building, ids);
    },

    async query(q) {
      const filter = typesenseFilter(q);
      if (filter === null) return { total: 0, hits: [], facets: noFacets() };
      const text = typesenseQueryText(q);
      const res = await documents.search(alias, queryParams(q, filter, text));
      return {
        total: res.found,
        hits: (res.hits ?? []).map((h) => toHit(h, text !== '')),
        facets: q.facets ? toFacets(res) : noFacets(),
      };
    },

    async similar(title, limit) {
      const words = similarWords(title);
      if (words.length === 0) return [];
      const n = Math.min(50, Math.max(1, Math.trunc(limit) || 1));
      const res = await documents.search(alias, similarParams(words, n));
      return (res.hits ?? []).map((h) => toHit(h, true));
    },

    async versions(ids) {
      if (ids.length === 0) return new Map();
      return documents.versionsIn(alias, [...new Set(ids)]);
    },

    allIds: () => documents.ids(alias),

    reindex: (source, total, onProgress) => reindexCollection(collections, documents, state, { source, total, onProgress }),

    count: () => collections.count(),

    async close() {
      state.building = null;
    },
  };
}
