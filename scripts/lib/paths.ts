import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's top-level folder. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
