/**
 * The client's install footprint (issue 17): what `node_modules` holds in a fresh app that installs
 * the packed tarball and imports only the client. Goal: under 30 MB, counted as `du` counts it
 * (disk blocks); the files' own sizes are given beside it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { childEnv, createApp, type Footprint, footprintOf, packPackage, usageOf } from './package-install.js';

export const FOOTPRINT_GOAL_BYTES = 30 * 1024 * 1024;

export interface FootprintFigures extends Footprint {
  /** The tarball's file count (dist, schemas). */
  tarballFiles: number;
  /** The installed sendblue-groups package alone (its share of the footprint, bundles included). */
  ownDiskBytes: number;
}

export async function measureFootprint(): Promise<FootprintFigures> {
  const work = mkdtempSync(path.join(tmpdir(), 'sendblue-groups-footprint-'));
  try {
    const packed = await packPackage(work);
    const app = path.join(work, 'app');
    await createApp(app, [packed.tarball]);
    // What the footprint is for: a producer importing the client works from it, with plain node.
    await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', "const c = await import('sendblue-groups'); c.sandboxTarget({});"],
      { cwd: app, env: childEnv() },
    );
    return {
      ...footprintOf(app),
      tarballFiles: packed.files.length,
      ownDiskBytes: usageOf(path.join(app, 'node_modules', 'sendblue-groups')).diskBytes,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
