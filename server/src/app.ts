// createApp(deps): the Express app with yoga mounted at /graphql. It never listens: main.ts and
// the tests do.
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, Kind, type DefinitionNode, type OperationDefinitionNode } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { pinoHttp } from 'pino-http';
import type { AppDeps, Context } from './context.js';
import { schema } from './graphql/schema.js';
import { requestScope } from './infra/logger.js';
import { pingMongo } from './infra/mongo.js';
import { pingRedis } from './infra/redis.js';
import { AppError, ValidationError } from './lib/errors.js';
import { authenticateRequest } from './modules/session/session.service.js';

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
      const definition = args.document.definitions.find(
        (d: DefinitionNode): d is OperationDefinitionNode =>
          d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName),
      );
      const type = definition?.operation ?? 'query';
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

export function createApp(deps: AppDeps): AppHandle {
  const { config, log } = deps;
  let shuttingDown = false;
  let inFlight = 0;

  const yoga = createYoga<{ req: Request; res: Response }, Context>({
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
      const viewer = await authenticateRequest(deps, req);
      return { requestId, viewer, deps, log: ctxLog, req, res, cache: new Map() };
    },
    maskedErrors: {
      maskError(error, message) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof AppError) {
          return new GraphQLError(original.message, {
            nodes: (error as GraphQLError).nodes,
            path: (error as GraphQLError).path,
            extensions: original instanceof ValidationError ? { code: original.code, field: original.field } : { code: original.code },
          });
        }
        if (error instanceof GraphQLError && !error.originalError) return error; // validation/parse errors
        if (original instanceof Error && original.name === 'PothosValidationError' && /Invalid global ID/.test(original.message)) {
          return new GraphQLError('No object has this id.', {
            nodes: (error as GraphQLError).nodes,
            path: (error as GraphQLError).path,
            extensions: { code: 'NOT_FOUND' },
          });
        }
        const scope = requestScope.getStore();
        log.error({ err: original ?? error, reqId: scope?.requestId }, 'unexpected error while executing GraphQL');
        return new GraphQLError(message, {
          nodes: (error as GraphQLError).nodes,
          path: (error as GraphQLError).path,
          extensions: { code: 'INTERNAL', requestId: scope?.requestId },
        });
      },
    },
    plugins: [metricsPlugin(deps)],
  });

  const app = express();
  app.disable('x-powered-by');
  // one hop: the address the nearest proxy (our web server) saw; entries further left in
  // X-Forwarded-For come from the client and could be forged
  app.set('trust proxy', config.trustProxy ? 1 : false);

  // request id first: every later log line carries it
  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    inFlight++;
    const start = process.hrtime.bigint();
    res.on('close', () => {
      inFlight--;
      const path = req.originalUrl.split('?')[0] ?? '';
      const route = path.startsWith('/graphql') ? '/graphql' : ['/healthz', '/readyz', '/metrics'].includes(path) ? path : 'other';
      deps.metrics.httpDuration.observe(
        { method: req.method, route: String(route), status: String(res.statusCode) },
        Number(process.hrtime.bigint() - start) / 1e9,
      );
    });
    requestScope.run({ requestId }, next);
  });
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (_req, res) => String(res.locals.requestId),
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug'),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    if (shuttingDown) {
      res.status(503).json({ status: 'shutting-down' });
      return;
    }
    const timeout = config.readinessTimeoutMs;
    const [mongo, redis] = await Promise.allSettled([pingMongo(timeout), pingRedis(deps.redis, timeout)]);
    const checks = {
      mongodb: mongo.status === 'fulfilled' ? 'ok' : String((mongo as PromiseRejectedResult).reason?.message ?? 'down'),
      redis: redis.status === 'fulfilled' ? 'ok' : String((redis as PromiseRejectedResult).reason?.message ?? 'down'),
    };
    const ready = checks.mongodb === 'ok' && checks.redis === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });

  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  // fixed-window rate limit per client (IETF RateLimit headers; 429 with Retry-After)
  app.use(yoga.graphqlEndpoint, async (req: Request, res: Response, next: NextFunction) => {
    const limit = config.rateLimitPerMinute;
    const window = 60;
    const who = req.get('authorization') ? `t:${req.get('authorization')!.slice(-16)}` : `ip:${req.ip}`;
    const bucket = Math.floor(Date.now() / 1000 / window);
    const key = `${config.redisPrefix}rate:${who}:${bucket}`;
    let used = 0;
    try {
      used = await deps.redis.incr(key);
      if (used === 1) await deps.redis.expire(key, window * 2);
    } catch {
      return next(); // Redis down: do not block the API on a cache
    }
    const reset = window - (Math.floor(Date.now() / 1000) % window);
    res.setHeader('RateLimit-Policy', `${limit};w=${window}`);
    res.setHeader('RateLimit', `limit=${limit}, remaining=${Math.max(0, limit - used)}, reset=${reset}`);
    if (used > limit) {
      res.setHeader('Retry-After', String(reset));
      res.status(429).json({
        errors: [
          { message: `Rate limit of ${limit} requests per minute exceeded; retry in ${reset} s.`, extensions: { code: 'RATE_LIMITED' } },
        ],
      });
      return;
    }
    next();
  });
  app.use(yoga.graphqlEndpoint, yoga as unknown as express.RequestHandler);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  return {
    app,
    beginShutdown: () => {
      shuttingDown = true;
    },
    inFlight: () => inFlight,
  };
}
