// Bundles the HTTP front (src/lib/server/front.ts: fresh cached pages straight from Redis, the
// rest to SvelteKit) into build/front.js, next to adapter-node's handler.js. Run by `npm run build`.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/lib/server/front-main.ts'],
  outfile: 'build/front.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
