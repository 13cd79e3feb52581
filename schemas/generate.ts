/**
 * `npm run schemas`: writes the JSON Schemas in schemas/ from their sources (schemas/source/*.ts),
 * which take every limit, list and pattern from the contract (lambdas/contract/*). The files are
 * committed; test/unit/schemas/generated.test.ts fails when they differ from what this writes now.
 * `--check` writes nothing and exits 1 when a file is stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandType } from '../lambdas/contract/commands.js';
import { COMMAND_TYPE_SCHEMAS, commandTypeFile, commandUnionFile } from './source/commands.js';
import { EVENT_TYPE_FILES, eventUnionFile } from './source/events.js';
import { READ_FILES } from './source/reads.js';

export const SCHEMAS_DIR = dirname(fileURLToPath(import.meta.url));

/** Every schema file, by its path under schemas/, with the exact text written. */
export function schemaFiles(): Record<string, string> {
  const files: Record<string, unknown> = { 'command.json': commandUnionFile() };
  for (const type of Object.keys(COMMAND_TYPE_SCHEMAS) as CommandType[])
    files[`commands/${type}.json`] = commandTypeFile(type);
  for (const [name, schema] of Object.entries(READ_FILES)) files[`reads/${name}`] = schema;
  files['events/event.json'] = eventUnionFile();
  for (const [name, schema] of Object.entries(EVENT_TYPE_FILES)) files[`events/${name}`] = schema;
  return Object.fromEntries(
    Object.entries(files).map(([path, schema]) => [path, `${JSON.stringify(schema, null, 2)}\n`]),
  );
}

/** The files whose text on disk differs from what would be written now. */
export function staleFiles(dir = SCHEMAS_DIR): string[] {
  return Object.entries(schemaFiles())
    .filter(([path, text]) => {
      try {
        return readFileSync(join(dir, path), 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(([path]) => path);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const stale = staleFiles();
    if (stale.length) {
      console.error(`schemas out of date (run npm run schemas): ${stale.join(', ')}`);
      process.exit(1);
    }
    console.log('schemas up to date');
  } else {
    for (const [path, text] of Object.entries(schemaFiles())) {
      mkdirSync(dirname(join(SCHEMAS_DIR, path)), { recursive: true });
      writeFileSync(join(SCHEMAS_DIR, path), text);
    }
    console.log(`wrote ${Object.keys(schemaFiles()).length} schema files in schemas/`);
  }
}
