// Phase 4 (writes) of the benchmark: postAnswer and vote, each a new mutation per request by
// signed-in agents, run at the same time as question-page reads (three rows measured together).
import type { Fixtures } from './fixtures.js';
import { graphqlBody, POST_ANSWER_MUTATION, signedInAgent, VOTE_MUTATION, type Agent } from './graphql.js';
import { runLoad, type Target } from './load.js';
import { describeTarget, rssOfStack, type Measurer, type Preflight } from './measure.js';
import type { BenchStack } from './prepare.js';
import { pageTarget } from './reads.js';
import { log, type BenchSession } from './session.js';

export const WRITE_ROWS = ['question page under writes (web)', 'postAnswer under reads', 'vote under reads'];

/** What the writes left for the database-command capture: the agents, the questions written to, the run's tag. */
export interface WriteFixtures {
  agents: Agent[];
  /** the top-voted questions other than the measured page's */
  pool: string[];
  runTag: string;
}

/** postAnswer (a new answer on the pool's questions) and vote (UP → NONE → DOWN → NONE per agent and post). */
function writeTargets(apiUrl: string, w: WriteFixtures): [Target, Target] {
  const { agents, pool, runTag } = w;
  let answerSeq = 0;
  const voteCounts = new Map<string, number>();
  let voteSeq = 0;
  const postAnswerTarget: Target = {
    name: 'postAnswer under reads',
    url: `${apiUrl}/graphql`,
    method: 'POST',
    graphql: true,
    headers: { accept: 'application/json' },
    next: () => {
      const n = answerSeq++;
      const agent = agents[n % agents.length]!;
      const questionId = pool[n % pool.length]!;
      const body = `Benchmark answer #${n} (run ${runTag}): restart the worker with a smaller batch size, then check the logs for \`timeout\` errors.\n\n\`\`\`sh\nnpm run worker -- --batch 50\n\`\`\``;
      return {
        method: 'POST',
        body: graphqlBody(POST_ANSWER_MUTATION, { input: { questionId, body } }),
        headers: { cookie: agent.cookie },
      };
    },
  };
  const voteTarget: Target = {
    name: 'vote under reads',
    url: `${apiUrl}/graphql`,
    method: 'POST',
    graphql: true,
    headers: { accept: 'application/json' },
    next: () => {
      const n = voteSeq++;
      const agent = agents[n % agents.length]!;
      const subjectId = pool[Math.floor(n / agents.length) % pool.length]!;
      // every vote changes something: UP → NONE → DOWN → NONE → UP … per agent and post
      const key = `${agent.handle}:${subjectId}`;
      const count = voteCounts.get(key) ?? 0;
      voteCounts.set(key, count + 1);
      const direction = (['UP', 'NONE', 'DOWN', 'NONE'] as const)[count % 4]!;
      return {
        method: 'POST',
        body: graphqlBody(VOTE_MUTATION, { input: { subjectId, direction } }),
        headers: { cookie: agent.cookie },
      };
    },
  };
  return [postAnswerTarget, voteTarget];
}

/** Writes under read load, when selected (`--only`) and there are other questions to write to. */
export async function measureWrites(session: BenchSession, measurer: Measurer, stack: BenchStack, f: Fixtures): Promise<WriteFixtures> {
  const w: WriteFixtures = {
    agents: [],
    pool: f.listed.filter((q) => q.id !== f.question.id).map((q) => q.id),
    runTag: Date.now().toString(36),
  };
  if (WRITE_ROWS.some((name) => session.selected(name)) && w.pool.length) {
    session.checkAborted();
    log('signing up 5 bench agents …');
    const password = `bench-password-${w.runTag}`;
    try {
      w.agents = await Promise.all([1, 2, 3, 4, 5].map((i) => signedInAgent(stack.apiUrl, `bench-${w.runTag}-${i}`, password)));
    } catch (error) {
      session.checkAborted();
      // without agents there are no writes: their rows say why, and the run goes on
      const note = `not measured: the bench agents could not sign up (${error instanceof Error ? error.message : String(error)})`;
      log(`  ✗ ${note}`);
      for (const name of WRITE_ROWS) session.rows.push({ name, kind: 'write', target: '', closed: null, fixed: null, rssMb: {}, note });
      return w;
    }
    const readTarget = pageTarget('question page under writes (web)', stack.webUrl, f.pagePath);
    log(`writes under read load (${WRITE_ROWS.join(', ')}) …`);
    await measurer.settle();
    await measureGroup(session, measurer, [readTarget, ...writeTargets(stack.apiUrl, w)]);
  }
  return w;
}

/** The reads (first) and the writes loaded together: pre-flight each, then warm-up, closed loop and fixed rate side by side. */
async function measureGroup(session: BenchSession, measurer: Measurer, group: Target[]): Promise<void> {
  const { options, rows, sampler, abort, preferWrk } = session;
  const pre: Preflight[] = [];
  for (const t of group) pre.push(await measurer.probe(t));
  const failed = pre.map((p, i) => (p.ok ? null : `${group[i]!.name}: ${p.why}`)).filter(Boolean);
  const singles = pre.map((p) => (p.ok ? p.ms : NaN));
  const plans = singles.map((ms, i) => measurer.planFor(ms, i === 0 ? options.connections : options.writeConnections));
  const skip = plans.map((p) => p.skip).find(Boolean);
  if (failed.length || skip) {
    const why = failed.length ? `pre-flight failed: ${failed.join('; ')}` : skip!;
    log(`  ✗ ${why}`);
    group.forEach((t, i) =>
      rows.push({
        name: t.name,
        kind: 'write',
        target: describeTarget(t),
        closed: null,
        fixed: null,
        rssMb: {},
        note: why,
        ...(Number.isFinite(singles[i]) ? { singleMs: singles[i]! } : {}),
      }),
    );
    return;
  }
  sampler.takeWindow();
  const loadOf = (i: number) => ({
    connections: plans[i]!.connections,
    timeoutSec: plans[i]!.timeoutSec,
    signal: abort.signal,
    ...(i === 0 ? { preferWrk } : {}),
  });
  if (plans.every((p) => p.warmup)) {
    await Promise.all(group.map((t, i) => runLoad(t, { ...loadOf(i), durationSec: options.warmupSec })));
  }
  session.checkAborted();
  const closed = await Promise.all(group.map((t, i) => runLoad(t, { ...loadOf(i), durationSec: options.durationSec })));
  session.checkAborted();
  await measurer.settle();
  const nominal = [options.rate, options.writeRate, options.writeRate];
  const fixed = await Promise.all(group.map((t, i) => measurer.fixedRun(t, nominal[i]!, closed[i]!, singles[i]!, plans[i]!.timeoutSec)));
  session.checkAborted();
  const rssMb = rssOfStack(sampler.takeWindow(), 'cached');
  group.forEach((t, i) => {
    rows.push({
      name: t.name,
      kind: 'write',
      target: describeTarget(t),
      closed: closed[i]!,
      fixed: fixed[i]!,
      nominalRate: nominal[i]!,
      nominalConnections: i === 0 ? options.connections : options.writeConnections,
      singleMs: singles[i]!,
      rssMb,
    });
    measurer.describe(t.name, closed[i]!, fixed[i]!, singles[i]!);
  });
}
