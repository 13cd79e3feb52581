import { readdirSync, readFileSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url);

/** The README's text and every page of docs/, one after another: where users copy examples from. */
export const readme = (): string =>
  [
    'README.md',
    ...readdirSync(new URL('docs/', ROOT))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ]
    .map((path) => readFileSync(new URL(path, ROOT), 'utf8'))
    .join('\n');

/**
 * Every top-level JSON object in the markdown's ```json blocks (a block may hold several, one
 * after another): those that parse, and the text of those that do not (an excerpt with `…`).
 */
export function jsonObjectsInMarkdown(markdown: string): { objects: Record<string, unknown>[]; unparsed: string[] } {
  const objects: Record<string, unknown>[] = [];
  const unparsed: string[] = [];
  for (const [, block] of markdown.matchAll(/```json\n([\s\S]*?)```/g)) {
    let depth = 0;
    let start = -1;
    let inString = false;
    for (let i = 0; i < block!.length; i += 1) {
      const char = block![i];
      if (inString) {
        if (char === '\\') i += 1;
        else if (char === '"') inString = false;
      } else if (char === '"') inString = true;
      else if (char === '{') {
        if (depth === 0) start = i;
        depth += 1;
      } else if (char === '}') {
        depth -= 1;
        if (depth === 0) {
          const text = block!.slice(start, i + 1);
          try {
            objects.push(JSON.parse(text) as Record<string, unknown>);
          } catch {
            unparsed.push(text);
          }
        }
      }
    }
  }
  return { objects, unparsed };
}
