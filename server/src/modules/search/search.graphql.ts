import { builder } from '../../graphql/builder.js';
import type { FacetCount, SearchHit } from '../../infra/search/search.port.js';
import { decodeCursor, encodeCursor } from '../../lib/connection.js';
import type { SearchChip } from '../../lib/search-query.js';
import { renderMarkdown } from '../../lib/markdown.js';
import { ValidationError } from '../../lib/errors.js';
import { PostInterface } from '../post/post.graphql.js';
import { AnswerRef, QuestionRef } from '../post/post.refs.js';
import { visiblePostLoader } from '../loaders.js';
import { publicPostsOf, search, similarQuestions } from './search.service.js';

const SearchSortEnum = builder.enumType('SearchSort', {
  values: {
    RELEVANCE: { value: 'relevance' },
    NEWEST: { value: 'newest' },
    VOTES: { value: 'votes' },
    ACTIVITY: { value: 'activity' },
  } as const,
});
const PostTypeEnum = builder.enumType('PostType', { values: { QUESTION: { value: 'question' }, ANSWER: { value: 'answer' } } as const });

const SearchChipRef = builder.objectRef<SearchChip>('SearchChip').implement({
  description: 'One recognised operator of the query, for display as a chip.',
  fields: (t) => ({
    kind: t.exposeString('kind'),
    value: t.exposeString('value'),
    negated: t.boolean({ resolve: (c) => !!c.negated }),
    raw: t.exposeString('raw'),
  }),
});

const FacetCountRef = builder.objectRef<FacetCount>('FacetCount').implement({
  fields: (t) => ({ value: t.exposeString('value'), count: t.exposeInt('count') }),
});

const SearchFacetsRef = builder
  .objectRef<{ tags: FacetCount[]; space: FacetCount[]; type: FacetCount[]; status: FacetCount[] }>('SearchFacets')
  .implement({
    fields: (t) => ({
      tags: t.field({ type: [FacetCountRef], resolve: (f) => f.tags }),
      spaces: t.field({ type: [FacetCountRef], resolve: (f) => f.space }),
      types: t.field({ type: [FacetCountRef], resolve: (f) => f.type }),
      statuses: t.field({ type: [FacetCountRef], description: 'answered, unanswered, accepted, closed', resolve: (f) => f.status }),
    }),
  });

type HydratedHit = SearchHit & { cursor: string };

export const SearchHitRef = builder.objectRef<HydratedHit>('SearchHit').implement({
  description: 'A question or answer matching a search, with highlights (HTML: only <mark> tags, the rest escaped).',
  fields: (t) => ({
    type: t.field({ type: PostTypeEnum, resolve: (h) => h.type }),
    titleHighlight: t.exposeString('titleHighlight'),
    snippet: t.exposeString('snippet'),
    relevance: t.float({ resolve: (h) => h.relevance }),
    score: t.int({ resolve: (h) => h.document.score }),
    tags: t.stringList({ resolve: (h) => h.document.tags }),
    createdAt: t.field({ type: 'DateTime', resolve: (h) => new Date(h.document.createdAt) }),
    post: t.field({ type: PostInterface, resolve: async (h, _a, ctx) => (await visiblePostLoader(ctx).load(h.id))! }),
    question: t.field({ type: QuestionRef, resolve: (h) => h.questionId }),
    answer: t.field({ type: AnswerRef, nullable: true, resolve: (h) => (h.type === 'answer' ? h.id : null) }),
  }),
});

const SearchHitEdge = builder.objectRef<HydratedHit>('SearchHitEdge').implement({
  fields: (t) => ({ cursor: t.exposeString('cursor'), node: t.field({ type: SearchHitRef, resolve: (h) => h }) }),
});

interface SearchResultShape {
  query: string;
  terms: string[];
  phrases: string[];
  chips: SearchChip[];
  total: number;
  hits: HydratedHit[];
  facets: { tags: FacetCount[]; space: FacetCount[]; type: FacetCount[]; status: FacetCount[] };
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

const SearchPageInfo = builder.objectRef<SearchResultShape>('SearchPageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage'),
    startCursor: t.string({ nullable: true, resolve: (r) => r.hits[0]?.cursor ?? null }),
    endCursor: t.string({ nullable: true, resolve: (r) => r.hits[r.hits.length - 1]?.cursor ?? null }),
  }),
});

