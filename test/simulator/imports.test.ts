/**
 * No import circle inside the simulator (issue 18): type-only imports count too, since a circle of
 * types is still two modules that cannot be read (or moved) one without the other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FOLDER = join(import.meta.dirname, '../../sandbox/sendblue-simulator');
const RELATIVE_IMPORT = /(?:import|export)\s[^'"]*?from\s+'\.\/([\w-]+)\.js'/g;

/** Module -> the sibling modules it imports (values, types and re-exports alike). */
function importGraph(folder: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(join(folder, file), 'utf8');
    const targets = [...source.matchAll(RELATIVE_IMPORT)].map((match) => match[1] as string);
    graph.set(file.replace(/\.ts$/, ''), [...new Set(targets)]);
  }
  return graph;
}

/** Every circle, each once, as the list of modules around it (starting from its smallest name). */
function circles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const visit = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at !== -1) {
        const loop = path.slice(at);
        const start = loop.indexOf([...loop].sort()[0] as string);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        found.set(rotated.join(' -> '), rotated);
      } else if (path.length < graph.size) visit(next, [...path, next]);
    }
  };
  for (const node of graph.keys()) visit(node, [node]);
  return [...found.values()];
}

describe('imports inside sandbox/sendblue-simulator', () => {
  it('finds a circle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['account-webhooks', ['api']],
      ['api', ['webhooks']],
      ['webhooks', ['account-webhooks']],
      ['faults', []],
    ]);
    expect(circles(graph)).toEqual([['account-webhooks', 'api', 'webhooks']]);
  });

  it('has no circle, type-only imports included', () => {
    const graph = importGraph(FOLDER);
    expect(graph.size).toBeGreaterThan(20);
    expect(graph.get('index')).toContain('server');
    expect(circles(graph)).toEqual([]);
  });
});
