/**
 * The docs hold together: README.md and docs/ have no broken relative link (file or #anchor, by
 * GitHub's slug rules) and none out of the repository, the paths they name exist, every citation
 * in the code points at a file and heading that exist (never DESIGN.md, which is not in the
 * repository), and the README stays a front door (at most 300 lines). The checker is
 * doc-links.ts; the synthetic cases below show that each check can fail.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SANDBOX_CONFIG, PORT_ENV_VARS } from '../../../sandbox/config.js';
import { SANDBOX_PORTS } from '../../../lambdas/contract/sandbox.js';
import {
  anchorsOf,
  checkCitations,
  checkMarkdownLinks,
  checkNamedPaths,
  checkReadmeLength,
  checkTables,
  githubSlug,
  linksOf,
} from './doc-links.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SKIP_DIRS = new Set(['node_modules', '.git', 'cdk.out', 'coverage']);
/** Where the code cites docs (the brief's list; bench and test included). */
const SOURCE_DIRS = ['lambdas', 'lib', 'client', 'cli', 'sandbox', 'bin', 'bench', 'test'];
/** This folder is left out of the citation scan: its synthetic cases cite missing files on purpose. */
const CHECKER_DIR = 'test/unit/docs/';

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (absolute: string) => {
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      if (SKIP_DIRS.has(entry.name)) continue;
      const path = join(absolute, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (keep(path)) found.push(relative(ROOT, path).split(sep).join('/'));
    }
  };
  if (existsSync(join(ROOT, dir))) walk(join(ROOT, dir));
  return found;
}

const read = (paths: string[]) => new Map(paths.map((path) => [path, readFileSync(join(ROOT, path), 'utf8')]));
const exists = (repoPath: string) => existsSync(join(ROOT, repoPath));
/** Every Markdown file of the repository: README.md, docs/, and the READMEs beside code (schemas/, the simulator). */
const markdown = read(filesUnder('.', (path) => path.endsWith('.md')));

describe('the repository docs', () => {
  it('has README.md and the docs/ pages the README maps', () => {
    expect(markdown.has('README.md')).toBe(true);
    expect(markdown.has('docs/contract.md')).toBe(true);
    expect(markdown.size).toBeGreaterThan(10);
  });

  it('has no broken relative link in README.md or docs/, and none out of the repository', () => {
    expect(checkMarkdownLinks(markdown, exists)).toEqual([]);
  });

  it('names only repository paths that exist', () => {
    expect(checkNamedPaths(markdown, exists)).toEqual([]);
  });

  it('has every citation in the code point at a file and heading in the repository', () => {
    const sources = read(
      SOURCE_DIRS.flatMap((dir) =>
        filesUnder(dir, (path) => path.endsWith('.ts')).filter((path) => !path.startsWith(CHECKER_DIR)),
      ),
    );
    expect(sources.size).toBeGreaterThan(100);
    expect(checkCitations(sources, markdown)).toEqual([]);
  });

  it('has every Markdown table whole: no row cut off from its table, no row wider than its header', () => {
    expect(checkTables(markdown)).toEqual([]);
  });

  it("gives the sandbox's own defaults (docs/contract.md §6): ports in the shell lines (VAR:-N) and the settings tables", () => {
    const portOf = Object.fromEntries(
      Object.entries(PORT_ENV_VARS).map(([key, name]) => [name, SANDBOX_PORTS[key as keyof typeof SANDBOX_PORTS]]),
    ) as Record<string, number>;
    const expected: Record<string, string> = {
      ...Object.fromEntries(Object.entries(portOf).map(([name, port]) => [name, String(port)])),
      'SENDBLUE_API_KEY_ID, SENDBLUE_API_SECRET_KEY': `${DEFAULT_SANDBOX_CONFIG.apiKeyId}, ${DEFAULT_SANDBOX_CONFIG.apiSecretKey}`,
      SENDBLUE_FROM_NUMBER: DEFAULT_SANDBOX_CONFIG.fromNumber,
      SENDBLUE_WEBHOOK_SECRET: DEFAULT_SANDBOX_CONFIG.webhookSecret,
    };
    const found: string[] = [];
    for (const [path, text] of markdown) {
      for (const [, name, port] of text.matchAll(/\$\{(SANDBOX_[A-Z_]+):-([^}]*)\}/g)) {
        found.push(name!);
        expect(port, `${path}: \${${name}:-…}`).toBe(String(portOf[name!]));
      }
      // `| \`SANDBOX_PORT\` | 3000 | ...` rows of the settings tables (contract.md, sandbox.md).
      for (const [, names, value] of text.matchAll(/^\| ((?:`[A-Z_]+`(?:, )?)+) +\| ([^|]+?) +\|/gm)) {
        const key = names!.replace(/`/g, '');
        if (!(key in expected)) continue;
        found.push(key);
        expect(value!.replace(/`/g, ''), `${path}: ${key}`).toBe(expected[key]);
      }
    }
    expect(found).toEqual(expect.arrayContaining(Object.keys(expected)));
  });

  it('keeps the README at most 300 lines', () => {
    expect(checkReadmeLength(markdown.get('README.md')!)).toEqual([]);
  });

  it('is run by npm run test:unit (vitest.unit.config.ts includes test/unit/)', () => {
    expect(readFileSync(join(ROOT, 'vitest.unit.config.ts'), 'utf8')).toContain("'test/unit/**/*.test.ts'");
  });
});

