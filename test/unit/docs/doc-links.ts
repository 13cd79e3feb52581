/**
 * The docs checker behind links.test.ts, free of I/O: it takes the files as text and a function
 * that says whether a repository path exists, and returns one readable problem per broken thing.
 *
 * - Markdown: a relative link must name a file in the repository (never one outside it), and its
 *   `#anchor` a heading of the target, by GitHub's slug rules; a backticked repository path
 *   (`lambdas/contract/ids.ts`) must exist.
 * - Markdown tables: every `| ... |` row belongs to a table (header, delimiter row, rows, with no
 *   blank line or paragraph between them), and has as many cells as its header (GitHub drops the
 *   cells past the header's count: an unescaped `|` in a cell loses text).
 * - Code: a citation of `docs/<file>.md` must name a file that exists (with `"Heading"` a heading
 *   in it, with `§N` a numbered section); `DESIGN.md` is not in the repository; `README "Heading"`
 *   must be a heading of README.md.
 */
import { posix } from 'node:path';

/** Files by repository path (posix, no leading `./`). */
export type Files = ReadonlyMap<string, string>;
export type PathExists = (repoPath: string) => boolean;

/**
 * GitHub's heading anchor: lower case, punctuation and symbols dropped (letters, digits, `_`, `-`
 * and spaces kept), each space a `-`. Markdown around the text (code, emphasis, links) is what
 * GitHub renders away first.
 */
export function githubSlug(heading: string): string {
  return plainHeading(heading)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The heading's text as GitHub renders it: links to their text, no backticks, no emphasis marks. */
function plainHeading(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`/g, '')
    .replace(/\*+/g, '')
    .trim();
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): Array<{ line: number; text: string }> {
  const lines: Array<{ line: number; text: string }> = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    const opener = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence) {
      if (opener && opener[0] === fence[0] && opener.length >= fence.length) fence = undefined;
      return;
    }
    if (opener) {
      fence = opener;
      return;
    }
    lines.push({ line: index + 1, text });
  });
  return lines;
}

/** Every anchor a page has: its headings' slugs (a repeat gets `-1`, `-2`, ...) and explicit ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(heading);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of text.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  }
  return anchors;
}

/** The headings' texts as GitHub renders them, for citations by heading. */
function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text)?.[1];
    if (heading !== undefined) slugs.add(githubSlug(heading));
  }
  return slugs;
}

/** Inline links and images `[text](target)` and reference definitions `[id]: target`, code left out. */
export function linksOf(markdown: string): Array<{ line: number; target: string }> {
  const links: Array<{ line: number; target: string }> = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = text.replace(/(`+)[^`]*?\1/g, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line, target: match[1]! });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose);
    if (definition) links.push({ line, target: definition[1]! });
  }
  return links;
}

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** Broken relative links in the given Markdown files (`markdown` maps their paths to their text). */
export function checkMarkdownLinks(markdown: Files, exists: PathExists): string[] {
  const problems: string[] = [];
  for (const [file, text] of markdown) {
    for (const { line, target } of linksOf(text)) {
      if (EXTERNAL.test(target)) continue;
      const where = `${file}:${line}: ${target}`;
      const [rawPath = '', rawAnchor] = target.split('#', 2);
      let path: string;
      try {
        path = decodeURIComponent(rawPath);
      } catch {
        problems.push(`${where}: the path is not valid URL encoding`);
        continue;
      }
      const resolved = path === '' ? file : resolveInRepo(file, path);
      if (resolved === undefined) {
        problems.push(`${where}: points outside the repository`);
        continue;
      }
      if (!markdown.has(resolved) && !exists(resolved)) {
        problems.push(`${where}: ${resolved} does not exist`);
        continue;
      }
      if (rawAnchor === undefined) continue;
      const page = markdown.get(resolved);
      if (page === undefined) {
        problems.push(`${where}: #${rawAnchor} needs a Markdown page, and ${resolved} is not one`);
      } else if (!anchorsOf(page).has(safeDecode(rawAnchor))) {
        problems.push(`${where}: ${resolved} has no heading with the anchor #${rawAnchor}`);
      }
    }
  }
  return problems;
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** A link's path as a repository path, or undefined when it leaves the repository. */
function resolveInRepo(fromFile: string, path: string): string | undefined {
  const joined = path.startsWith('/') ? path.slice(1) : posix.join(posix.dirname(fromFile), path);
  const normal = posix.normalize(joined).replace(/\/$/, '');
  if (normal === '..' || normal.startsWith('../') || posix.isAbsolute(normal)) return undefined;
  return normal === '.' ? '' : normal;
}

/** A path in backticks that starts with one of the repository's top-level folders. */
const BACKTICKED_PATH = /`((?:bin|lib|lambdas|client|cli|sandbox|bench|test|docs|\.ci)\/[\w./-]*)`/g;

