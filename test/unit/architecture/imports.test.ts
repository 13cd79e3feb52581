import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildImportGraph,
  checkImportRules,
  findCycles,
  importSpecifiers,
  type ImportEdge,
  type ImportGraph,
} from './import-graph.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** Every source folder of the repository (tests aside: they may reach anything they test). */
const SOURCE_DIRS = ['lambdas', 'lib', 'client', 'cli', 'sandbox', 'bin', 'bench', 'scripts'];

const graphOf = (arrows: Array<[string, string]>): ImportGraph => {
  const edges: ImportEdge[] = arrows.map(([from, to]) => ({ from, to, specifier: to, typeOnly: false }));
  return { files: [...new Set(arrows.flat())].sort(), edges };
};

describe('reading the imports of a file', () => {
  it('finds static, type-only, re-exported, side-effect and dynamic imports, over several lines too', () => {
    const source = [
      "import { a, b } from './plain.js';",
      "import type { T } from '../types.js';",
      "import { type U, type V } from './only-types.js';",
      "import Default, { type W } from './mixed.js';",
      'import {',
      '  longName,',
      '  otherName,',
      "} from './multi-line.js';",
      "export { x } from './re-export.js';",
      "export type { Y } from './re-export-type.js';",
      "export * from './star.js';",
      "import './side-effect.js';",
      "const later = await import('./dynamic.js');",
      "import { readFileSync } from 'node:fs';",
      ' * import { commented } from "./in-a-doc-comment.js";',
      'const text = `await import(process.argv[1])`;',
    ].join('\n');
    expect(importSpecifiers(source)).toEqual([
      { specifier: './plain.js', typeOnly: false },
      { specifier: '../types.js', typeOnly: true },
      { specifier: './only-types.js', typeOnly: true },
      { specifier: './mixed.js', typeOnly: false },
      { specifier: './multi-line.js', typeOnly: false },
      { specifier: 'node:fs', typeOnly: false },
      { specifier: './re-export.js', typeOnly: false },
      { specifier: './re-export-type.js', typeOnly: true },
      { specifier: './star.js', typeOnly: false },
      { specifier: './side-effect.js', typeOnly: false },
      { specifier: './dynamic.js', typeOnly: false },
    ]);
  });
});

