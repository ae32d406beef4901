// Prometheus metrics (prom-client). The api serves its registry at /metrics (app.ts); the worker
// serves its own on METRICS_PORT (serveMetrics). deploy/prometheus.yml scrapes both, and the web
// server's /metrics; deploy/grafana/colloquy.json charts them.
import { createServer, type Server } from 'node:http';
import type { MongoClient } from 'mongodb';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  graphqlDuration: Histogram<'operation' | 'type' | 'outcome'>;
  graphqlErrors: Counter<'operation' | 'code'>;
  /** database round trips by command (find, insert, update, aggregate…) and outcome */
  dbDuration: Histogram<'command' | 'outcome'>;
  /** lookups of a cache by outcome (hit / miss): the hit ratio is hit / (hit + miss) */
  cacheLookups: Counter<'cache' | 'result'>;
}

/** One registry per app instance (tests create several apps in one process). */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'colloquy_http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: 'colloquy_graphql_operation_duration_seconds',
      help: 'GraphQL operation execution time by operation name, type and outcome',
      labelNames: ['operation', 'type', 'outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: 'colloquy_graphql_errors_total',
      help: 'GraphQL errors by operation and code',
      labelNames: ['operation', 'code'],
      registers: [registry],
    }),
    dbDuration: new Histogram({
      name: 'colloquy_db_command_duration_seconds',
      help: 'MongoDB/FerretDB command round trips by command name and outcome',
      labelNames: ['command', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    cacheLookups: new Counter({
      name: 'colloquy_cache_lookups_total',
      help: 'Cache lookups by cache (response) and result (hit, miss)',
      labelNames: ['cache', 'result'],
      registers: [registry],
    }),
  };
}

/** Database commands measured from the driver's command events (the client monitors commands). */
export function observeDbCommands(metrics: Metrics, client: MongoClient): void {
  client.on('commandSucceeded', (e) => metrics.dbDuration.observe({ command: e.commandName, outcome: 'ok' }, e.duration / 1000));
  client.on('commandFailed', (e) => metrics.dbDuration.observe({ command: e.commandName, outcome: 'error' }, e.duration / 1000));
}

export interface WorkerMetrics {
  jobs: Counter<'queue' | 'outcome'>;
  jobDuration: Histogram<'queue'>;
}

/**
 * The worker's job metrics, and the depth of its queues (read from Redis at each scrape by
 * `depth(queue)`: waiting, active, delayed, failed job counts).
 */
export function createWorkerMetrics(
  registry: Registry,
  queues: string[],
  depth: (queue: string) => Promise<Record<string, number>>,
): WorkerMetrics {
  new Gauge({
    name: 'colloquy_queue_jobs',
    help: 'Jobs in each BullMQ queue by state (waiting, active, delayed, failed)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const queue of queues) {
        try {
          const counts = await depth(queue);
          for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
        } catch {
          // Redis unreachable: the gauge keeps its last values
        }
      }
    },
  });
  return {
    jobs: new Counter({
      name: 'colloquy_jobs_total',
      help: 'Jobs the worker finished, by queue and outcome (completed, failed)',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'colloquy_job_duration_seconds',
      help: 'Job processing time by queue',
      labelNames: ['queue'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
  };
}

/** A tiny HTTP server answering GET /metrics (and /healthz) for a process without its own (the worker). */
export function serveMetrics(registry: Registry, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
