import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { currentSdl, SCHEMA_FILE } from '../../scripts/generate-schema.js';

describe('schema/schema.graphql', () => {
  it('is the SDL of the Pothos schema (run `npm run schema:generate` when this fails)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(currentSdl());
  });

  it('names the partner contract of docs/api.md', () => {
    const sdl = currentSdl();
    for (const name of [
      'viewer',
      'node(',
      'nodes(',
      'user(',
      'space(',
      'spaces(',
      'tag(',
      'tags(',
      'question(',
      'questions(',
      'signUp(',
      'signIn(',
      'signOut(',
      'updateProfile(',
      'createApiToken(',
      'revokeApiToken(',
      'askQuestion(',
      'updateQuestion(',
      'deleteQuestion(',
      'postAnswer(',
      'updateAnswer(',
      'deleteAnswer(',
      'addComment(',
      'updateComment(',
      'deleteComment(',
      'rollbackRevision(',
      'vote(',
      'acceptAnswer(',
      'unacceptAnswer(',
      'verifyAnswer(',
      'unverifyAnswer(',
      'closeQuestion(',
      'reopenQuestion(',
    ]) {
      expect(sdl, name).toContain(`  ${name}`);
    }
    expect(sdl).toMatch(/interface Error \{\n\s+code: ErrorCode!\n\s+message: String!\n\}/);
  });
});
