// Prices every operation before it runs (graphql/cost.ts) and charges it to the hourly points
// budget of whoever asks (infra/rate-limit.ts: API token, member or address, like the request
// budget), GitHub-style:
//   - `nodes(ids:)` with more than 100 ids: VALIDATION, HTTP 400, nothing runs;
//   - over GRAPHQL_MAX_COST points or GRAPHQL_MAX_NODES nodes: COST_LIMIT naming the computed
//     cost, HTTP 400, nothing runs, nothing charged;
//   - else the cost is charged, every time, over the budget: RATE_LIMITED with HTTP 429 and
//     Retry-After, and the charge is refunded. A response served from the response cache (found
//     before parsing, in the cache plugin's onParams) is charged the same cost when it is
//     served (onResultProcess), or replaced by the 429.
// Every priced request answers with GitHub's X-RateLimit-* headers and the points budget in the
// IETF RateLimit-Policy/RateLimit headers; `Query.rateLimit` reads the charge, and a request with
// `X-Colloquy-RateLimit: extensions` also gets it in `extensions.rateLimit`.
import { parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { Response as ExpressResponse } from 'express';
import type { GraphQLLimits } from '../config.js';
import type { Context } from '../context.js';
import {
  chargePoints,
  notePointsCharge,
  pointsChargeOf,
  pointsHeaders,
  rateLimitHeaders,
  type Budget,
  type Outcome,
  type PointsCharge,
} from '../infra/rate-limit.js';
import { operationCost } from './cost.js';
import { requestError } from './errors.js';
import { CACHE_HEADER } from '../infra/response-cache.js';

/** The request header asking for `extensions.rateLimit`, and the value that does. */
export const RATE_LIMIT_EXTENSIONS_HEADER = 'x-colloquy-ratelimit';

/** What the /graphql middleware learned of a request's budgets (app.ts, in `res.locals.limits`). */
export interface RequestBudgetState {
  key: string;
  spent: Array<{ budget: Budget; outcome: Outcome }>;
}

/** The shape of `rateLimit` (the field and the extension). */
export function rateLimitView(charge: PointsCharge) {
  return {
    limit: charge.limit,
    cost: charge.cost,
    remaining: charge.remaining,
    used: charge.used,
    resetAt: charge.resetAt.toISOString(),
    nodeCount: charge.nodeCount,
  };
}

function costLimitMessage(cost: number, nodeCount: number, limits: GraphQLLimits): string {
  return (
    `This query costs ${cost} points (up to ${nodeCount} nodes); one query may cost at most ${limits.maxCost} points ` +
    `and ask for at most ${limits.maxNodes} nodes. Ask for smaller pages (first/last).`
  );
}

/** Charges a priced request and answers with the headers; the 429 error when over the budget. */
async function charge(budget: Budget, res: ExpressResponse, cost: number, nodeCount: number): Promise<Error | undefined> {
  const state = res.locals?.limits as RequestBudgetState | undefined;
  if (!state) return undefined; // not through the /graphql middleware (no budget to charge)
  const charged = await chargePoints(budget, state.key, cost, nodeCount);
  notePointsCharge(res, charged);
  const outcome: Outcome = {
    allowed: charged.allowed,
    limit: charged.limit,
    remaining: charged.remaining,
    resetSeconds: charged.resetSeconds,
  };
  state.spent.push({ budget, outcome });
  if (!res.headersSent) res.set({ ...rateLimitHeaders(state.spent), ...pointsHeaders(charged) });
  if (charged.allowed) return undefined;
  const retry = String(charged.resetSeconds);
  return requestError(
    'RATE_LIMITED',
    `This query costs ${cost} points and ${charged.remaining} of the ${charged.limit} points per hour remain; retry in ${retry} s.`,
    { status: 429, headers: { 'Retry-After': retry }, extensions: { cost, retryAfterSeconds: charged.resetSeconds } },
  );
}

function isCacheHit(result: ExecutionResult): boolean {
  const headers = (result.extensions?.http as { headers?: Record<string, string> } | undefined)?.headers;
  return headers?.[CACHE_HEADER] === 'hit';
}

/** The plugin pricing and charging operations of `schema`. */
export function costPlugin(schema: GraphQLSchema, budget: Budget, limits: GraphQLLimits): Plugin<Context> {
  const paramsOf = new WeakMap<Request, GraphQLParams>();
  return {
    onParams({ params, request }) {
      paramsOf.set(request, params);
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const { cost, nodeCount, problems } = operationCost(args.schema, args.document, args.variableValues, args.operationName);
      const stop = (error: Error) => setResultAndStopExecution({ errors: [error as never] });
      const problem = problems[0];
      if (problem) {
        stop(requestError('VALIDATION', problem.message, { extensions: { path: problem.path } }));
        return;
      }
      if (cost > limits.maxCost || nodeCount > limits.maxNodes) {
        const extensions = { cost, nodeCount, maxCost: limits.maxCost, maxNodes: limits.maxNodes };
        stop(requestError('COST_LIMIT', costLimitMessage(cost, nodeCount, limits), { extensions }));
        return;
      }
      const refused = await charge(budget, (args.contextValue as Context).res as ExpressResponse, cost, nodeCount);
      if (refused) stop(refused);
    },
    async onResultProcess({ request, serverContext, result, setResult }) {
      const res = (serverContext as { res?: ExpressResponse }).res;
      if (!res || Array.isArray(result) || Symbol.asyncIterator in result) return;
      let single = result as ExecutionResult;
      const params = paramsOf.get(request);
      if (!pointsChargeOf(res) && isCacheHit(single) && typeof params?.query === 'string') {
        // it was valid and within the limits when it was computed: only its price is needed
        const priced = operationCost(schema, parse(params.query), params.variables, params.operationName);
        const refused = await charge(budget, res, priced.cost, priced.nodeCount);
        if (refused) {
          setResult({ errors: [refused as never] });
          return;
        }
      }
      const charged = pointsChargeOf(res);
      if (!charged || request.headers.get(RATE_LIMIT_EXTENSIONS_HEADER)?.toLowerCase() !== 'extensions') return;
      single = { ...single, extensions: { ...single.extensions, rateLimit: rateLimitView(charged) } };
      setResult(single);
    },
  };
}
