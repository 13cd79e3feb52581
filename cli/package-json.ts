import { existsSync, readFileSync } from 'node:fs';

export interface OwnPackageJson {
  name: string;
  version: string;
  peerDependencies?: Record<string, string>;
}

/**
 * sendblue-groups' own package.json: one folder up from cli/ in the repository (tsx), two from
 * dist/cli/ in the installed package.
 */
export function ownPackageJson(): OwnPackageJson {
  for (const candidate of ['../package.json', '../../package.json']) {
    const url = new URL(candidate, import.meta.url);
    if (!existsSync(url)) continue;
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as OwnPackageJson;
    if (pkg.name === 'sendblue-groups') return pkg;
  }
  throw new Error("sendblue-groups' package.json not found beside the CLI");
}
