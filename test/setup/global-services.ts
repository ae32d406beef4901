// Integration tier: the real FerretDB and Redis of the "test" profile, started (or reused) by
// the same scripts `npm start` uses.
import { MongoClient } from 'mongodb';
import type { TestProject } from 'vitest/node';
import { ensureServices } from '../../scripts/lib/services.js';

export default async function setup(project: TestProject) {
  const urls = await ensureServices('test', () => undefined);
  // databases left by earlier runs (each run and worker has its own; see test/helpers/harness.ts),
  // dropped now, before any worker connects — except those of runs still going
  const client = await MongoClient.connect(urls.mongodbUrl, { serverSelectionTimeoutMS: 10_000 });
  try {
    const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
    for (const { name } of databases) {
      const owner = /^colloquy_test_(\d+)_/.exec(name);
      // another vitest run still going (its process is alive) keeps its databases
      if (owner && alive(Number(owner[1]))) continue;
      if (name.startsWith('colloquy_test_')) await client.db(name).dropDatabase();
    }
  } finally {
    await client.close();
  }
  project.provide('mongodbUrl', urls.mongodbUrl);
  project.provide('redisUrl', urls.redisUrl);
  // mail: the test profile's Mailpit (or SMTP_URL), read by tests through Mailpit's REST API
  project.provide('smtpUrl', urls.smtpUrl);
  project.provide('mailpitUrl', urls.mailpitUrl ?? '');
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongodbUrl: string;
    redisUrl: string;
    smtpUrl: string;
    mailpitUrl: string;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
