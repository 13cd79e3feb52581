import { hasLoneSurrogate } from '../contract/ids.js';

/**
 * Checks a parsed JSON payload before anything serialises it again: its nesting depth is bounded
 * (`JSON.stringify` recurses and overflows the stack at a few thousand levels, which would turn a
 * bad payload into a 5xx) and every string and field name is valid Unicode text. Iterative, so the
 * check itself cannot overflow.
 */
const MAX_JSON_DEPTH = 64;

/** The first problem found, naming where it is (`content`, `extra.a.b`), or undefined. */
export function jsonShapeProblem(root: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  const pending: Array<{ value: unknown; depth: number; path: string }> = [{ value: root, depth: 1, path: '' }];
  while (pending.length) {
    const { value, depth, path } = pending.pop()!;
    if (typeof value === 'string') {
      if (hasLoneSurrogate(value))
        return `${path || 'the payload'} must be valid Unicode text (it holds a lone surrogate)`;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > maxDepth) return `the payload is nested deeper than ${maxDepth} levels`;
    for (const [key, item] of Object.entries(value)) {
      if (hasLoneSurrogate(key)) return 'a field name must be valid Unicode text (it holds a lone surrogate)';
      const label = Array.isArray(value) ? `[${key}]` : `${path ? '.' : ''}${key.slice(0, 64)}`;
      pending.push({ value: item, depth: depth + 1, path: `${path}${label}`.slice(0, 200) });
    }
  }
  return undefined;
}
