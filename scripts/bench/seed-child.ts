// Seeding step of the benchmark, run as a child process (tsx) so that it reads its configuration
// from the environment exactly like the api:
//   tsx scripts/bench/seed-child.ts import <dump-dir> <summary.json>   Stack Exchange dump
//   tsx scripts/bench/seed-child.ts synthetic <members> <questions> <seed> <summary.json>
//                                                                      the synthetic generator
//   tsx scripts/bench/seed-child.ts demo <summary.json>                the demo community
//   tsx scripts/bench/seed-child.ts listings <summary.json>            rebuilds the question
//                                                                      listings unless ready
//   tsx scripts/bench/seed-child.ts threads <10,20,30> <summary.json>  a question per count with
//                                                                      that many answers × 2
//                                                                      comments (budget-fixture.ts)
// Progress goes to stderr; a JSON summary {seconds, …} is written to the summary file.
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../server/src/config.js';
import { createDeps } from '../../server/src/deps.js';
import { syncIndexes } from '../../server/src/infra/mongo.js';
import { importStackExchange, type SeProgressEvent } from '../../server/src/modules/import/se-import.service.js';
import { seedDemo } from '../../server/src/modules/seed/demo.seed.js';
import { generateSynthetic } from '../../server/src/modules/seed/synthetic.js';
import { createQuestionThread } from '../budget-fixture.js';
import { createProgress, type Progress } from '../lib/progress.js';

/** comments on each answer of the bench's question threads (as the budget fixture) */
const THREAD_COMMENTS = 2;

async function main() {
  const [mode, ...rest] = process.argv.slice(2);
  const config = loadConfig();
  const deps = await createDeps(config, 'bench-seed', { events: 'inline' });
  const log = (line: string) => process.stderr.write(`  ${line}\n`);
  try {
    await syncIndexes();
    const started = performance.now();
    if (mode === 'import') {
      const [dir, out] = rest as [string, string];
      let bar: Progress | undefined;
      const onProgress = (e: SeProgressEvent) => {
        if (e.phase === 'start') {
          bar?.finish();
          const unit = e.file ? 'bytes' : 'rows';
          bar = createProgress({ label: `  ${e.file ?? e.step}`, total: e.totalBytes, unit });
        } else if (e.phase === 'progress') {
          bar?.update(e.bytesRead, `${e.rows.toLocaleString('en-US')} rows`);
        } else {
          bar?.update(e.bytesRead, `${e.rows.toLocaleString('en-US')} rows`);
          bar?.finish();
          bar = undefined;
        }
      };
      const summary = await importStackExchange(deps, dir, { space: 'ai', log, onProgress });
      bar?.finish();
      writeFileSync(out, JSON.stringify({ seconds: (performance.now() - started) / 1000, summary }));
    } else if (mode === 'synthetic') {
      const [members, questions, seed, out] = rest as [string, string, string, string];
      const bar = createProgress({ label: '  synthetic questions', total: Number(questions), unit: 'rows' });
      const summary = await generateSynthetic(deps, {
        members: Number(members),
        questions: Number(questions),
        seed: Number(seed),
        log,
        onProgress: (done, documents) => bar.update(done, `${documents.toLocaleString('en-US')} documents`),
      });
      bar.finish(`${summary.documents.toLocaleString('en-US')} documents`);
      writeFileSync(out, JSON.stringify({ seconds: (performance.now() - started) / 1000, summary }));
    } else if (mode === 'demo') {
      const [out] = rest as [string];
      await seedDemo(deps, log);
      writeFileSync(out, JSON.stringify({ seconds: (performance.now() - started) / 1000 }));
    } else if (mode === 'listings') {
      const [out] = rest as [string];
      const listings = deps.services.listings;
      let questions = 0;
      if (listings.enabled && !(await listings.isReady())) {
        const bar = createProgress({ label: '  question listings', total: 0, unit: 'rows' });
        questions = (await listings.rebuild((done) => bar.update(done))).questions;
        bar.finish(`${questions.toLocaleString('en-US')} questions`);
      }
      writeFileSync(out, JSON.stringify({ seconds: (performance.now() - started) / 1000, questions }));
    } else if (mode === 'threads') {
      const [counts, out] = rest as [string, string];
      const threads: Array<{ answers: number; comments: number; id: string }> = [];
      for (const answers of counts.split(',').map(Number)) {
        const id = await createQuestionThread(deps, { answers, commentsPerAnswer: THREAD_COMMENTS });
        threads.push({ answers, comments: THREAD_COMMENTS, id });
        log(`question ${id}: ${answers} answers × ${THREAD_COMMENTS} comments`);
      }
      writeFileSync(out, JSON.stringify({ seconds: (performance.now() - started) / 1000, threads }));
    } else {
      throw new Error(`unknown mode ${mode ?? '(none)'}`);
    }
  } finally {
    await deps.close();
  }
}

main().catch((error) => {
  console.error(`bench seeding failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