const SearchResultRef = builder.objectRef<SearchResultShape>('SearchResult').implement({
  description: 'Search results with the parsed query (for chips), facets and cursors.',
  fields: (t) => ({
    query: t.exposeString('query'),
    terms: t.exposeStringList('terms', { description: 'Free-text terms of the parsed query' }),
    phrases: t.exposeStringList('phrases'),
    chips: t.field({ type: [SearchChipRef], resolve: (r) => r.chips }),
    totalCount: t.int({ resolve: (r) => r.total }),
    edges: t.field({ type: [SearchHitEdge], resolve: (r) => r.hits }),
    nodes: t.field({ type: [SearchHitRef], resolve: (r) => r.hits }),
    pageInfo: t.field({ type: SearchPageInfo, resolve: (r) => r }),
    facets: t.field({ type: SearchFacetsRef, resolve: (r) => r.facets }),
  }),
});

builder.queryFields((t) => ({
  search: t.field({
    type: SearchResultRef,
    description:
      'Full-text search over questions and answers. Operators: "exact phrase", [tag], -[tag], user:handle|me, is:question|is:answer, score:N, answers:N, isaccepted:yes|no, hasaccepted:yes|no, closed:yes|no, space:slug, created:2024-01..2024-06. Malformed operator values are a VALIDATION error.',
    args: {
      query: t.arg.string({ required: true }),
      first: t.arg.int({ required: false, defaultValue: 20 }),
      after: t.arg.string({ required: false }),
      sort: t.arg({ type: SearchSortEnum, required: false, defaultValue: 'relevance' }),
      filter: t.arg({
        type: builder.inputType('SearchFilter', { fields: (f) => ({ type: f.field({ type: PostTypeEnum, required: false }) }) }),
        required: false,
      }),
    },
    resolve: async (_r, args, ctx) => {
      const first = args.first ?? 20;
      const offset = args.after ? Number(decodeCursor(args.after, 'after').key) + 1 : 0;
      if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('is not a search cursor', 'after');
      const { parsed, page } = await search(ctx, {
        query: args.query,
        first,
        offset,
        sort: args.sort ?? 'relevance',
        type: args.filter?.type ?? undefined,
      });
      const posts = await publicPostsOf(
        ctx,
        page.hits.map((h) => h.id),
      );
      const hits = page.hits
        .map((h, i) => ({ ...h, cursor: encodeCursor(offset + i, 'search') }))
        .filter((h, i) => {
          const p = posts[i];
          return p !== null && p !== undefined;
        });
      return {
        query: args.query,
        terms: parsed.terms,
        phrases: parsed.phrases,
        chips: parsed.chips,
        total: page.total,
        hits,
        facets: page.facets,
        hasNextPage: offset + page.hits.length < page.total,
        hasPreviousPage: offset > 0,
      };
    },
  }),
  similarQuestions: t.field({
    type: [QuestionRef],
    description: 'The likeliest duplicates of a question title (while asking).',
    args: { title: t.arg.string({ required: true }), first: t.arg.int({ required: false, defaultValue: 5 }) },
    resolve: async (_r, args, ctx) => {
      const first = args.first ?? 5;
      if (first < 1 || first > 20) throw new ValidationError('must be between 1 and 20', 'first');
      return similarQuestions(ctx, args.title, first);
    },
  }),
  markdownPreview: t.string({
    description: 'Renders Markdown exactly as a post would be stored (sanitized HTML), for editor previews.',
    args: { markdown: t.arg.string({ required: true }) },
    resolve: (_r, { markdown }) => {
      if (markdown.length > 30_000) throw new ValidationError('must be at most 30,000 characters', 'markdown');
      return renderMarkdown(markdown);
    },
  }),
}));
