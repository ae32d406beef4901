// createApp(deps): the Express app with yoga mounted at /graphql. It never listens: main.ts and
// the tests do.
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { useGraphQlJit } from '@envelop/graphql-jit';
import {
  GraphQLError,
  Kind,
  execute,
  type DefinitionNode,
  type DocumentNode,
  type ExecutionArgs,
  type OperationDefinitionNode,
  type OperationTypeNode,
} from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { pinoHttp } from 'pino-http';
import type { AppDeps, Context } from './context.js';
import { readsOf } from './graphql/request-scoped.js';
import { schema } from './graphql/schema.js';
import { armorPlugins } from './graphql/armor.js';
import { costPlugin } from './graphql/cost.plugin.js';
import { LIMIT_CODES } from './graphql/errors.js';
import { requestScope } from './infra/logger.js';
import { pingMongo } from './infra/mongo.js';
import { pingRedis } from './infra/redis.js';
import { responseCacheOf } from './infra/response-cache.js';
import { responseCachePlugins } from './graphql/response-cache.plugin.js';
import { EPOCH } from './infra/versions.js';
import {
  addressKey,
  budgetKey,
  consume,
  mutationFieldCount,
  rateLimitHeaders,
  rateLimitsOf,
  type Budget,
  type Outcome,
  type RateLimits,
} from './infra/rate-limit.js';
import { AppError, ValidationError } from './lib/errors.js';
import { authenticate, type Authentication } from './modules/session/session.service.js';

export interface AppHandle {
  app: express.Express;
  /** readiness fails from now on (first step of a graceful shutdown) */
  beginShutdown(): void;
  /** requests currently being served */
  inFlight(): number;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

function metricsPlugin(deps: AppDeps): Plugin {
  return {
    onExecute({ args }) {
      const start = process.hrtime.bigint();
      const op = args.operationName ?? 'anonymous';
      const type = operationOf(args.document, args.operationName) ?? 'query';
      return {
        onExecuteDone({ result }) {
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          const errors = 'errors' in result && Array.isArray(result.errors) ? result.errors : [];
          deps.metrics.graphqlDuration.observe({ operation: op, type, outcome: errors.length ? 'error' : 'ok' }, seconds);
          for (const e of errors) {
            deps.metrics.graphqlErrors.inc({ operation: op, code: String((e as GraphQLError).extensions?.code ?? 'INTERNAL') });
          }
        },
      };
    },
  };
}

/**
 * How operations execute. Queries run compiled (graphql-jit, through envelop's plugin): a page's
 * query is compiled once per parsed document (yoga's parser cache keeps the document; the
 * compiled form lives as long as it does) and then runs without graphql-js's per-field
 * interpretation — about a quarter of an uncached question page's api time was that. Mutations and
 * subscriptions keep graphql-js's own `execute`/`subscribe`. Both answer in the query's field
 * order (yoga's default executor adds each field as it resolves: a slow field came last), except
 * that graphql-jit may place the fields a fragment brings into an object after its own fields.
 */
function executionPlugins(): Array<Plugin | ReturnType<typeof useGraphQlJit>> {
  const isQuery = (args: ExecutionArgs) => operationOf(args.document, args.operationName) === 'query';
  const interpreted: Plugin = {
    onExecute({ args, setExecuteFn }) {
      if (!isQuery(args)) setExecuteFn(execute);
    },
  };
  return [interpreted, useGraphQlJit({}, { enableIf: isQuery })];
}

function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationTypeNode | undefined {
  const definition = document.definitions.find(
    (d: DefinitionNode): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  return definition?.operation;
}

/** What the /graphql middleware learned before yoga runs (in `res.locals`). */
interface RequestLimits {
  auth: Authentication;
  key: string;
  spent: Array<{ budget: Budget; outcome: Outcome }>;
}

function sendGraphQLError(
  res: Response,
  status: number,
  message: string,
  extensions: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(status).json({ errors: [{ message, extensions }] });
}

/** Mutations also spend the (stricter) write budget, one point per mutation field. */
/**
 * Names the read-model versions a response depends on (`x-colloquy-reads`, see
 * infra/versions.ts): the web's page cache keeps a page while they are unchanged.
 */
function readsPlugin(): Plugin<Context> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone() {
          const ctx = args.contextValue;
          if (ctx.res.headersSent) return;
          ctx.res.setHeader('x-colloquy-reads', [EPOCH, ...readsOf(ctx)].join(','));
        },
      };
    },
  };
}

