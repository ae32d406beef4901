// A baseline server for the benchmark, run as its own process with plain `node` (no tsx):
//   node scripts/bench/baseline-server.mjs http|express <manifest.json>
// Serves saved responses by request: the manifest (written by baselines.ts) lists, for each
// method and path (query included), the status, content type and file of the bytes the bench's
// cached stack answered. A bare `node:http` server, or a minimal Express 5 app with one route per
// method and Express's defaults (ETag included). Anything not saved is a plain 404. Listens on a
// free port of 127.0.0.1 and prints {"port": N} on stdout.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';

const [kind, manifestFile] = process.argv.slice(2);
if ((kind !== 'http' && kind !== 'express') || !manifestFile) {
  console.error('usage: baseline-server.mjs http|express <manifest.json>');
  process.exit(2);
}

/** @type {Array<{ method: string; path: string; status: number; contentType: string; file: string }>} */
const entries = JSON.parse(readFileSync(manifestFile, 'utf8')).entries;
/** @type {Map<string, { status: number; contentType: string; body: Buffer }>} */
const saved = new Map(
  entries.map((e) => [
    `${e.method} ${e.path}`,
    { status: e.status, contentType: e.contentType, body: readFileSync(join(dirname(manifestFile), e.file)) },
  ]),
);
const notSaved = Buffer.from('not saved\n');

/** @type {http.Server} */
let server;
if (kind === 'http') {
  const headers = new Map(
    [...saved].map(([key, page]) => [key, { 'content-type': page.contentType, 'content-length': String(page.body.length) }]),
  );
  server = http.createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    const page = saved.get(key);
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain', 'content-length': String(notSaved.length) });
      res.end(notSaved);
      return;
    }
    res.writeHead(page.status, headers.get(key));
    res.end(page.body);
  });
} else {
  const { default: express } = await import('express');
  const app = express();
  app.disable('x-powered-by');
  /** @type {import('express').RequestHandler} */
  const serve = (req, res) => {
    const page = saved.get(`${req.method} ${req.originalUrl}`);
    if (!page) {
      res.status(404).type('text').send(notSaved);
      return;
    }
    res.status(page.status).type(page.contentType).send(page.body);
  };
  app.get('/{*path}', serve);
  app.post('/{*path}', serve);
  server = http.createServer(app);
}
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
