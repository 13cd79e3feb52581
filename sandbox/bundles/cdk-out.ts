/**
 * The synthesized app in cdk.out: its stack template (from manifest.json), whether it is older than
 * the sources it was made from, and `cdk synth` when it is (the app's normal synth, cdk-nag and all).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CfnTemplate } from './template.js';

/** What a synth is made from: a change here makes cdk.out stale. */
const SOURCES = ['lambdas', 'lib', 'bin/app.ts', 'cdk.json', 'package-lock.json'];

/** The one command that synthesizes into `dir` (what the sandbox runs, and tells a user to run). */
export const synthCommand = (root: string, dir: string) => {
  const relative = path.relative(root, dir) || '.';
  return relative === 'cdk.out' ? 'npx cdk synth' : `npx cdk synth -o ${relative}`;
};

export interface SynthesizedStack {
  /** The cloud assembly folder (cdk.out). */
  dir: string;
  stackName: string;
  templateFile: string;
  template: CfnTemplate;
}

/** The stack template of the cloud assembly in `dir` (the app has one stack). */
export function readSynthesizedStack(dir: string): SynthesizedStack {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`${dir} holds no cloud assembly (no manifest.json)`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    artifacts?: Record<string, { type: string; properties?: { templateFile?: string }; displayName?: string }>;
  };
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(
    ([, artifact]) => artifact.type === 'aws:cloudformation:stack',
  );
  if (stacks.length !== 1) throw new Error(`${manifestFile} names ${stacks.length} stacks; one was expected`);
  const [stackName, artifact] = stacks[0]!;
  const templateFile = path.join(dir, artifact.properties?.templateFile ?? `${stackName}.template.json`);
  return { dir, stackName, templateFile, template: JSON.parse(readFileSync(templateFile, 'utf8')) as CfnTemplate };
}

/** The newest file among the sources (its path and time), or undefined when none is there. */
export function newestSource(root: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  const visit = (file: string) => {
    if (!existsSync(file)) return;
    const stat = statSync(file);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(file)) if (entry !== 'node_modules') visit(path.join(file, entry));
    } else if (!newest || stat.mtimeMs > newest.mtimeMs) {
      newest = { file: path.relative(root, file), mtimeMs: stat.mtimeMs };
    }
  };
  for (const source of SOURCES) visit(path.join(root, source));
  return newest;
}

/** Why `dir` needs a synth: missing, or older than a source (undefined: it is up to date). */
export function staleness(root: string, dir: string): string | undefined {
  const manifest = path.join(dir, 'manifest.json');
  if (!existsSync(manifest)) return `${path.relative(root, dir) || dir} is missing`;
  const source = newestSource(root);
  if (source && source.mtimeMs > statSync(manifest).mtimeMs) {
    return `${path.relative(root, dir) || dir} is older than ${source.file}`;
  }
  return undefined;
}

export interface EnsureSynthOptions {
  root: string;
  dir: string;
  onProgress?: (line: string) => void;
}

/** Synthesizes into `dir` when it is missing or stale; says so. Fails naming the command to run by hand. */
export async function ensureSynthesized(options: EnsureSynthOptions): Promise<SynthesizedStack> {
  const { root, dir, onProgress = () => {} } = options;
  const why = staleness(root, dir);
  if (why) {
    const command = synthCommand(root, dir);
    onProgress(`${why}: running \`${command}\` first (about 30 s)...`);
    const started = Date.now();
    try {
      await promisify(execFile)('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', dir], {
        cwd: root,
        env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1' },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 300_000,
      });
    } catch (error) {
      const output = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-15).join('\n') ?? '';
      throw new Error(`\`${command}\` failed; run it yourself to see why, then start again.\n${output}`);
    }
    onProgress(`synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return readSynthesizedStack(dir);
}
