// Phase 5 of the benchmark: which database commands each operation sends (its round trips) and
// which FerretDB answers by scanning. The measured stacks are stopped; a separate api + web,
// configured as the uncached stack (no page cache, no GraphQL response cache; the entity caches
// on) on a Redis prefix of their own, talk to FerretDB through a wire tap while every operation of
// the tables in reads.ts (and the two writes) runs twice: a warm-up, then the counted one. Then
// the captured commands are explained.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { indexProfileFerretdbIds } from '../lib/ferretdb-ids.js';
import { startStack } from '../lib/stack.js';
import { captureOps, explainCaptured, formatProbe, formatScanReport, probePushdown, startWireTap, type WireTap } from './db-scans.js';
import type { Fixtures } from './fixtures.js';
import { gql, payloadOk, POST_ANSWER_MUTATION, VOTE_MUTATION, type Agent } from './graphql.js';
import { UNCACHED_ENV, type BenchData, type BenchStacks } from './prepare.js';
import { graphqlOperations, PAGE_ROUTES, PING, questionOperation, ROUND_TRIP_PAGES, type PageRoute } from './reads.js';
import { waitIdle } from './proc.js';
import { copyListings, deleteRedisPrefix } from './seeding.js';
import { fmt, log, PREFLIGHT_TIMEOUT_SEC, type BenchSession } from './session.js';
import type { WriteFixtures } from './writes.js';

type CaptureOp = { name: string; run: () => Promise<void>; warmAlways?: boolean };

/** the commands are recorded when sent: a request still running after this is left behind (and waited out) */
const CAPTURE_TIMEOUT_MS = PREFLIGHT_TIMEOUT_SEC * 1000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** 5. the capture and explain report (or a note that --no-db-report skipped it). */
export async function captureDatabaseCommands(
  session: BenchSession,
  data: BenchData,
  stacks: BenchStacks,
  f: Fixtures,
  w: WriteFixtures,
): Promise<void> {
  if (!session.options.dbReport) {
    session.scanLines = ['(skipped: --no-db-report)'];
    return;
  }
  const { cleanup } = session;
  const { services, env, benchDir, redisPrefix } = data;
  session.checkAborted();
  await stacks.stop();
  log('capturing the database commands of each operation (a separate uncached api + web behind a wire tap) …');
  const tap: WireTap = await startWireTap(data.ports.ferretdb);
  cleanup.add('close the wire tap', () => tap.close());
  const capturePrefix = 'colloquy-bench-capture:';
  cleanup.add('delete the capture Redis keys', () => deleteRedisPrefix(services.redisUrl, capturePrefix));
  // the capture api serves listings from the same Redis sorted sets as the measured one
  const copiedListings = await copyListings(services.redisUrl, redisPrefix, capturePrefix);
  log(`copied ${fmt(copiedListings)} listing key(s) for the capture api (per-author listings left out)`);
  const [capApiPort, capWebPort] = [await freePort(), await freePort()];
  const capture = await startStack(
    {
      env: {
        ...env,
        ...UNCACHED_ENV,
        MONGODB_URL: `mongodb://127.0.0.1:${tap.port}/${new URL(services.mongodbUrl).pathname.slice(1)}`,
        REDIS_PREFIX: capturePrefix,
      },
      apiPort: capApiPort,
      webPort: capWebPort,
      logDir: join(benchDir, 'logs', 'capture'),
      worker: false,
    },
    log,
  );
  cleanup.add('stop the capture api and web', () => capture.stop());
  const ops = captureOperations(capture, f, w);
  // after each request: until the capture api, web and FerretDB go idle (work left behind)
  const busy = [...capture.children.map((c) => c.pid), session.sampler.pid('ferretdb')].filter((p): p is number => p !== undefined);
  await captureOps(tap, ops, log, async () => {
    await waitIdle(busy, { timeoutMs: CAPTURE_TIMEOUT_MS, signal: session.abort.signal });
  });
  await capture.stop();
  await tap.close();
  log('probing which by-_id commands FerretDB pushes down (scratch database colloquy_bench_probe) …');
  const probes = await probePushdown(services.mongodbUrl, () => indexProfileFerretdbIds('bench'));
  log(`explaining the ${tap.commands.length} captured database commands on FerretDB …`);
  session.scans = await explainCaptured(
    services.mongodbUrl,
    tap.commands,
    ops.map((o) => o.name),
    probes,
  );
  session.scanLines = [...formatProbe(probes), '', ...formatScanReport(session.scans)];
}

/**
 * Each operation against the capture stack: ping, every page (and what it sends), the question
 * pages of 10 and 30 answers, the GraphQL question query and every other GraphQL operation, the
 * writes. Pages this run does not have are left out.
 */
export function captureOperations(capture: { apiUrl: string; webUrl: string }, f: Fixtures, w: WriteFixtures): CaptureOp[] {
  const post = async (query: string, variables?: Record<string, unknown>, cookie?: string) => {
    await gql(capture.apiUrl, query, variables, cookie ? { cookie } : {}, CAPTURE_TIMEOUT_MS);
  };
  const page = (route: PageRoute, path: string): CaptureOp => ({
    name: route.name,
    warmAlways: true,
    run: async () => {
      const res = await fetch(`${capture.webUrl}${path}`, { redirect: 'manual', signal: AbortSignal.timeout(CAPTURE_TIMEOUT_MS) });
      await res.arrayBuffer();
      const expected = route.expectStatus ?? 200;
      if (res.status !== expected) throw new Error(`HTTP ${res.status} (expected ${expected})`);
    },
  });
  const pages = (routes: PageRoute[]) =>
    routes.flatMap((r) => {
      const path = r.path(f);
      if (path === null) return [];
      return [page(r, path), ...(r.sends?.(f) ?? []).map((o) => ({ name: o.name, run: () => post(o.query, o.variables) }))];
    });
  const agent = w.agents[0];
  return [
    { name: PING.name, run: () => post(PING.query) },
    ...pages(PAGE_ROUTES),
    ...pages(ROUND_TRIP_PAGES),
    ...[questionOperation(f), ...graphqlOperations(f)].map((o) => ({ name: o.name, run: () => post(o.query, o.variables) })),
    ...(agent && w.pool.length ? captureWrites(capture.apiUrl, agent, w) : []),
  ];
}

/** One postAnswer and one vote by the first agent. */
function captureWrites(apiUrl: string, agent: Agent, w: WriteFixtures): CaptureOp[] {
  const { pool, runTag } = w;
  let captureSeq = 0;
  return [
    {
      name: 'postAnswer',
      run: async () => {
        const r = await gql<{ postAnswer: { errors: Array<{ code: string; message: string }> } }>(
          apiUrl,
          POST_ANSWER_MUTATION,
          {
            input: {
              questionId: pool[0]!,
              body: `Benchmark capture answer ${captureSeq++} (run ${runTag}): a plain answer of enough length.`,
            },
          },
          { cookie: agent.cookie },
          CAPTURE_TIMEOUT_MS,
        );
        payloadOk('postAnswer', r.data.postAnswer);
      },
    },
    {
      name: 'vote',
      run: async () => {
        const r = await gql<{ vote: { errors: Array<{ code: string; message: string }> } }>(
          apiUrl,
          VOTE_MUTATION,
          { input: { subjectId: pool[1] ?? pool[0]!, direction: captureSeq++ % 2 ? 'NONE' : 'UP' } },
          { cookie: agent.cookie },
          CAPTURE_TIMEOUT_MS,
        );
        payloadOk('vote', r.data.vote);
      },
    },
  ];
}
