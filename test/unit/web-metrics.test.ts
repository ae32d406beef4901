// The web front's /metrics (web/src/lib/server/metrics.ts): route labels are the SvelteKit routes
// (web/scripts/build-front.js writes the ids of web/src/routes into the bundle; here they are read
// the same way), and the text is Prometheus's exposition format.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createWebMetrics, routeLabeler } from '../../web/src/lib/server/metrics.js';

const routesDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'src', 'routes');

/** Every route id of web/src/routes: a folder holding a +page or +server file. */
function routeIds(dir = routesDir): string[] {
  const ids: string[] = [];
  const names = readdirSync(dir);
  if (names.some((n) => /^\+(page|server)\./.test(n)))
    ids.push(`/${relative(routesDir, dir).split('\\').join('/')}`.replace(/\/$/, '') || '/');
  for (const name of names) if (statSync(join(dir, name)).isDirectory()) ids.push(...routeIds(join(dir, name)));
  return ids.map((id) => id.replace(/\/\([^)]+\)/g, '') || '/');
}

const ids = routeIds();
const routeLabel = routeLabeler(ids);

describe('the web front metrics', () => {
  it('labels a path of every route of web/src/routes with that route', () => {
    expect(ids).toContain('/questions/[id]/[[slug]]');
    for (const id of ids) {
      const path = id.replace(/\[\.\.\.[^\]]+\]/g, 'a/b').replace(/\[\[?[^\]]+\]?\]/g, 'sample');
      expect(routeLabel(path), path).toBe(id);
    }
  });

  it('labels a request by the route it matches, static segments first, never by its raw path', () => {
    expect(routeLabel('/')).toBe('/');
    expect(routeLabel('/questions')).toBe('/questions');
    expect(routeLabel('/questions/ask')).toBe('/questions/ask');
    expect(routeLabel('/questions/65a1b2c3d4e5f60718293a4b')).toBe('/questions/[id]/[[slug]]');
    expect(routeLabel('/questions/65a1b2c3d4e5f60718293a4b/how-do-i')).toBe('/questions/[id]/[[slug]]');
    expect(routeLabel('/questions/65a1b2c3d4e5f60718293a4b/how-do-i/__data.json')).toBe('/questions/[id]/[[slug]]');
    expect(routeLabel('/__data.json')).toBe('/');
    expect(routeLabel('/users/alice')).toBe('/users/[handle]');
    expect(routeLabel('/tags/svelte/edit')).toBe('/tags/[name]/edit');
    expect(routeLabel('/_app/immutable/chunks/x.js')).toBe('/_app/*');
    expect(routeLabel('/favicon.png')).toBe('(static)');
    expect(routeLabel('/wp-admin/setup-config')).toBe('(unmatched)');
    expect(routeLabel('/users/alice/extra/segments')).toBe('(unmatched)');
  });

  it('writes counts, durations and page-cache outcomes in the Prometheus text format', () => {
    const metrics = createWebMetrics(ids);
    try {
      metrics.observeRequest({ method: 'GET', pathname: '/users/alice', status: 200, seconds: 0.02, cache: 'miss' });
      metrics.observeRequest({ method: 'GET', pathname: '/users/bob', status: 200, seconds: 0.003, cache: 'hit' });
      metrics.observeRequest({ method: 'BREW', pathname: '/nowhere', status: 404, seconds: 0.001, cache: 'bogus' });
      const text = metrics.render();
      expect(text).toContain('# TYPE colloquy_http_request_duration_seconds histogram');
      expect(text).toContain('colloquy_http_request_duration_seconds_count{method="GET",route="/users/[handle]",status="200"} 2');
      expect(text).toContain(
        'colloquy_http_request_duration_seconds_bucket{method="GET",route="/users/[handle]",status="200",le="0.005"} 1',
      );
      expect(text).toContain(
        'colloquy_http_request_duration_seconds_bucket{method="GET",route="/users/[handle]",status="200",le="+Inf"} 2',
      );
      expect(text).toContain('colloquy_http_request_duration_seconds_count{method="OTHER",route="(unmatched)",status="404"} 1');
      expect(text).toContain('colloquy_cache_lookups_total{cache="page",result="hit"} 1');
      expect(text).toContain('colloquy_cache_lookups_total{cache="page",result="miss"} 1');
      expect(text).not.toContain('bogus');
      expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
      expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds [\d.e-]+$/m);
      // every sample line is `name{labels} value`
      for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toMatch(/^[a-z0-9_]+(\{[^}]*\})? \S+$/);
    } finally {
      metrics.close();
    }
  });
});
