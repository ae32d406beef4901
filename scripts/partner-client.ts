// An example partner client for the Colloquy GraphQL API (docs/api.md, /developers): a personal
// API token, cursor paging through questions, the `rateLimit` budget respected, and a webhook
// verified with the `standardwebhooks` library. Plain fetch, no GraphQL client library.
//
//   COLLOQUY_TOKEN=cq_… COLLOQUY_API_URL=http://localhost:4000/graphql npm run partner:example
import { pathToFileURL } from 'node:url';
import { Webhook } from 'standardwebhooks';

export interface ClientOptions {
  /** the GraphQL endpoint, e.g. https://forum.example.com/graphql */
  apiUrl: string;
  /** a personal API token (cq_…) with the `read` scope */
  token: string;
  /** waits (tests and impatient scripts may replace it) */
  sleep?: (ms: number) => Promise<void>;
}

export interface RateLimit {
  cost: number;
  remaining: number;
  resetAt: string;
}

export interface QuestionSummary {
  id: string;
  title: string;
  url: string;
  createdAt: string;
}

/** A GraphQL or HTTP failure, with the error `code` the API returned (docs/api.md). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs one GraphQL operation; retries once after `Retry-After` when the budget is exhausted (429). */
export async function request<T>(options: ClientOptions, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const sleep = options.sleep ?? sleepFor;
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(options.apiUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${options.token}`,
      },
      body: JSON.stringify({ query, variables }),
    });
    if (res.status === 429 && attempt === 0) {
      await sleep(Number(res.headers.get('retry-after') ?? 60) * 1000);
      continue;
    }
    const body = (await res.json().catch(() => null)) as {
      data?: T;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    } | null;
    const first = body?.errors?.[0];
    if (!res.ok || first || !body?.data) {
      throw new ApiError(first?.message ?? `HTTP ${res.status}`, res.status, first?.extensions?.code);
    }
    return body.data;
  }
}

const QUESTIONS_PAGE = `query Page($first: Int!, $after: String) {
  questions(first: $first, after: $after, orderBy: NEWEST) {
    nodes { id title url createdAt }
    pageInfo { hasNextPage endCursor }
  }
  rateLimit { cost remaining resetAt }
}`;

interface Page {
  questions: { nodes: QuestionSummary[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  rateLimit: RateLimit | null;
}

/**
 * Every question, newest first, page by page with cursors. Before asking for the next page it
 * checks the budget: when fewer points remain than the last page cost, it waits until `resetAt`.
 */
export async function* allQuestions(options: ClientOptions, pageSize = 50): AsyncGenerator<QuestionSummary> {
  const sleep = options.sleep ?? sleepFor;
  let after: string | null = null;
  for (;;) {
    const page: Page = await request<Page>(options, QUESTIONS_PAGE, { first: pageSize, after });
    yield* page.questions.nodes;
    if (!page.questions.pageInfo.hasNextPage) return;
    after = page.questions.pageInfo.endCursor;
    const limit = page.rateLimit;
    if (limit && limit.remaining < limit.cost) {
      await sleep(Math.max(0, new Date(limit.resetAt).getTime() - Date.now()) + 1000);
    }
  }
}

/**
 * Verifies a webhook delivery (Standard Webhooks: webhook-id, webhook-timestamp and
 * webhook-signature headers; `secret` is the endpoint's whsec_… secret) and returns its parsed
 * payload. Throws when the signature or the timestamp does not check out. `body` must be the raw
 * request body, exactly as received.
 */
export function verifyWebhook(secret: string, headers: Record<string, string | string[] | undefined>, body: string): unknown {
  const pick = (name: string) => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  };
  return new Webhook(secret).verify(body, {
    'webhook-id': pick('webhook-id'),
    'webhook-timestamp': pick('webhook-timestamp'),
    'webhook-signature': pick('webhook-signature'),
  });
}

async function main(): Promise<void> {
  const token = process.env.COLLOQUY_TOKEN;
  const apiUrl = process.env.COLLOQUY_API_URL ?? 'http://localhost:4000/graphql';
  if (!token) {
    console.error('Set COLLOQUY_TOKEN to a personal API token (Settings → API tokens) with the read scope.');
    process.exit(2);
  }
  let count = 0;
  for await (const q of allQuestions({ apiUrl, token })) {
    count++;
    console.log(`${q.createdAt}  ${q.title}  ${q.url}`);
  }
  console.log(`${count} questions.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
