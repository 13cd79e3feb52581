/**
 * `npx cdk synth` as a user runs it: offline, bundling with the local esbuild, cdk-nag on. Then the
 * bundles it produced are loaded in a fresh Node process and the read Lambda answers /health, which
 * proves the ESM bundle (SDK included, createRequire banner) really runs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../lib/paths.js';

const run = promisify(execFile);
const outDir = mkdtempSync(path.join(tmpdir(), 'cdk-out-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('cdk synth (offline, bundled, cdk-nag)', () => {
  it('synthesizes and the bundled read handler answers GET /health', async () => {
    const synth = await run('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', outDir], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1' },
      timeout: 120_000,
    });
    // cdk.json sets CDK's recommended feature flags (feature-flags.test.ts): synth names none as missing.
    expect(`${synth.stdout}${synth.stderr}`).not.toMatch(/feature flags? (is|are) not configured/);
    const template = JSON.parse(readFileSync(path.join(outDir, 'SendblueGroups.template.json'), 'utf8'));
    const functions = Object.values(
      template.Resources as Record<
        string,
        { Type: string; Properties: { Handler: string; Code: { S3Key: string }; Description?: string } }
      >,
    ).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(7); // ingest, read, sender, events, media, backfill, contacts (all bundled)
    /** Calls the bundled handler of the function whose description starts so, in a fresh process. */
    const invoke = async (description: string, event: unknown, env: Record<string, string>) => {
      const fn = functions.find((candidate) => candidate.Properties.Description?.startsWith(description));
      const assetDir = readdirSync(outDir).find(
        (name) => name.startsWith('asset.') && fn!.Properties.Code.S3Key.startsWith(name.slice(6)),
      );
      expect(assetDir, description).toBeDefined();
      const bundle = path.join(outDir, assetDir!, 'index.mjs');
      const script = `
        const { handler } = await import(${JSON.stringify(bundle)});
        process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)})));`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, AWS_REGION: 'us-east-1', ...env },
      });
      return JSON.parse(stdout);
    };
    const result = await invoke(
      'Read routes',
      { routeKey: 'GET /health', rawPath: '/health', headers: {} },
      { TABLE_NAME: 'unused-by-health', MEDIA_BUCKET_NAME: 'unused' },
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ ok: true });
    // The stream consumers' bundles load and answer an empty batch without calling AWS.
    expect(await invoke('Table stream -> domain events', { Records: [] }, { EVENT_BUS_NAME: 'unused' })).toEqual({
      batchItemFailures: [],
    });
    expect(
      await invoke('Table stream -> copies', { Records: [] }, { TABLE_NAME: 'unused', MEDIA_BUCKET_NAME: 'unused' }),
    ).toEqual({ batchItemFailures: [] });
    expect(await invoke('Table stream -> the contacts ledger', { Records: [] }, { TABLE_NAME: 'unused' })).toEqual({
      batchItemFailures: [],
    });
  }, 180_000);
});
