// Validates every GraphQL document written with the `graphql()` tag in src/**/*.ts against the
// committed schema (../schema/schema.graphql): unknown fields, wrong arguments and type mismatches
// fail `npm run check` instead of silently typing as `{}`.
// Documents live in .ts files only (server loads and actions), so no Svelte parsing is needed.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate, Kind, visit } from 'graphql';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemaPath = process.env.SCHEMA_PATH ?? join(root, '..', 'schema', 'schema.graphql');
const schema = buildSchema(readFileSync(schemaPath, 'utf8'));

const TAG = /\bgraphql\(\s*`([^`]*)`/g;

/** @type {{ file: string; line: number; source: string; doc: import('graphql').DocumentNode }[]} */
const documents = [];
/** @type {Map<string, import('graphql').FragmentDefinitionNode>} */
const fragments = new Map();
let failures = 0;

const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => join(root, 'src', f));

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(TAG)) {
    const source = match[1] ?? '';
    const line = text.slice(0, match.index).split('\n').length;
    if (source.includes('${')) {
      console.error(`${relative(root, file)}:${line}: interpolation in a graphql() document; pass fragments as the second argument`);
      failures++;
      continue;
    }
    try {
      const doc = parse(source);
      for (const def of doc.definitions) {
        if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
      }
      documents.push({ file, line, source, doc });
    } catch (error) {
      console.error(`${relative(root, file)}:${line}: ${error instanceof Error ? error.message : String(error)}`);
      failures++;
    }
  }
}

/** Adds the fragment definitions a document spreads (transitively) so it validates on its own. */
function withFragments(doc) {
  const own = new Set(doc.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => d.name.value));
  const needed = new Map();
  const queue = [doc];
  while (queue.length) {
    const node = queue.pop();
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        if (own.has(name) || needed.has(name)) return;
        const fragment = fragments.get(name);
        if (fragment) {
          needed.set(name, fragment);
          queue.push(fragment);
        }
      },
    });
  }
  return { ...doc, definitions: [...doc.definitions, ...needed.values()] };
}

for (const { file, line, doc } of documents) {
  const isFragmentOnly = doc.definitions.every((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  // `@_unmask` is a gql.tada client-side directive, not part of the schema.
  const full = visit(withFragments(doc), { Directive: (d) => (d.name.value === '_unmask' ? null : undefined) });
  const errors = validate(schema, full).filter(
    // A fragment defined for reuse is "unused" within its own document; that is expected.
    (e) => !(isFragmentOnly && /is never used/.test(e.message)),
  );
  for (const error of errors) {
    const at = error.locations?.[0];
    console.error(`${relative(root, file)}:${line + (at ? at.line - 1 : 0)}: ${error.message}`);
    failures++;
  }
}

if (failures > 0) {
  console.error(`\n${failures} GraphQL document problem(s) against ${relative(root, schemaPath)}`);
  process.exit(1);
}
console.log(`✓ ${documents.length} GraphQL documents valid against ${relative(root, schemaPath)}`);