describe('the checker', () => {
  it("makes GitHub's anchors", () => {
    expect(githubSlug('Per-line pacing: a busy line delays, it never fails')).toBe(
      'per-line-pacing-a-busy-line-delays-it-never-fails',
    );
    expect(githubSlug("What `setup` relies on in Sendblue's webhook API")).toBe(
      'what-setup-relies-on-in-sendblues-webhook-api',
    );
    expect(githubSlug('5. Commands (the SQS message body, JSON)')).toBe('5-commands-the-sqs-message-body-json');
    expect(githubSlug('§3 extensions')).toBe('3-extensions');
    expect(githubSlug('send_group_message **now** [here](x.md)')).toBe('send_group_message-now-here');
    expect(githubSlug('Café  déjà vu')).toBe('café--déjà-vu');
    expect([...anchorsOf('# Cost\n\n## Cost\n\n```\n# not a heading\n```\n## Cost\n<a id="custom"></a>')]).toEqual([
      'cost',
      'cost-1',
      'cost-2',
      'custom',
    ]);
  });

  it('reads links outside code only', () => {
    const page = 'See [a](a.md) and `[b](b.md)`.\n```\n[c](c.md)\n```\n![img](pic.png "title")\n[ref]: ref.md';
    expect(linksOf(page)).toEqual([
      { line: 1, target: 'a.md' },
      { line: 5, target: 'pic.png' },
      { line: 6, target: 'ref.md' },
    ]);
  });

  it('finds every kind of broken link, and passes good ones', () => {
    const files = new Map([
      [
        'README.md',
        [
          '# Title',
          '[ok](docs/a.md) [ok](docs/a.md#the-part) [ok](#title) [ok](lib/x.ts) [ok](https://example.com/#nope)',
          '[missing](docs/gone.md) [bad anchor](docs/a.md#no-such-part) [outside](../shared/DESIGN.md)',
          '[self](#nope) [anchor in code](lib/x.ts#L3)',
        ].join('\n'),
      ],
      ['docs/a.md', '# A\n\n## The part\n\n[up](../README.md#title) [up, wrong](../README.md#titel)'],
    ]);
    const onDisk = (path: string) => path === 'lib/x.ts';
    expect(checkMarkdownLinks(files, onDisk)).toEqual([
      'README.md:3: docs/gone.md: docs/gone.md does not exist',
      'README.md:3: docs/a.md#no-such-part: docs/a.md has no heading with the anchor #no-such-part',
      'README.md:3: ../shared/DESIGN.md: points outside the repository',
      'README.md:4: #nope: README.md has no heading with the anchor #nope',
      'README.md:4: lib/x.ts#L3: #L3 needs a Markdown page, and lib/x.ts is not one',
      'docs/a.md:5: ../README.md#titel: README.md has no heading with the anchor #titel',
    ]);
  });

  it('finds table rows cut off from their table, and rows with the wrong number of cells', () => {
    const page = [
      '| role | rights |',
      '| ---- | ------ |',
      '| ingest | `PutItem` |',
      '| sender | `Query` \\| `GetItem` |',
      '',
      'A paragraph that ends the table.',
      '| backfill | `BatchGetItem` |',
      '',
      '```',
      '| in a code block | fine |',
      '```',
      '| a | b |',
      '| --- |',
      '| 1 | 2 | 3 |',
      '- a list',
      '',
      '  | in a list | ok |',
      '  | --------- | -- |',
      '  | yes       | `a` |',
    ].join('\n');
    expect(checkTables(new Map([['docs/a.md', page]]))).toEqual([
      'docs/a.md:7: a table row outside any table (a blank line or text between it and its table ends the table): | backfill | `BatchGetItem` |',
      'docs/a.md:13: a delimiter row of 1 cells under a header of 2',
      'docs/a.md:14: a row of 3 cells in a table of 2 columns (an unescaped | in a cell?)',
    ]);
  });

  it('finds backticked paths that do not exist', () => {
    const files = new Map([['docs/a.md', 'In `lib/x.ts` and `lib/gone.ts`, not `media/<id>` nor `npm test`.']]);
    expect(checkNamedPaths(files, (path) => path === 'lib/x.ts')).toEqual([
      'docs/a.md:1: names lib/gone.ts, which does not exist in the repository',
    ]);
  });

  it('finds citations of files, headings and sections that do not exist', () => {
    const docs = new Map([
      ['README.md', '# Title\n\n## Prerequisites\n'],
      ['docs/contract.md', '# Contract\n\n## 5. Commands\n'],
      ['docs/sending.md', '# Sending\n\n## Exactly once\n'],
    ]);
    const sources = new Map([
      [
        'lib/good.ts',
        [
          '// docs/contract.md §5, docs/sending.md "Exactly once", docs/sending.md, README "Prerequisites"',
          "const x = 'README.md';",
        ].join('\n'),
      ],
      [
        'lib/bad.ts',
        [
          '/** (DESIGN.md §5) and (DESIGN §7) */',
          '// README "Operations", docs/gone.md, docs/sending.md "Exactly twice", docs/contract.md §9',
          '// sendblue-api.md',
        ].join('\n'),
      ],
    ]);
    expect(checkCitations(sources, docs)).toEqual([
      'lib/bad.ts:1: cites DESIGN.md, which is not in the repository (cite docs/contract.md §N)',
      'lib/bad.ts:2: cites README "Operations", which is not a heading of README.md',
      'lib/bad.ts:2: cites docs/gone.md, which is not a Markdown file in this repository',
      'lib/bad.ts:2: cites docs/sending.md "Exactly twice", which is not a heading there',
      'lib/bad.ts:2: cites docs/contract.md §9, which has no heading "9. ..."',
      'lib/bad.ts:3: cites sendblue-api.md, which is not a Markdown file in this repository',
    ]);
  });

  it('counts the README lines', () => {
    expect(checkReadmeLength('line\n'.repeat(300))).toEqual([]);
    expect(checkReadmeLength('line\n'.repeat(301))).toEqual([
      'README.md has 301 lines; at most 300 (move the rest to docs/)',
    ]);
  });
});
