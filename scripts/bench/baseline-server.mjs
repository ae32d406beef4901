// A baseline server for the benchmark, run as its own process with plain `node` (no tsx):
//   node scripts/bench/baseline-server.mjs http|express <file>
// Serves the bytes of <file> (a saved question page) as text/html for any GET — a bare
// `node:http` server, or a minimal Express 5 app with one route and Express's defaults (ETag
// included). Listens on a free port of 127.0.0.1 and prints {"port": N} on stdout.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [kind, file] = process.argv.slice(2);
if ((kind !== 'http' && kind !== 'express') || !file) {
  console.error('usage: baseline-server.mjs http|express <file>');
  process.exit(2);
}
const body = readFileSync(file);

/** @type {http.Server} */
let server;
if (kind === 'http') {
  const headers = { 'content-type': 'text/html; charset=utf-8', 'content-length': String(body.length) };
  server = http.createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
} else {
  const { default: express } = await import('express');
  const app = express();
  app.disable('x-powered-by');
  app.get('/questions/:id{/:slug}', (_req, res) => {
    res.type('html').send(body);
  });
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