/** Repository paths named in backticks (`lambdas/contract/ids.ts`, `sandbox/page/`) that do not exist. */
export function checkNamedPaths(markdown: Files, exists: PathExists): string[] {
  const problems: string[] = [];
  for (const [file, text] of markdown) {
    for (const { line, text: prose } of proseLines(text)) {
      for (const match of prose.matchAll(BACKTICKED_PATH)) {
        const path = match[1]!.replace(/\/$/, '');
        if (!markdown.has(path) && !exists(path)) {
          problems.push(`${file}:${line}: names ${match[1]}, which does not exist in the repository`);
        }
      }
    }
  }
  return problems;
}

/**
 * Citations in source files: `docs/<file>.md` (optionally `"Heading"` or `§N` after it) must exist
 * and hold that heading or section; `DESIGN.md` is outside the repository; `README "Heading"`
 * must be a heading of README.md; any other `<name>.md` must be a repository path.
 */
export function checkCitations(sources: Files, markdown: Files): string[] {
  const problems: string[] = [];
  const readme = markdown.get('README.md') ?? '';
  for (const [file, text] of sources) {
    text.split('\n').forEach((lineText, index) => {
      const where = `${file}:${index + 1}`;
      if (/\bDESIGN(?:\.md)?\b/.test(lineText)) {
        problems.push(`${where}: cites DESIGN.md, which is not in the repository (cite docs/contract.md §N)`);
      }
      for (const match of lineText.matchAll(/\bREADME "([^"]+)"/g)) {
        if (!headingSlugs(readme).has(githubSlug(match[1]!))) {
          problems.push(`${where}: cites README "${match[1]}", which is not a heading of README.md`);
        }
      }
      for (const match of lineText.matchAll(
        /(?<![\w./-])([\w.-]+(?:\/[\w.-]+)*\.md)\b(?:\s+(?:"([^"]+)"|§\s?(\d+)))?/g,
      )) {
        const [, path, heading, section] = match;
        if (path === 'DESIGN.md') continue;
        const page = markdown.get(path!);
        if (page === undefined) {
          problems.push(`${where}: cites ${path}, which is not a Markdown file in this repository`);
        } else if (heading !== undefined && !headingSlugs(page).has(githubSlug(heading))) {
          problems.push(`${where}: cites ${path} "${heading}", which is not a heading there`);
        } else if (section !== undefined && !hasSection(page, section)) {
          problems.push(`${where}: cites ${path} §${section}, which has no heading "${section}. ..."`);
        }
      }
    });
  }
  return problems;
}

const hasSection = (markdown: string, section: string): boolean =>
  proseLines(markdown).some(({ text }) => new RegExp(`^ {0,3}#{1,6}\\s+${section}\\.\\s`).test(text));

/** The README is a front door, not a wall. */
export function checkReadmeLength(readme: string, maxLines = 300): string[] {
  const lines = readme.endsWith('\n') ? readme.split('\n').length - 1 : readme.split('\n').length;
  return lines > maxLines ? [`README.md has ${lines} lines; at most ${maxLines} (move the rest to docs/)`] : [];
}

/** A line of a table: starts with `|` (up to 3 spaces in, as a list item's table may be). */
const isTableLine = (text: string) => /^ {0,3}\|/.test(text);
/** A delimiter row: `| --- | :--: |` (outer pipes optional). */
const isDelimiterRow = (text: string) =>
  /^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(text) && text.includes('-');
/** A row's cells, split on pipes that are not escaped (`\|`); the outer pipes are not cells. */
export function tableCells(row: string): string[] {
  let text = row.trim();
  if (text.startsWith('|')) text = text.slice(1);
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1);
  return text.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

/**
 * Tables that do not render as written: a row away from its table (after a blank line or a
 * paragraph, which ends the table: the row then shows as plain text), a header without its
 * delimiter row, and rows with more or fewer cells than the header.
 */
export function checkTables(markdown: Files): string[] {
  const problems: string[] = [];
  for (const [path, text] of markdown) {
    const prose = new Map(proseLines(text).map(({ line, text: content }) => [line, content]));
    let header: number | undefined;
    for (const [line, content] of prose) {
      if (!isTableLine(content)) {
        header = undefined;
        continue;
      }
      if (header !== undefined) {
        const cells = tableCells(content).length;
        if (cells !== header)
          problems.push(
            `${path}:${line}: a row of ${cells} cells in a table of ${header} columns (an unescaped | in a cell?)`,
          );
        continue;
      }
      const next = prose.get(line + 1);
      if (next !== undefined && isDelimiterRow(next)) {
        header = tableCells(content).length;
        const delimiter = tableCells(next).length;
        if (delimiter !== header)
          problems.push(`${path}:${line + 1}: a delimiter row of ${delimiter} cells under a header of ${header}`);
        prose.delete(line + 1);
        continue;
      }
      problems.push(
        `${path}:${line}: a table row outside any table (a blank line or text between it and its table ends the table): ${content.slice(0, 60)}`,
      );
    }
  }
  return problems;
}
