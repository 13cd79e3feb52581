import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

/**
 * The repository's import graph and the rules it must keep (issue 18): no cycle anywhere, no arrow
 * back up inside `lambdas/`, nothing in `lambdas/` reaching outside it, and a client that imports
 * no sandbox, stack or CLI code. Plain functions over a plain graph, so the rules are tested on a
 * made-up graph (they can fail) before they are run on the repository.
 */

/** One import: `from` and `to` are repository-relative paths with `/`; `typeOnly` counts all the same. */
export interface ImportEdge {
  from: string;
  to: string;
  specifier: string;
  typeOnly: boolean;
}

export interface ImportGraph {
  files: string[];
  edges: ImportEdge[];
}

export interface Specifier {
  specifier: string;
  typeOnly: boolean;
}

// Statements start a line; the first `from '...'` ends them (`[^;]` keeps one statement).
const STATIC_IMPORT = /^[ \t]*import\s+(type\s+)?([\w$*{][^;]*?)\s*from\s*(['"])([^'"\n]+)\3/gm;
const STATIC_EXPORT = /^[ \t]*export\s+(type\s+)?(\*|\{)[^;]*?\s*from\s*(['"])([^'"\n]+)\3/gm;
const SIDE_EFFECT_IMPORT = /^[ \t]*import\s*(['"])([^'"\n]+)\1/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*(['"])([^'"\n]+)\1\s*\)/g;

/** The module specifiers a TypeScript source names: static imports and re-exports, side-effect and dynamic imports. */
export function importSpecifiers(source: string): Specifier[] {
  const found: Specifier[] = [];
  for (const match of source.matchAll(STATIC_IMPORT)) {
    const clause = match[2] ?? '';
    // `import { type A, type B } from` is type-only too.
    const named = /^\{([^}]*)\}$/.exec(clause.trim());
    const allTypes = named?.[1]?.split(',').every((part) => /^\s*(type\s|$)/.test(part)) ?? false;
    found.push({ specifier: match[4]!, typeOnly: Boolean(match[1]) || allTypes });
  }
  for (const match of source.matchAll(STATIC_EXPORT)) found.push({ specifier: match[4]!, typeOnly: Boolean(match[1]) });
  for (const match of source.matchAll(SIDE_EFFECT_IMPORT)) found.push({ specifier: match[2]!, typeOnly: false });
  for (const match of source.matchAll(DYNAMIC_IMPORT)) found.push({ specifier: match[2]!, typeOnly: false });
  return found;
}

const SOURCE_FILE = /\.(ts|mts|mjs)$/;

/** Every source file under `dirs` (repository-relative, `/`-separated), sorted. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (SOURCE_FILE.test(name) && !name.endsWith('.d.ts')) files.push(relative(root, path).split(sep).join('/'));
    }
  };
  for (const dir of dirs) if (existsSync(join(root, dir))) walk(join(root, dir));
  return files.sort();
}

/** The file a relative specifier names (NodeNext: `./x.js` is `./x.ts` in source); undefined for a package. */
export function resolveSpecifier(root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts'), target, `${target}.ts`];
  return candidates.find((candidate) => existsSync(join(root, candidate))) ?? target;
}

/** The graph of relative imports between the source files under `dirs`. */
export function buildImportGraph(root: string, dirs: readonly string[]): ImportGraph {
  const files = sourceFiles(root, dirs);
  const edges: ImportEdge[] = [];
  for (const from of files) {
    const source = readFileSync(join(root, from), 'utf8');
    for (const { specifier, typeOnly } of importSpecifiers(source)) {
      const to = resolveSpecifier(root, from, specifier);
      if (to !== undefined) edges.push({ from, to, specifier, typeOnly });
    }
  }
  return { files, edges };
}

/**
 * Each import cycle once, as a path that ends where it starts (`a -> b -> a`): one per strongly
 * connected component (Tarjan), the shortest way round from its first file.
 */
export function findCycles(edges: readonly Pick<ImportEdge, 'from' | 'to'>[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;

  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = next.get(node)?.includes(node);
      if (component.length > 1 || selfLoop) components.push(component.sort());
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);

  return components
    .map((component) => shortestCycle(component[0]!, new Set(component), next))
    .sort((a, b) => a.join().localeCompare(b.join()));
}

function shortestCycle(start: string, within: Set<string>, next: Map<string, string[]>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const node = queue.shift()!;
    for (const to of next.get(node) ?? []) {
      if (!within.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let at = node; at !== start; at = cameFrom.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

/**
 * Inside `lambdas/`, bottom to top: what others rely on and the plain platform, then the rooms
 * (which may use each other, without a cycle), then the adapters that implement the rooms' ports,
 * the wiring that builds them from the environment, and the Lambda entries.
 */
export const LAMBDA_LAYERS: Readonly<Record<string, number>> = {
  contract: 0,
  platform: 0,
  sending: 1,
  webhooks: 1,
  reads: 1,
  media: 1,
  backfill: 1,
  events: 1,
  contacts: 1,
  adapters: 2,
  wiring: 3,
  handlers: 4,
};

/** `lambdas/<folder>/...` -> folder; undefined outside `lambdas/`. */
export const lambdaFolder = (file: string): string | undefined =>
  file.startsWith('lambdas/') ? file.split('/')[1] : undefined;

export interface RuleBreak {
  rule: 'cycle' | 'back-arrow' | 'unknown-layer' | 'lambdas-outside' | 'client-imports' | 'room-cycle';
  detail: string;
}

const arrow = (edge: Pick<ImportEdge, 'from' | 'to'>) => `${edge.from} -> ${edge.to}`;

/** Where the client may not reach: the sandbox, the stack, the CLI and the other entry points. */
const CLIENT_FORBIDDEN = [
  'sandbox/',
  'lib/',
  'cli/',
  'bin/',
  'bench/',
  'lambdas/adapters/',
  'lambdas/wiring/',
  'lambdas/handlers/',
];

/**
 * Every rule the graph breaks. `knownCycles` excuses a cycle whose files are exactly those of one
 * listed (a cycle that grows is reported again).
 */
export function checkImportRules(graph: ImportGraph, knownCycles: readonly string[][] = []): RuleBreak[] {
  const breaks: RuleBreak[] = [];
  const excused = new Set(knownCycles.map((cycle) => [...new Set(cycle)].sort().join('\n')));
  for (const cycle of findCycles(graph.edges)) {
    if (!excused.has([...new Set(cycle)].sort().join('\n'))) breaks.push({ rule: 'cycle', detail: cycle.join(' -> ') });
  }
  const roomEdges: Array<{ from: string; to: string }> = [];
  for (const edge of graph.edges) {
    const from = lambdaFolder(edge.from);
    const to = lambdaFolder(edge.to);
    if (from !== undefined && to === undefined) breaks.push({ rule: 'lambdas-outside', detail: arrow(edge) });
    if (from !== undefined && to !== undefined) {
      const fromLayer = LAMBDA_LAYERS[from];
      const toLayer = LAMBDA_LAYERS[to];
      if (fromLayer === undefined || toLayer === undefined) {
        breaks.push({
          rule: 'unknown-layer',
          detail: `${arrow(edge)} (layers: ${Object.keys(LAMBDA_LAYERS).join(', ')})`,
        });
      } else if (toLayer > fromLayer) {
        breaks.push({ rule: 'back-arrow', detail: `${arrow(edge)} (${from} is below ${to})` });
      } else if (from !== to && fromLayer === 1 && toLayer === 1) {
        roomEdges.push({ from, to });
      }
    }
    if (edge.from.startsWith('client/') && CLIENT_FORBIDDEN.some((prefix) => edge.to.startsWith(prefix))) {
      breaks.push({ rule: 'client-imports', detail: arrow(edge) });
    }
  }
  for (const cycle of findCycles(roomEdges)) breaks.push({ rule: 'room-cycle', detail: cycle.join(' -> ') });
  return breaks;
}
