/**
 * `setup` alone needs the Sendblue SDK and the Secrets Manager client. They are optional peer
 * dependencies of the package, loaded only when setup runs, so that a producer who installs
 * sendblue-groups for its client does not get them (docs/embedding.md, "Dependencies"). In this
 * repository they are dev dependencies and always there.
 */
import { CliError, EXIT } from '../context.js';
import { ownPackageJson } from '../package-json.js';

/** What setup needs beyond the client, as package.json's peerDependencies name them. */
export const SETUP_PACKAGES = ['sendblue', '@aws-sdk/client-secrets-manager'] as const;

/** The setup modules (run.ts, target.ts); a missing package is a usage error that says how to install it. */
export async function loadSetup() {
  try {
    const [run, target] = await Promise.all([import('./run.js'), import('./target.js')]);
    return { ...run, ...target };
  } catch (error) {
    const missing = missingPackage(error);
    if (!missing) throw error;
    const peers = ownPackageJson().peerDependencies ?? {};
    const specs = SETUP_PACKAGES.map((name) => `'${name}@${peers[name] ?? 'latest'}'`).join(' ');
    throw new CliError(
      `setup needs the package ${missing}, which sendblue-groups installs only for setup: ` +
        `npm install ${specs}, then run setup again`,
      EXIT.usage,
    );
  }
}

/** Which of SETUP_PACKAGES an import failed to find, if that is why it failed. */
export function missingPackage(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' || typeof message !== 'string') return undefined;
  return SETUP_PACKAGES.find((name) => message.includes(`'${name}'`));
}
