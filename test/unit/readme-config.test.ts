// The README's configuration tables and .env.example list exactly the same variables, section by
// section, with the same defaults. Needs no services.
//
// .env.example (its header states the format):
//   # ── <section> ──        a section
//   # <description …>        comment lines stating "Default: <default>" or "Default: unset"
//   # NAME=<default>         the default; nothing after "=" when the default is unset
// README.md, under "## Configuration":
//   ### <section>            the same sections, in the same order
//   | `NAME` | `<default>` | <meaning> |     or "unset" in the default column
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Variable {
  name: string;
  /** the default as written (`unset` when there is none) */
  default: string;
}

interface Section {
  title: string;
  variables: Variable[];
}

const UNSET = 'unset';
const SECTION_LINE = /^# ── (.+?) ─+$/;
const ASSIGNMENT = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/;

/** Sections of an .env.example text, each with its variables and the comment above each. */
function parseEnvExample(text: string): Array<Section & { comments: Map<string, string> }> {
  const sections: Array<Section & { comments: Map<string, string> }> = [];
  let comment: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const section = SECTION_LINE.exec(line);
    if (section) {
      sections.push({ title: section[1]!.trim(), variables: [], comments: new Map() });
      comment = [];
      continue;
    }
    const assignment = ASSIGNMENT.exec(line);
    if (assignment) {
      const current = sections.at(-1);
      if (!current) throw new Error(`.env.example: ${assignment[1]} comes before the first "# ── section ──" line`);
      const name = assignment[1]!;
      const value = assignment[2]!.trim();
      current.variables.push({ name, default: value === '' ? UNSET : value });
      current.comments.set(name, comment.join(' '));
      comment = [];
      continue;
    }
    comment = line.startsWith('#') ? [...comment, line.replace(/^#\s?/, '')] : [];
  }
  return sections;
}

/** The tables under the README's "## Configuration", one per "### <section>". */
function parseReadmeConfiguration(text: string): Section[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^## Configuration\s*$/.test(l));
  if (start < 0) throw new Error('README.md has no "## Configuration" section');
  const sections: Section[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^## /.test(line)) break;
    const heading = /^### (.+?)\s*$/.exec(line);
    if (heading) {
      sections.push({ title: heading[1]!, variables: [] });
      continue;
    }
    if (!line.startsWith('|')) continue;
    const cells = line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split('|')
      .map((c) => c.trim());
    if (cells[0] === 'Variable' || cells.every((c) => /^:?-+:?$/.test(c))) continue; // header, separator
    const current = sections.at(-1);
    if (!current) throw new Error(`README.md: a configuration table row before the first "### section": ${line}`);
    const name = /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[0] ?? '');
    if (!name) throw new Error(`README.md: the first cell must be one \`VARIABLE\`: ${line}`);
    const value = /^`([^`]+)`$/.exec(cells[1] ?? '');
    if (!value && cells[1] !== UNSET) throw new Error(`README.md: the default of ${name[1]} must be \`value\` or ${UNSET}: ${line}`);
    current.variables.push({ name: name[1]!, default: value ? value[1]! : UNSET });
  }
  return sections;
}

/** Human-readable differences between two lists of sections (empty when they agree). */
function differences(readme: Section[], envExample: Section[]): string[] {
  const out: string[] = [];
  const titles = (s: Section[]) => s.map((x) => x.title);
  if (titles(readme).join('\n') !== titles(envExample).join('\n')) {
    out.push(`sections differ: README ${JSON.stringify(titles(readme))}, .env.example ${JSON.stringify(titles(envExample))}`);
  }
  for (const env of envExample) {
    const doc = readme.find((s) => s.title === env.title);
    if (!doc) continue;
    for (const [where, section] of [
      ['README.md', doc],
      ['.env.example', env],
    ] as const) {
      const seen = new Set<string>();
      for (const v of section.variables) {
        if (seen.has(v.name)) out.push(`${where} lists ${v.name} twice under "${env.title}"`);
        seen.add(v.name);
      }
    }
    const inReadme = new Map(doc.variables.map((v) => [v.name, v.default]));
    const inEnv = new Map(env.variables.map((v) => [v.name, v.default]));
    for (const [name, value] of inEnv) {
      if (!inReadme.has(name)) out.push(`${name} (${env.title}) is in .env.example but not in the README's table`);
      else if (inReadme.get(name) !== value)
        out.push(`${name} (${env.title}): default ${value} in .env.example, ${inReadme.get(name)} in the README`);
    }
    for (const name of inReadme.keys()) {
      if (!inEnv.has(name)) out.push(`${name} (${env.title}) is in the README's table but not in .env.example`);
    }
  }
  return out;
}

