// Bundles the HTTP front (src/lib/server/front.ts: fresh cached pages straight from Redis, the
// rest to SvelteKit; /metrics) into build/front.js, next to adapter-node's handler.js. Run by
// `npm run build`. The route ids of src/routes go in as __COLLOQUY_ROUTES__ (metrics' route labels).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

/** Every route id of src/routes (a folder with a +page or +server file), groups left out. */
function routeIds(root, dir = root) {
  const names = readdirSync(dir);
  const ids = names.some((n) => /^\+(page|server)\./.test(n))
    ? [`/${relative(root, dir).split('\\').join('/')}`.replace(/\/\([^)]+\)/g, '').replace(/(.)\/$/, '$1') || '/']
    : [];
  for (const name of names) if (statSync(join(dir, name)).isDirectory()) ids.push(...routeIds(root, join(dir, name)));
  return ids;
}

await build({
  entryPoints: ['src/lib/server/front-main.ts'],
  outfile: 'build/front.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  define: { __COLLOQUY_ROUTES__: JSON.stringify(routeIds('src/routes')) },
  logLevel: 'warning',
});
