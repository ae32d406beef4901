// npm run seed:synthetic -- --members N --questions N [--seed S] [--space slug] [--no-search]
//
// Generates a synthetic community (see server/src/modules/seed/synthetic.ts for the
// distributions and the consistency guarantees): deterministic per seed, written with bulk
// inserts, with a progress line (questions, documents/s, ETA) and a summary at the end.
// Running it again with the same parameters writes nothing new.
//
// Exit codes: 0 done, 1 failed, 2 usage, 78 bad configuration.
import { parseArgs } from 'node:util';
import { createDeps } from '../server/src/deps.js';
import { syncIndexes } from '../server/src/infra/mongo.js';
import { rebuildRollupsAndRanking } from '../server/src/modules/post/post.rollups.js';
import { generateSynthetic } from '../server/src/modules/seed/synthetic.js';
import { createProgress, formatCount, printTable } from './lib/progress.js';
import { EXIT_CONFIG, scriptConfig } from './lib/script-config.js';

const USAGE = 'usage: npm run seed:synthetic -- --members <n> --questions <n> [--seed <n>] [--space <slug>] [--no-search]';

function count(value: string | undefined, name: string, min: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min || n > 100_000_000)
    throw new Error(`--${name} must be an integer of at least ${min}`);
  return n;
}

async function main(): Promise<number> {
  let members: number;
  let questions: number;
  let seed: number;
  let space: string;
  let search: boolean;
  try {
    const { values } = parseArgs({
      options: {
        members: { type: 'string' },
        questions: { type: 'string' },
        seed: { type: 'string', default: '1' },
        space: { type: 'string', default: 'synthetic' },
        'no-search': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    members = count(values.members, 'members', 1);
    questions = count(values.questions, 'questions', 0);
    seed = count(values.seed, 'seed', 0);
    space = values.space;
    search = !values['no-search'];
    if (!/^[a-z0-9][a-z0-9-]{1,39}$/.test(space)) throw new Error('--space must be a slug (lowercase letters, digits and "-")');
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }

  const config = scriptConfig();
  if (!config) return EXIT_CONFIG;
  const deps = await createDeps(config, 'seed-synthetic', { events: 'inline' });
  const progress = createProgress({ label: 'questions', total: questions, unit: 'rows' });
  const started = performance.now();
  try {
    await syncIndexes();
    const summary = await generateSynthetic(deps, {
      members,
      questions,
      seed,
      space,
      search,
      log: () => undefined,
      onProgress: (done, documents) => {
        const seconds = (performance.now() - started) / 1000;
        progress.update(
          done,
          `${formatCount(documents)} documents${seconds > 0.25 ? `, ${formatCount(Math.round(documents / seconds))} documents/s` : ''}`,
        );
      },
    });
    progress.finish(`${formatCount(summary.documents)} documents`);
    // members by reputation and handle, and the tag and member statistics (the generator rebuilt the listings)
    const rollups = await rebuildRollupsAndRanking(deps);
    console.log(`\nSynthetic community "${summary.space.slug}" (seed ${summary.seed}) in ${summary.seconds.toFixed(1)} s\n`);
    printTable([
      { what: 'members', count: summary.members },
      { what: 'questions', count: summary.questions },
      { what: 'answers', count: summary.answers },
      { what: 'comments', count: summary.comments },
      { what: 'votes', count: summary.votes },
      { what: 'revisions', count: summary.revisions },
      { what: 'accepted answers', count: summary.accepted },
      { what: 'closed questions', count: summary.closed },
      { what: 'tags', count: summary.tags },
      { what: 'reputation events', count: summary.reputationEvents },
      { what: 'tag and member statistics', count: rollups.tags + rollups.users },
      { what: 'documents written', count: summary.documents },
      { what: '  of which already there', count: summary.existing },
    ]);
    console.log(
      `\n${formatCount(Math.round(summary.documentsPerSecond))} documents/s (writing)` +
        (search ? `; search indexing ${summary.searchSeconds.toFixed(1)} s` : '; search not indexed (--no-search)'),
    );
    return 0;
  } catch (error) {
    progress.finish();
    console.error(`✗ synthetic seeding failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await deps.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
