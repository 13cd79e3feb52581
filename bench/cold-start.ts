/**
 * Cold start: each handler bundled exactly as the stack bundles it (lib/bundling.ts), its size,
 * and its import time in fresh `node` processes, against a bundle of only the AWS SDK clients the
 * handler uses and against an empty handler, all built and timed side by side (interleaved runs).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { esbuildOptions } from '../lib/bundling.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');

/** The AWS SDK clients each handler's code uses (from its imports under lambdas/). */
const SDK_IMPORTS = {
  dynamodb:
    "export { DynamoDBClient } from '@aws-sdk/client-dynamodb'; export { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';",
  secrets: "export { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';",
  sqs: "export { SQSClient, SendMessageCommand, ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';",
  eventbridge: "export { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';",
  s3: "export { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';",
};
const HANDLERS = {
  ingest: ['dynamodb', 'secrets'],
  read: ['dynamodb'],
  sender: ['dynamodb', 'secrets', 'sqs'],
  events: ['eventbridge'],
  media: ['dynamodb', 's3'],
  backfill: ['dynamodb', 'secrets', 'sqs'],
} as const satisfies Record<string, Array<keyof typeof SDK_IMPORTS>>;
export type HandlerName = keyof typeof HANDLERS;

export interface BundleFigures {
  bytes: number;
  gzipBytes: number;
  importMs: number;
}
export interface ColdStartResult {
  handler: HandlerName;
  bundle: BundleFigures;
  sdkOnly: BundleFigures;
  /** importMs of the handler / importMs of the SDK-only bundle (goal <= 1.15). */
  ratioToSdk: number;
  /** importMs of the handler / importMs of the empty handler. */
  ratioToEmpty: number;
}
export interface ColdStartReport {
  runs: number;
  node: string;
  empty: BundleFigures;
  handlers: ColdStartResult[];
}

/** Prints the ms one dynamic import of the bundle takes, measured inside a fresh process. */
const TIMER = `const t=performance.now();await import(process.argv[1]);process.stdout.write(String(performance.now()-t));`;

async function importMs(file: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', TIMER, pathToFileURL(file).href], {
    cwd: tmpdir(),
  });
  return Number(stdout);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export async function measureColdStart({
  runs = 15,
  only,
}: {
  runs?: number;
  only?: HandlerName[];
} = {}): Promise<ColdStartReport> {
  const measured = (Object.keys(HANDLERS) as HandlerName[]).filter((name) => !only || only.includes(name));
  const dir = join(tmpdir(), `sendblue-groups-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const entries: Record<string, string> = {};
    const emptyEntry = join(dir, 'empty-entry.mjs');
    writeFileSync(emptyEntry, 'export const handler = async () => ({ statusCode: 200 });\n');
    entries.empty = emptyEntry;
    for (const name of measured) {
      const clients = HANDLERS[name];
      entries[name] = join(ROOT, 'lambdas/handlers', `${name}.ts`);
      // Resolved from the project (its node_modules), like the handlers.
      const sdkEntry = join(ROOT, 'bench', `.sdk-only-${name}.${process.pid}.ts`);
      writeFileSync(
        sdkEntry,
        `${clients.map((client) => SDK_IMPORTS[client]).join('\n')}\nexport const handler = async () => ({ statusCode: 200 });\n`,
      );
      entries[`${name}-sdk`] = sdkEntry;
    }
    const outputs: Record<string, string> = {};
    try {
      for (const [name, entry] of Object.entries(entries)) {
        outputs[name] = join(dir, name, 'index.mjs');
        await build(esbuildOptions(entry, outputs[name]));
      }
    } finally {
      for (const name of measured) rmSync(entries[`${name}-sdk`]!, { force: true });
    }

    // One warm-up pass (file cache), then `runs` interleaved passes so noise hits every bundle alike.
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(outputs).map((name) => [name, []]));
    for (let pass = -1; pass < runs; pass += 1) {
      for (const [name, file] of Object.entries(outputs)) {
        const ms = await importMs(file);
        if (pass >= 0) times[name]!.push(ms);
      }
    }
    const figures = (name: string): BundleFigures => {
      const content = readFileSync(outputs[name]!);
      return { bytes: content.length, gzipBytes: gzipSync(content).length, importMs: median(times[name]!) };
    };
    const empty = figures('empty');
    return {
      runs,
      node: process.version,
      empty,
      handlers: measured.map((handler) => {
        const bundle = figures(handler);
        const sdkOnly = figures(`${handler}-sdk`);
        return {
          handler,
          bundle,
          sdkOnly,
          ratioToSdk: bundle.importMs / sdkOnly.importMs,
          ratioToEmpty: bundle.importMs / empty.importMs,
        };
      }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
