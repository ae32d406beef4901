// The /developers pages are generated from the sources (web/src/routes/developers/reference.ts):
// check that what they extract is what the server really uses — the schema's root fields, the
// activity stream's event types, the cost model's constants — and that the web's scope list is
// the server's.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGE_SIZE, DEFAULT_PAGE_SIZES, MAX_NODE_IDS, MAX_PAGE_SIZE, NODES_PER_POINT } from '../../server/src/graphql/cost.js';
import { TOKEN_SCOPES } from '../../server/src/lib/scopes.js';
import { ACTIVITY_TYPES } from '../../server/src/modules/activity/activity.js';
import { API_SCOPES } from '../../web/src/lib/api-scopes.js';
import { costModel, schemaReference, webhookEvents } from '../../web/src/routes/developers/reference.js';

const read = (path: string) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');

describe('/developers facts', () => {
  it('lists every query and mutation of schema/schema.graphql with its description, and every type once', () => {
    const sdl = read('schema/schema.graphql');
    const ref = schemaReference(sdl);
    const questions = ref.queries.find((f) => f.name === 'questions');
    expect(questions?.args.map((a) => a.name)).toEqual(expect.arrayContaining(['first', 'after']));
    expect(ref.mutations.find((f) => f.name === 'createApiToken')?.typeName).toBe('CreateApiTokenPayload');
    const scopeEnum = ref.types.find((t) => t.name === 'ApiTokenScope');
    expect(scopeEnum?.values.find((v) => v.name === 'WRITE')?.deprecated).toMatch(/write:\*/);
    expect(scopeEnum?.values.find((v) => v.name === 'WRITE_ANSWERS')?.description).toContain('write:answers');
    const names = ref.types.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain('Query');
    expect(names).not.toContain('String');
    // every root field of the SDL is there
    const roots = [...sdl.matchAll(/^type (Query|Mutation) \{([\s\S]*?)^\}/gm)].flatMap((m) =>
      [...m[2]!.matchAll(/^ {2}(\w+)[(:]/gm)].map((f) => f[1]),
    );
    expect([...ref.queries, ...ref.mutations].map((f) => f.name).sort()).toEqual(roots.sort());
  });

  it('the webhook events are the activity stream’s types', () => {
    expect(webhookEvents(read('server/src/modules/activity/activity.ts'))).toEqual([...ACTIVITY_TYPES]);
  });

  it('the cost model constants are cost.ts’s', () => {
    expect(costModel(read('server/src/graphql/cost.ts'))).toEqual({
      nodesPerPoint: NODES_PER_POINT,
      maxPageSize: MAX_PAGE_SIZE,
      maxNodeIds: MAX_NODE_IDS,
      defaultPageSize: DEFAULT_PAGE_SIZE,
      defaultPageSizes: Object.entries(DEFAULT_PAGE_SIZES).map(([field, size]) => ({ field, size })),
    });
  });

  it('the web’s scope list is the server’s', () => {
    expect(API_SCOPES.map((s) => s.name)).toEqual([...TOKEN_SCOPES]);
    expect(API_SCOPES.map((s) => s.value)).toEqual(TOKEN_SCOPES.map((s) => s.toUpperCase().replace(':', '_')));
  });
});
