/**
 * Debian's Python (/usr/bin/python3) with the packages a test needs (`python3-boto3`,
 * `python3-jsonschema`; .ci/run installs them). A test that needs one skips, saying exactly what is
 * missing and how to install it, only where it is not installed (like the page test and Chromium).
 */
import { spawnSync } from 'node:child_process';
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
