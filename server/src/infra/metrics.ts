import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  graphqlDuration: Histogram<'operation' | 'type' | 'outcome'>;
  graphqlErrors: Counter<'operation' | 'code'>;
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
  };
}
