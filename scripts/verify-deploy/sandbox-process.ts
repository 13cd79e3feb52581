/**
 * `npm start` as a child process (`node --import tsx bin/sandbox.ts`) on free ports, in either code
 * mode: started, waited for until its banner, and stopped with SIGTERM as a user's Ctrl-C would
 * (it stops its Java child itself). Used by verify:deploy and by the walkthrough test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SandboxCode } from '../../sandbox/config.js';
import { findFreePort } from '../../sandbox/ports.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY_LINE = 'Press Ctrl-C to stop.';

export interface SandboxProcess {
  api: string;
  simulator: string;
  /** The environment the CLI needs to reach this sandbox. */
  cliEnv: NodeJS.ProcessEnv;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM, then its exit code (SIGKILL after 15 s). */
  stop(): Promise<number | null>;
}

export interface StartSandboxProcessOptions {
  code: SandboxCode;
  /** More environment (LOG_LEVEL, SANDBOX_CDK_OUT...). */
  env?: NodeJS.ProcessEnv;
  /** A synth may run first in bundles mode. @default 240000 */
  readyTimeoutMs?: number;
}

export async function startSandboxProcess(options: StartSandboxProcessOptions): Promise<SandboxProcess> {
  const ports = {
    SANDBOX_PORT: String(await findFreePort()),
    SANDBOX_SQS_PORT: String(await findFreePort()),
    SANDBOX_DYNAMODB_PORT: String(await findFreePort()),
    SANDBOX_SIMULATOR_PORT: String(await findFreePort()),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/sandbox.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, ...ports, SANDBOX_CODE: options.code },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 240_000);
  while (!text.includes(READY_LINE)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(
        `the sandbox (SANDBOX_CODE=${options.code}) did not start:\n${text.split('\n').slice(-20).join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    api: `http://127.0.0.1:${ports.SANDBOX_PORT}`,
    simulator: `http://127.0.0.1:${ports.SANDBOX_SIMULATOR_PORT}`,
    cliEnv: { SANDBOX_PORT: ports.SANDBOX_PORT, SANDBOX_SQS_PORT: ports.SANDBOX_SQS_PORT },
    child,
    output: () => text,
    stop,
  };
}
