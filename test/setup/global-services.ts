// Integration tier: the real FerretDB and Redis of the "test" profile, started (or reused) by
// the same scripts `npm start` uses.
import type { TestProject } from 'vitest/node';
import { ensureServices } from '../../scripts/lib/services.js';

export default async function setup(project: TestProject) {
  const urls = await ensureServices('test', () => undefined);
  project.provide('mongodbUrl', urls.mongodbUrl);
  project.provide('redisUrl', urls.redisUrl);
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongodbUrl: string;
    redisUrl: string;
  }
}
