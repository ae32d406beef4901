// The web process's Prometheus metrics, served as text at GET /metrics by the HTTP front
// (front.ts), where every request enters: HTTP requests by method, route and status with their
// durations, the anonymous page cache's lookups (hit ratio), and the process's memory, CPU and
// event-loop lag. Same series names as the api's (server/src/infra/metrics.ts, prom-client), so
// deploy/grafana/colloquy.json charts web and api alike; Prometheus's `job` label tells them
// apart. Written here rather than with prom-client: the web image installs only the web
// workspace's dependencies, and this is the whole of what it needs (text format 0.0.4).
// Relative imports carry `.js` (also compiled by the test project's NodeNext).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

interface MetricDef {
  name: string;
  help: string;
}

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly def: MetricDef) {}
  inc(labels: Labels, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels, value: by });
  }
  get(labels: Labels): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.def.name} ${this.def.help}`, `# TYPE ${this.def.name} counter`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.def.name}${labelText(labels)} ${num(value)}`);
    return lines.join('\n');
  }
}

class Histogram {
  private readonly values = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly def: MetricDef,
    readonly buckets: number[],
  ) {}
  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    let entry = this.values.get(key);
    if (!entry) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.values.set(key, entry);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) entry.counts[i]!++;
    entry.sum += value;
    entry.count++;
  }
  render(): string {
    const { name } = this.def;
    const lines = [`# HELP ${name} ${this.def.help}`, `# TYPE ${name} histogram`];
    for (const { labels, counts, sum, count } of this.values.values()) {
      this.buckets.forEach((le, i) => lines.push(`${name}_bucket${labelText({ ...labels, le: num(le) })} ${counts[i]}`));
      lines.push(`${name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`);
      lines.push(`${name}_sum${labelText(labels)} ${num(sum)}`);
      lines.push(`${name}_count${labelText(labels)} ${count}`);
    }
    return lines.join('\n');
  }
}

const gauge = (def: MetricDef, value: number, labels: Labels = {}) =>
  `# HELP ${def.name} ${def.help}\n# TYPE ${def.name} gauge\n${def.name}${labelText(labels)} ${num(value)}`;
const counterLine = (def: MetricDef, value: number) =>
  `# HELP ${def.name} ${def.help}\n# TYPE ${def.name} counter\n${def.name} ${num(value)}`;

// ---------------------------------------------------------------------------------------------
// route labels

/**
 * The route ids of web/src/routes (`/questions/[id]/[[slug]]` …), written into build/front.js by
 * scripts/build-front.js (esbuild's `define`), so the list follows the folder by itself. Outside
 * that bundle (tests) it is undefined and the caller passes the ids.
 */
declare const __COLLOQUY_ROUTES__: readonly string[] | undefined;
export const BUILT_ROUTES: readonly string[] = typeof __COLLOQUY_ROUTES__ === 'undefined' ? [] : __COLLOQUY_ROUTES__;

interface CompiledRoute {
  id: string;
  pattern: RegExp;
  /** static segments first (SvelteKit prefers `/questions/ask` over `/questions/[id]`) */
  rank: number;
}

function compileRoute(id: string): CompiledRoute {
  const segments = id.split('/').filter(Boolean);
  let source = '';
  let rank = 0;
  for (const segment of segments) {
    if (/^\[\[[^\]]+\]\]$/.test(segment)) source += '(?:/[^/]+)?';
    else if (/^\[\.\.\.[^\]]+\]$/.test(segment)) source += '(?:/.*)?';
    else if (/^\[[^\]]+\]$/.test(segment)) source += '/[^/]+';
    else {
      source += `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
      rank++;
    }
  }
  return { id, pattern: new RegExp(`^${source || ''}/?$`), rank };
}

/**
 * The `route` label of a request path: the SvelteKit route it matches (a page's data request,
 * `…/__data.json`, counts as its page; static segments win over parameters, as in SvelteKit),
 * `/_app/*` for the built assets, `/metrics`, or `(static)` for a file of web/static and
 * `(unmatched)` for anything else — never the raw path, so the number of series stays bounded
 * whatever URLs visitors try.
 */
export function routeLabeler(routeIds: readonly string[]): (pathname: string) => string {
  const compiled = routeIds.map(compileRoute).sort((a, b) => b.rank - a.rank);
  return (pathname) => {
    if (pathname.startsWith('/_app/')) return '/_app/*';
    if (pathname === '/metrics') return '/metrics';
    const path = pathname.endsWith('/__data.json') ? pathname.slice(0, -'/__data.json'.length) || '/' : pathname;
    for (const route of compiled) if (route.pattern.test(path)) return route.id;
    return /\.[a-z0-9]{2,5}$/i.test(path) ? '(static)' : '(unmatched)';
  };
}

// ---------------------------------------------------------------------------------------------
// the registry

const HTTP_DURATION: MetricDef = {
  name: 'colloquy_http_request_duration_seconds',
  help: 'HTTP request duration by method, route and status',
};
const CACHE_LOOKUPS: MetricDef = {
  name: 'colloquy_cache_lookups_total',
  help: 'Cache lookups by cache (page) and result (hit, miss, stale, bypass)',
};
const RSS: MetricDef = { name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.' };
const HEAP_USED: MetricDef = { name: 'nodejs_heap_size_used_bytes', help: 'Process heap size used from Node.js in bytes.' };
const HEAP_TOTAL: MetricDef = { name: 'nodejs_heap_size_total_bytes', help: 'Process heap size from Node.js in bytes.' };
const CPU: MetricDef = { name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.' };
const START: MetricDef = { name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.' };
const LAG: MetricDef = { name: 'nodejs_eventloop_lag_p99_seconds', help: 'The 99th percentile of the recorded event loop delays.' };

export type PageCacheResult = 'hit' | 'miss' | 'stale' | 'bypass';
const PAGE_CACHE_RESULTS = new Set<string>(['hit', 'miss', 'stale', 'bypass']);

export interface WebMetrics {
  /** one finished request */
  observeRequest(request: { method: string; pathname: string; status: number; seconds: number; cache?: string | null }): void;
  /** the Prometheus text of every series */
  render(): string;
  /** stops the event-loop monitor */
  close(): void;
}

export function createWebMetrics(routeIds: readonly string[] = BUILT_ROUTES): WebMetrics {
  const routeLabel = routeLabeler(routeIds);
  const duration = new Histogram(HTTP_DURATION, [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  const cache = new Counter(CACHE_LOOKUPS);
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  return {
    observeRequest({ method, pathname, status, seconds, cache: result }) {
      const known = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(method) ? method : 'OTHER';
      duration.observe({ method: known, route: routeLabel(pathname), status: String(status) }, seconds);
      if (result && PAGE_CACHE_RESULTS.has(result)) cache.inc({ cache: 'page', result });
    },
    render() {
      const memory = process.memoryUsage();
      const cpu = process.cpuUsage();
      const parts = [
        duration.render(),
        cache.render(),
        gauge(RSS, memory.rss),
        gauge(HEAP_USED, memory.heapUsed),
        gauge(HEAP_TOTAL, memory.heapTotal),
        counterLine(CPU, (cpu.user + cpu.system) / 1e6),
        gauge(START, startSeconds),
        gauge(LAG, lag.percentile(99) / 1e9),
      ];
      lag.reset();
      return `${parts.join('\n')}\n`;
    },
    close: () => lag.disable(),
  };
}