describe('the rules, on a made-up graph', () => {
  it('finds each cycle once, as a path back to its start, and none in a tree', () => {
    expect(
      findCycles(
        graphOf([
          ['a', 'b'],
          ['b', 'c'],
          ['a', 'c'],
        ]).edges,
      ),
    ).toEqual([]);
    expect(
      findCycles(
        graphOf([
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'a'],
          ['c', 'd'],
          ['x', 'y'],
          ['y', 'x'],
          ['s', 's'],
        ]).edges,
      ),
    ).toEqual([
      ['a', 'b', 'c', 'a'],
      ['s', 's'],
      ['x', 'y', 'x'],
    ]);
  });

  it('reports arrows back up inside lambdas/, type-only ones too', () => {
    const graph = graphOf([
      ['lambdas/sending/send-attempt.ts', 'lambdas/adapters/table.ts'], // a room needing an adapter
      ['lambdas/contract/items.ts', 'lambdas/media/media-rules.ts'], // the contract needing a room
      ['lambdas/adapters/table.ts', 'lambdas/wiring/lambda-deps.ts'],
      ['lambdas/wiring/sender-deps.ts', 'lambdas/handlers/sender.ts'],
      // Allowed: down, sideways between rooms, and within a layer.
      ['lambdas/handlers/ingest.ts', 'lambdas/wiring/ingest-deps.ts'],
      ['lambdas/wiring/sender-deps.ts', 'lambdas/adapters/table.ts'],
      ['lambdas/adapters/table-pacing.ts', 'lambdas/sending/line-pacing.ts'],
      ['lambdas/backfill/backfill-job.ts', 'lambdas/sending/settle-unknown.ts'],
      ['lambdas/platform/logger.ts', 'lambdas/contract/env.ts'],
    ]);
    graph.edges[1]!.typeOnly = true;
    expect(checkImportRules(graph).map((found) => `${found.rule}: ${found.detail}`)).toEqual([
      'back-arrow: lambdas/sending/send-attempt.ts -> lambdas/adapters/table.ts (sending is below adapters)',
      'back-arrow: lambdas/contract/items.ts -> lambdas/media/media-rules.ts (contract is below media)',
      'back-arrow: lambdas/adapters/table.ts -> lambdas/wiring/lambda-deps.ts (adapters is below wiring)',
      'back-arrow: lambdas/wiring/sender-deps.ts -> lambdas/handlers/sender.ts (wiring is below handlers)',
    ]);
  });

  it('reports lambdas/ reaching outside itself, a folder of no layer, and rooms in a circle', () => {
    const graph = graphOf([
      ['lambdas/wiring/sender-deps.ts', 'lib/defaults.ts'],
      ['lambdas/sending/fifo-group.ts', 'sandbox/config.ts'],
      ['lambdas/util/helpers.ts', 'lambdas/contract/env.ts'],
      ['lambdas/sending/a.ts', 'lambdas/webhooks/b.ts'],
      ['lambdas/webhooks/c.ts', 'lambdas/backfill/d.ts'],
      ['lambdas/backfill/e.ts', 'lambdas/sending/f.ts'],
    ]);
    expect(checkImportRules(graph).map((found) => found.rule)).toEqual([
      'lambdas-outside',
      'lambdas-outside',
      'unknown-layer',
      'room-cycle',
    ]);
    expect(checkImportRules(graph).at(-1)?.detail).toBe('backfill -> sending -> webhooks -> backfill');
  });

  it('reports a client that reaches the sandbox, the stack, the CLI or an adapter', () => {
    const graph = graphOf([
      ['client/target.ts', 'sandbox/config.ts'],
      ['client/index.ts', 'lib/defaults.ts'],
      ['client/events.ts', 'cli/format.ts'],
      ['client/dead-letters.ts', 'lambdas/adapters/sqs-command-queue.ts'],
      // Allowed: the contract, the rooms' plain modules, the platform, its own files.
      ['client/target.ts', 'lambdas/contract/sandbox.ts'],
      ['client/commands.ts', 'lambdas/sending/fifo-group.ts'],
      ['client/reader.ts', 'lambdas/platform/node-sha256.ts'],
      ['client/index.ts', 'client/target.ts'],
    ]);
    expect(checkImportRules(graph)).toEqual([
      { rule: 'client-imports', detail: 'client/target.ts -> sandbox/config.ts' },
      { rule: 'client-imports', detail: 'client/index.ts -> lib/defaults.ts' },
      { rule: 'client-imports', detail: 'client/events.ts -> cli/format.ts' },
      { rule: 'client-imports', detail: 'client/dead-letters.ts -> lambdas/adapters/sqs-command-queue.ts' },
    ]);
  });

  it('excuses a known cycle exactly: the same files pass, a grown cycle fails', () => {
    const known = [['s/a.ts', 's/b.ts']];
    expect(
      checkImportRules(
        graphOf([
          ['s/a.ts', 's/b.ts'],
          ['s/b.ts', 's/a.ts'],
        ]),
        known,
      ),
    ).toEqual([]);
    const grown = graphOf([
      ['s/a.ts', 's/b.ts'],
      ['s/b.ts', 's/c.ts'],
      ['s/c.ts', 's/a.ts'],
    ]);
    expect(checkImportRules(grown, known)).toEqual([{ rule: 'cycle', detail: 's/a.ts -> s/b.ts -> s/c.ts -> s/a.ts' }]);
  });
});

describe('the repository', () => {
  const graph = buildImportGraph(ROOT, SOURCE_DIRS);

  it('is read whole: every source file, and every relative import resolved to a file that exists', () => {
    // A parser that saw nothing would pass every rule: the graph must be the size of the repository.
    expect(graph.files.length).toBeGreaterThan(150);
    expect(graph.edges.length).toBeGreaterThan(500);
    expect(graph.files).toContain('lambdas/sending/command-processor.ts');
    expect(graph.edges.filter((edge) => !existsSync(join(ROOT, edge.to))).map((edge) => edge.specifier)).toEqual([]);
  });

  it('has no import cycle, no arrow back up inside lambdas/, nothing in lambdas/ from outside it, a client free of the sandbox, the stack and the CLI', () => {
    expect(checkImportRules(graph)).toEqual([]);
  });
});
