/**
 * Execution environments of bundles mode, with small ESM bundles written here: each function sees
 * exactly its own environment (not another's, not the sandbox's), read at cold start; events and
 * results travel as JSON; errors, init failures and timeouts reject like Lambda's; environments
 * start only when none is free, up to the limit; the bundle's log lines reach the sandbox's logger.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../../lambdas/platform/logger.js';
import { createLambdaPool, type LambdaPoolOptions } from '../../../../sandbox/bundles/lambda-pool.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bundles-'));
const pools: Array<{ stop(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const bundle = (name: string, source: string) => {
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(file, source);
  return file;
};

const ECHO = bundle(
  'echo',
  `const coldEnv = { ...process.env };
   let invocations = 0;
   export const handler = async (event, context) => {
     invocations += 1;
     console.log(JSON.stringify({ level: 'info', message: 'echo', service: 'x', n: invocations }));
     if (event?.wait) await new Promise((r) => setTimeout(r, event.wait));
     if (event?.fail) throw new TypeError('asked to fail');
     return { event, env: coldEnv, invocations, requestId: context.awsRequestId, remaining: context.getRemainingTimeInMillis() > 0, date: new Date(0) };
   };`,
);

function pool(options: Partial<LambdaPoolOptions> & { env?: Record<string, string> }) {
  const lines: Array<{ level: string; message: string; data?: Record<string, unknown> }> = [];
  const log = (level: string) => (message: string, data?: Record<string, unknown>) =>
    lines.push({ level, message, data });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const created = createLambdaPool({
    name: 'echo',
    bundleFile: ECHO,
    exportName: 'handler',
    memorySize: 128,
    timeoutSeconds: 5,
    environment: () => options.env ?? {},
    logger,
    ...options,
  });
  pools.push(created);
  return { pool: created, lines };
}

describe('a function in its execution environments', () => {
  it('sees exactly its own environment, and gets the event and gives its result as JSON', async () => {
    process.env.SANDBOX_ONLY_VARIABLE = 'the sandbox process';
    const a = pool({ env: { TABLE_NAME: 'a-table' } }).pool;
    const b = pool({ env: { TABLE_NAME: 'b-table', ONLY_B: '1' } }).pool;
    const [fromA, fromB] = (await Promise.all([a.invoke({ hello: 'a' }), b.invoke({ hello: 'b' })])) as Array<
      Record<string, any>
    >;
    expect(fromA!.env).toEqual({ TABLE_NAME: 'a-table' });
    expect(fromB!.env).toEqual({ TABLE_NAME: 'b-table', ONLY_B: '1' });
    expect(fromA!.event).toEqual({ hello: 'a' });
    expect(fromA!.date).toBe('1970-01-01T00:00:00.000Z'); // JSON, as Lambda returns it
    expect(fromA!.remaining).toBe(true);
    expect(process.env.TABLE_NAME).toBeUndefined();
    delete process.env.SANDBOX_ONLY_VARIABLE;
  });

  it('reuses a free environment (warm) and starts another only when all are busy, up to the limit', async () => {
    const { pool: p } = pool({ maxEnvironments: 2 });
    await p.invoke({});
    await p.invoke({});
    expect(p.coldStarts()).toBe(1);
    const results = (await Promise.all([1, 2, 3, 4].map(() => p.invoke({ wait: 100 })))) as Array<{
      invocations: number;
    }>;
    // Four at once, two environments: the warm one and one new (which serves how many depends on timing).
    expect(p.coldStarts()).toBe(2);
    expect(results.filter((r) => r.invocations === 1)).toHaveLength(1);
    expect(results.filter((r) => r.invocations > 2).length).toBeGreaterThanOrEqual(1);
  });

  it("rejects with the handler's error; a timeout ends the environment and the next invocation starts a fresh one", async () => {
    const { pool: p } = pool({ timeoutSeconds: 0.3 });
    await expect(p.invoke({ fail: true })).rejects.toMatchObject({ name: 'TypeError', message: 'asked to fail' });
    await expect(p.invoke({ wait: 2_000 })).rejects.toThrow('Task timed out after 0.30 seconds');
    expect(((await p.invoke({})) as { invocations: number }).invocations).toBe(1);
    expect(p.coldStarts()).toBe(2);
  });

  it('an init error (a bundle that throws on load, or exports no handler) rejects the invocation', async () => {
    const throws = bundle('throws', `throw new Error('cannot load');`);
    await expect(pool({ bundleFile: throws }).pool.invoke({})).rejects.toThrow('cannot load');
    const noHandler = bundle('none', 'export const other = 1;');
    await expect(pool({ bundleFile: noHandler }).pool.invoke({})).rejects.toThrow('exports no function "handler"');
  });

  it("passes the bundle's JSON log lines to the logger under their level and message; other output as text", async () => {
    const talker = bundle(
      'talker',
      `export const handler = async () => {
         console.log(JSON.stringify({ level: 'warn', message: 'careful', service: 'x', time: 't', n: 1 }));
         console.log(JSON.stringify({ _aws: { CloudWatchMetrics: [] }, Sent: 1 }));
         console.log('plain words');
         console.error('on stderr');
         return null;
       };`,
    );
    const { pool: p, lines } = pool({ bundleFile: talker });
    expect(await p.invoke({})).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines).toEqual(
      expect.arrayContaining([
        { level: 'warn', message: 'careful', data: { n: 1 } },
        { level: 'debug', message: 'metrics (EMF)', data: { _aws: { CloudWatchMetrics: [] }, Sent: 1 } },
        { level: 'info', message: 'bundle output', data: { text: 'plain words' } },
        { level: 'warn', message: 'bundle output', data: { text: 'on stderr' } },
      ]),
    );
  });
});