function writeBudgetPlugin(limits: RateLimits): Plugin<Context> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const points = mutationFieldCount(args.document, args.operationName);
      const res = (args.contextValue as Context).res;
      const state = res.locals.limits as RequestLimits | undefined;
      if (!points || !state) return;
      const outcome = await consume(limits.writes, state.key, points);
      state.spent.push({ budget: limits.writes, outcome });
      for (const [name, value] of Object.entries(rateLimitHeaders(state.spent))) res.setHeader(name, value);
      if (outcome.allowed) return;
      const retry = String(outcome.resetSeconds);
      setResultAndStopExecution({
        errors: [
          new GraphQLError(`Rate limit of ${outcome.limit} mutations per minute exceeded; retry in ${retry} s.`, {
            extensions: { code: 'RATE_LIMITED', http: { status: 429, headers: { 'Retry-After': retry } } },
          }),
        ],
      });
    },
  };
}

/**
 * What a client sees of an error (yoga's maskError): expected failures (AppError) with their code;
 * request errors (parse, validation, limits: GraphQLErrors of no other cause) as they are, and
 * variables that do not fit their types as BAD_USER_INPUT naming the variable (a request error:
 * 400, or 200 with legacy application/json, as the GraphQL-over-HTTP spec says); anything else
 * masked as INTERNAL and logged with the request id.
 */
function maskError(error: unknown, message: string, log: AppDeps['log']): Error {
  const located = error instanceof GraphQLError ? error : undefined;
  const original = located ? located.originalError : error;
  const at = { nodes: located?.nodes, path: located?.path };
  if (original instanceof AppError) {
    return new GraphQLError(original.message, {
      ...at,
      extensions: original instanceof ValidationError ? { code: original.code, field: original.field } : { code: original.code },
    });
  }
  if (located && !located.path && /^Variable "\$[^"]+" /.test(located.message)) {
    const variable = /^Variable "\$([^"]+)"/.exec(located.message)![1];
    return new GraphQLError(located.message, {
      nodes: located.nodes,
      extensions: { code: 'BAD_USER_INPUT', variable, http: { status: 400, spec: true } },
    });
  }
  if (located && !located.originalError) {
    // parse errors carry no code of their own
    if (!located.extensions?.code && located.message.startsWith('Syntax Error')) {
      return new GraphQLError(located.message, {
        nodes: located.nodes,
        source: located.source,
        positions: located.positions,
        extensions: { ...located.extensions, code: 'GRAPHQL_PARSE_FAILED', http: { status: 400, spec: true } },
      });
    }
    // yoga marks every parse failure a spec error (200 with application/json): not our limits
    const http = located.extensions?.http as { spec?: boolean } | undefined;
    if (LIMIT_CODES.has(String(located.extensions?.code)) && http?.spec) {
      return new GraphQLError(located.message, {
        nodes: located.nodes,
        extensions: { ...located.extensions, http: { ...http, spec: false } },
      });
    }
    return located; // validation and limit errors, refusals of our plugins
  }
  if (original instanceof Error && original.name === 'PothosValidationError' && /Invalid global ID/.test(original.message)) {
    return new GraphQLError('No object has this id.', { ...at, extensions: { code: 'NOT_FOUND' } });
  }
  const scope = requestScope.getStore();
  log.error({ err: original ?? error, reqId: scope?.requestId }, 'unexpected error while executing GraphQL');
  return new GraphQLError(message, { ...at, extensions: { code: 'INTERNAL', requestId: scope?.requestId } });
}

