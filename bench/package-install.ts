/**
 * The package as a user gets it: `npm pack` of this repository (its `prepack` runs `npm run build`)
 * installed into a throwaway app. Shared by the footprint benchmark (bench/footprint.ts) and the
 * package tests (test/integration/package/package.test.ts).
 */
import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** npm without the network where the cache has the package, and without its noise. */
const NPM_INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

/** An environment for npm and node children: no npm_* of a parent `npm test`, which npm would obey. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

export interface PackedPackage {
  /** Absolute path of the .tgz. */
  tarball: string;
  /** The paths inside it (`dist/client/index.js`, ...). */
  files: string[];
}

/** `npm pack` into `destination`: builds first (prepack), returns the tarball and its file list. */
export async function packPackage(destination: string): Promise<PackedPackage> {
  const { stdout } = await run('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', destination], {
    cwd: REPO_ROOT,
    env: childEnv(),
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
  // prepack's output (the build's lines) comes first; the JSON report is the last thing printed.
  const [report] = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[\n') + 1)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  return { tarball: path.join(destination, report!.filename), files: report!.files.map((file) => file.path) };
}

/** A new app (`{"type": "module"}`) in `dir`, with `specs` installed by npm (a tarball path, `name@version`, ...). */
export async function createApp(dir: string, specs: string[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: 'consumer-app', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  await installInto(dir, specs);
}

export async function installInto(dir: string, specs: string[]): Promise<void> {
  await run('npm', [...NPM_INSTALL, ...specs], { cwd: dir, env: childEnv(), timeout: 600_000 });
}

export interface DiskUsage {
  /** Disk usage, as `du` counts it (allocated blocks). */
  diskBytes: number;
  /** The files' own sizes added up. */
  apparentBytes: number;
  files: number;
}

export interface Footprint extends DiskUsage {
  /** Top-level packages in node_modules (`@scope/name` counted as one). */
  packages: string[];
}

/** What a folder and everything under it takes. */
export function usageOf(folder: string): DiskUsage {
  const usage: DiskUsage = { diskBytes: 0, apparentBytes: 0, files: 0 };
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const stat = lstatSync(full);
      usage.diskBytes += stat.blocks * 512;
      if (entry.isDirectory()) walk(full);
      else {
        usage.apparentBytes += stat.size;
        usage.files += 1;
      }
    }
  };
  walk(folder);
  return usage;
}

/** What `node_modules` of the app in `dir` holds. */
export function footprintOf(dir: string): Footprint {
  const root = path.join(dir, 'node_modules');
  const packages = readdirSync(root)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (name.startsWith('@') ? readdirSync(path.join(root, name)).map((n) => `${name}/${n}`) : [name]))
    .sort();
  return { ...usageOf(root), packages };
}
