// npm run import:stackexchange -- <dump-dir> [--space <slug>] [--site <host>] [--force] [--no-search]
//
// Imports a Stack Exchange data dump (the folder of Posts.xml, Users.xml, …) into a space; see
// server/src/modules/import/se-import.service.ts for what is imported and how. Prints a progress
// line per file (rows/s, ETA) and a summary table. Idempotent: running it again changes nothing;
// an interrupted run resumes where it stopped (completed files are skipped unless --force).
//
// Exit codes: 0 done, 1 import failed (bad XML: "✗ Posts.xml line 1234: …"), 2 usage, 78 bad configuration.
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createDeps } from '../server/src/deps.js';
import { syncIndexes } from '../server/src/infra/mongo.js';
import { DumpFormatError } from '../server/src/modules/import/se-dump.reader.js';
import { importStackExchange, skipReport, type SeProgressEvent } from '../server/src/modules/import/se-import.service.js';
import { createProgress, formatCount, printTable, type Progress } from './lib/progress.js';
import { EXIT_CONFIG, scriptConfig } from './lib/script-config.js';

const USAGE = 'usage: npm run import:stackexchange -- <dump-dir> [--space <slug>] [--site <host>] [--force] [--no-search]';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        space: { type: 'string' },
        site: { type: 'string' },
        force: { type: 'boolean', default: false },
        'no-search': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dir = positionals[0];
  if (!dir || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(`✗ ${dir} is not a folder`);
    return 2;
  }
  if (values.space !== undefined && !/^[a-z0-9][a-z0-9-]{1,39}$/.test(values.space)) {
    console.error('✗ --space must be a slug (lowercase letters, digits and "-")');
    return 2;
  }

  const config = scriptConfig();
  if (!config) return EXIT_CONFIG;
  const deps = await createDeps(config, 'import', { events: 'inline' });
  let bar: Progress | null = null;
  let started = 0;
  const onProgress = (e: SeProgressEvent) => {
    const label = e.file ?? e.step;
    if (e.phase === 'start') {
      bar?.finish();
      started = performance.now();
      bar = e.file
        ? createProgress({ label, total: e.totalBytes, unit: 'bytes' })
        : createProgress({ label, total: e.totalBytes, unit: 'rows' });
      return;
    }
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0.25 ? `, ${formatCount(Math.round(e.rows / seconds))} rows/s` : '';
    const extra = e.file ? `${formatCount(e.rows)} rows${rate}` : undefined;
    if (e.phase === 'progress') bar?.update(e.bytesRead, extra);
    else {
      bar?.update(e.bytesRead, extra);
      bar?.finish(extra);
      bar = null;
    }
  };
  try {
    await syncIndexes();
    const summary = await importStackExchange(deps, dir, {
      space: values.space,
      site: values.site,
      force: values.force,
      search: !values['no-search'],
      log: (line) => process.stderr.write(`${line}\n`),
      onProgress,
    });
    (bar as Progress | null)?.finish();
    console.log(`\nImported ${summary.site} into space "${summary.space.slug}" in ${summary.seconds.toFixed(1)} s\n`);
    printTable(
      summary.steps.map((s) => ({
        file: s.file ?? s.step,
        mode: s.mode,
        'rows read': s.rows,
        imported: s.imported,
        skipped: s.skipped,
        errors: s.errors,
        seconds: Number(s.seconds.toFixed(2)),
        'rows/s': Math.round(s.rowsPerSecond),
      })),
    );
    const c = summary.counts;
    console.log(
      `\n${formatCount(c.questions)} questions, ${formatCount(c.answers)} answers, ${formatCount(c.users)} users, ${formatCount(c.comments)} comments, ` +
        `${formatCount(c.revisions)} revisions, ${formatCount(c.tags)} tags, ${formatCount(c.badges)} badges`,
    );
    console.log(
      `${formatCount(c.follows)} favourites became follows, ${formatCount(c.moderationHistory)} closures, deletions, locks and protections ` +
        'became audit-log entries',
    );
    const skipped = skipReport(summary);
    if (skipped.length) {
      console.log('\nSkipped rows by kind and reason:\n');
      printTable(skipped);
    } else if (summary.steps.some((s) => s.mode === 'write')) console.log('\nNo row was skipped.');
    const errors = summary.steps.reduce((n, s) => n + s.errors, 0);
    if (errors > 0) console.log(`${formatCount(errors)} rows could not be written (see the messages above); run again to retry them.`);
    return 0;
  } catch (error) {
    (bar as Progress | null)?.finish();
    if (error instanceof DumpFormatError) {
      console.error(`\n✗ ${error.message}`);
      console.error('  Every complete row before it was written; fix or replace the file and run the import again to resume.');
      return 1;
    }
    console.error(`\n✗ import failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
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