/** The body parser's refusals as GraphQL errors: 413 PAYLOAD_TOO_LARGE, 415, 400 BAD_REQUEST. */
function bodyErrorHandler(maxBytes: number) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string } | undefined;
    if (!e || typeof e.status !== 'number') {
      next(err);
      return;
    }
    res.setHeader('content-type', 'application/json; charset=utf-8');
    if (e.type === 'entity.too.large') {
      sendGraphQLError(res, 413, `The request body is larger than ${maxBytes} bytes.`, { code: 'PAYLOAD_TOO_LARGE', limit: maxBytes });
      return;
    }
    const status = e.status >= 400 && e.status < 500 ? e.status : 400;
    sendGraphQLError(res, status, e.message ?? 'The request body could not be read.', { code: 'BAD_REQUEST' });
  };
}

/** The GraphQL server: schema, context (the viewer the budget middleware resolved), plugins. */
function createGraphQL(deps: AppDeps, limits: RateLimits) {
  const { config, log } = deps;
  // anonymous query responses cached in Redis (graphql/response-cache.plugin.ts), when deps.ts built the store
  const responseCache = responseCacheOf(deps.repos);
  return createYoga<{ req: Request; res: Response }, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: config.graphiql ? { title: 'Colloquy GraphQL' } : false,
    landingPage: false,
    logging: {
      debug: (...a) => log.debug(a.map(String).join(' ')),
      info: (...a) => log.info(a.map(String).join(' ')),
      warn: (...a) => log.warn(a.map(String).join(' ')),
      error: (...a) => log.error(a.map(String).join(' ')),
    },
    context: async ({ req, res }): Promise<Context> => {
      const requestId = String(res.locals.requestId);
      const ctxLog = log.child({ reqId: requestId });
      const { viewer } = (res.locals.limits as RequestLimits | undefined)?.auth ?? (await authenticate(deps, req));
      return { requestId, viewer, deps, log: ctxLog, req, res, cache: new Map() };
    },
    maskedErrors: { maskError: (error, message) => maskError(error, message, log) },
    plugins: [
      ...armorPlugins(config.graphqlLimits),
      ...executionPlugins(),
      metricsPlugin(deps),
      costPlugin(schema, limits.points, config.graphqlLimits),
      writeBudgetPlugin(limits),
      readsPlugin(),
      ...(responseCache ? responseCachePlugins(responseCache, config.responseCacheTtlSeconds) : []),
    ],
  });
}

/** Request id first (every later log line carries it), the in-flight count and the HTTP metrics. */
function requestTracking(deps: AppDeps, counter: { inFlight: number; open: Set<Response> }) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    // which instance answered (a load balancer spreads requests over several)
    res.setHeader('x-colloquy-instance', deps.config.instanceId);
    counter.inFlight++;
    counter.open.add(res);
    const start = process.hrtime.bigint();
    res.on('close', () => {
      counter.inFlight--;
      counter.open.delete(res);
      const path = req.originalUrl.split('?')[0] ?? '';
      const route = path.startsWith('/graphql') ? '/graphql' : ['/healthz', '/readyz', '/metrics'].includes(path) ? path : 'other';
      deps.metrics.httpDuration.observe(
        { method: req.method, route: String(route), status: String(res.statusCode) },
        Number(process.hrtime.bigint() - start) / 1e9,
      );
      const cache = res.getHeader('x-colloquy-cache');
      if (cache === 'hit' || cache === 'miss') deps.metrics.cacheLookups.inc({ cache: 'response', result: cache });
    });
    requestScope.run({ requestId }, next);
  };
}