/** Whether a comment says "Default: <value>" (the value ends there, or before . , ; or a space). */
function statesDefault(comment: string, value: string): boolean {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|\\s)Default: ${escaped}(?=[.,;]?(\\s|$))`).test(comment);
}

const readme = parseReadmeConfiguration(readFileSync(join(root, 'README.md'), 'utf8'));
const envExample = parseEnvExample(readFileSync(join(root, '.env.example'), 'utf8'));

describe("README's configuration tables and .env.example", () => {
  it('parse into sections with variables', () => {
    expect(envExample.length).toBeGreaterThan(0);
    expect(readme.length).toBeGreaterThan(0);
    for (const s of [...envExample, ...readme]) expect(s.variables.length, `section "${s.title}"`).toBeGreaterThan(0);
  });

  it('list exactly the same variables, section by section, with the same defaults', () => {
    expect(differences(readme, envExample)).toEqual([]);
  });

  it('.env.example states in each comment the default its line shows', () => {
    for (const section of envExample) {
      for (const v of section.variables) {
        const comment = section.comments.get(v.name) ?? '';
        expect(statesDefault(comment, v.default), `${v.name} (${section.title}): its comment must say "Default: ${v.default}"`).toBe(true);
      }
    }
  });
});

describe('the comparison', () => {
  const base: Section[] = [{ title: 'api', variables: [{ name: 'PORT', default: '4000' }] }];

  it('reports a variable missing on either side, and a different default', () => {
    const more: Section[] = [{ title: 'api', variables: [...base[0]!.variables, { name: 'EXTRA', default: UNSET }] }];
    expect(differences(base, more)).toEqual(["EXTRA (api) is in .env.example but not in the README's table"]);
    expect(differences(more, base)).toEqual(["EXTRA (api) is in the README's table but not in .env.example"]);
    expect(differences(base, [{ title: 'api', variables: [{ name: 'PORT', default: '4001' }] }])).toEqual([
      'PORT (api): default 4001 in .env.example, 4000 in the README',
    ]);
  });

  it('keeps one name apart in two sections', () => {
    const two: Section[] = [...base, { title: 'web', variables: [{ name: 'PORT', default: '3000' }] }];
    expect(differences(two, two)).toEqual([]);
    expect(differences(base, two)).toContain('sections differ: README ["api"], .env.example ["api","web"]');
  });

  it('finds the default stated in a comment', () => {
    expect(statesDefault('Prefix of keys. Default: colloquy:', 'colloquy:')).toBe(true);
    expect(statesDefault('Default: development (docker-compose.yml: production).', 'development')).toBe(true);
    expect(statesDefault('Default: 4000.', '400')).toBe(false);
    expect(statesDefault('Default: unset, which selects the embedded engine.', UNSET)).toBe(true);
  });

  it('reads both formats', () => {
    const env = parseEnvExample(
      ['# header', '# ── api ──────', '# The port. Default: 4000.', '# PORT=4000', '', '# A key. Default: unset.', '# KEY='].join('\n'),
    );
    expect(env).toEqual([
      {
        title: 'api',
        variables: [
          { name: 'PORT', default: '4000' },
          { name: 'KEY', default: UNSET },
        ],
        comments: new Map([
          ['PORT', 'The port. Default: 4000.'],
          ['KEY', 'A key. Default: unset.'],
        ]),
      },
    ]);
    const doc = parseReadmeConfiguration(
      [
        '## Configuration',
        '### api',
        '| Variable | Default | Meaning |',
        '| --- | --- | --- |',
        '| `PORT` | `4000` | the port |',
        '| `KEY` | unset | a key |',
        '## Next',
        '| `IGNORED` | `1` | after the section |',
      ].join('\n'),
    );
    expect(doc).toEqual([
      {
        title: 'api',
        variables: [
          { name: 'PORT', default: '4000' },
          { name: 'KEY', default: UNSET },
        ],
      },
    ]);
  });
});
