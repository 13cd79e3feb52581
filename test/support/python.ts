/**
 * Debian's Python (/usr/bin/python3) with the packages a test needs (`python3-boto3`,
 * `python3-jsonschema`; .ci/run installs them). A test that needs one skips, saying exactly what is
 * missing and how to install it, only where it is not installed (like the page test and Chromium).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';

/** Debian's package for each Python module the tests import. */
const DEBIAN_PACKAGES: Record<string, string> = { boto3: 'python3-boto3', jsonschema: 'python3-jsonschema' };

/** Why the modules cannot be used here (with the install command), or undefined when they can. */
export function pythonMissing(modules: string[]): string | undefined {
  const packages = modules.map((module) => DEBIAN_PACKAGES[module] ?? `python3-${module}`);
  const install = `apt-get install ${packages.join(' ')}`;
  if (!existsSync(PYTHON)) return `no ${PYTHON} (install it: apt-get install python3 ${packages.join(' ')})`;
  const missing = modules.filter(
    (module) => spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 20_000 }).status !== 0,
  );
  return missing.length ? `${PYTHON} cannot import ${missing.join(', ')} (install: ${install})` : undefined;
}

/**
 * Runs Python without blocking the event loop (the servers it talks to, such as the sandbox's SQS
 * emulator, may run in this very process). Resolves with the exit code and what it wrote.
 */
export function runPython(
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