/** `/healthz`, `/readyz` and `/metrics`. */
function operationalRoutes(app: express.Express, deps: AppDeps, isShuttingDown: () => boolean): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    if (isShuttingDown()) {
      res.status(503).json({ status: 'shutting-down' });
      return;
    }
    const timeout = deps.config.readinessTimeoutMs;
    const [mongo, redis] = await Promise.allSettled([pingMongo(timeout), pingRedis(deps.redis, timeout)]);
    const checks = {
      mongodb: mongo.status === 'fulfilled' ? 'ok' : String((mongo as PromiseRejectedResult).reason?.message ?? 'down'),
      redis: redis.status === 'fulfilled' ? 'ok' : String((redis as PromiseRejectedResult).reason?.message ?? 'down'),
    };
    // MongoDB is the truth: without it nothing can be served. Without Redis the api still serves
    // (slower: caches and listings fall back to the database, writes lock in-process) and sign-in
    // is refused: degraded, but ready — a load balancer keeps every instance in rotation.
    const ready = checks.mongodb === 'ok';
    res.status(ready ? 200 : 503).json({ status: !ready ? 'unavailable' : checks.redis === 'ok' ? 'ready' : 'degraded', checks });
  });

  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
}

/**
 * Who is asking, then their budget: a member, an API token or an anonymous address each spend
 * their own (IETF RateLimit headers; 429 with Retry-After). A Bearer token that does not
 * authenticate is refused before any budget is spent or created for it.
 */
function requestBudget(deps: AppDeps, limits: RateLimits) {
  return async (req: Request, res: Response, next: NextFunction) => {
    let auth: Authentication;
    try {
      auth = await authenticate(deps, req);
    } catch (err) {
      deps.log.error({ err, reqId: res.locals.requestId }, 'authentication failed');
      sendGraphQLError(res, 503, 'The service is temporarily unavailable.', {
        code: 'SERVICE_UNAVAILABLE',
        requestId: res.locals.requestId,
      });
      return;
    }
    if (auth.invalidBearer) {
      sendGraphQLError(res, 401, auth.invalidBearer, { code: 'UNAUTHENTICATED' }, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
      return;
    }
    const key = budgetKey(auth, addressKey(req.ip));
    const outcome = await consume(limits.requests, key);
    const state: RequestLimits = { auth, key, spent: [{ budget: limits.requests, outcome }] };
    res.locals.limits = state;
    res.set(rateLimitHeaders(state.spent));
    if (!outcome.allowed) {
      const retry = String(outcome.resetSeconds);
      sendGraphQLError(
        res,
        429,
        `Rate limit of ${outcome.limit} requests per minute exceeded; retry in ${retry} s.`,
        { code: 'RATE_LIMITED' },
        { 'Retry-After': retry },
      );
      return;
    }
    next();
  };
}

export function createApp(deps: AppDeps): AppHandle {
  const { config, log } = deps;
  let shuttingDown = false;
  const counter = { inFlight: 0, open: new Set<Response>() };
  const limits = rateLimitsOf(deps);
  const yoga = createGraphQL(deps, limits);

  const app = express();
  app.disable('x-powered-by');
  // whose X-Forwarded-For names the client (TRUST_PROXY; by default the web server on this host):
  // req.ip is then the visitor's address, and anyone else's X-Forwarded-For is ignored
  app.set('trust proxy', config.trustProxy);
  app.use(requestTracking(deps, counter));
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (_req, res) => String(res.locals.requestId),
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug'),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );
  operationalRoutes(app, deps, () => shuttingDown);

  // the body, read whole up to GRAPHQL_MAX_BODY_BYTES (yoga takes the buffer): 413 beyond, before
  // anything else is done for the request
  app.post(yoga.graphqlEndpoint, express.raw({ type: () => true, limit: config.graphqlLimits.maxBodyBytes, inflate: false }));
  app.use(yoga.graphqlEndpoint, bodyErrorHandler(config.graphqlLimits.maxBodyBytes));
  app.use(yoga.graphqlEndpoint, requestBudget(deps, limits));
  app.use(yoga.graphqlEndpoint, yoga as unknown as express.RequestHandler);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  return {
    app,
    beginShutdown: () => {
      shuttingDown = true;
      // event streams never end by themselves: end them now, so their clients reconnect (through
      // the load balancer, to another instance); ordinary requests drain
      for (const res of counter.open) {
        if (String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) res.end();
      }
    },
    inFlight: () => counter.inFlight,
  };
}
