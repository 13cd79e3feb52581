import { DEFAULT_SANDBOX_CONFIG, PORT_ENV_VARS, type PortKey, type SandboxConfig } from './config.js';

/**
 * How to run the CLI against this sandbox, e.g. `npm run cli --` or, on other ports,
 * `SANDBOX_PORT=3100 npm run cli --`: the CLI finds the sandbox through the same env vars as
 * `npm start`, so every hint the banner, the CLI and the page print must carry the non-default ones.
 * `keys`: the ports the command needs (most need the API and the queue; `setup` also the simulator's).
 */
export function sandboxCliPrefix(
  ports: Pick<SandboxConfig, 'port' | 'sqsPort'> & Partial<Pick<SandboxConfig, PortKey>>,
  keys: PortKey[] = ['port', 'sqsPort'],
): string {
  const portEnv = keys.flatMap((key) => {
    const value = ports[key];
    return value !== undefined && value !== DEFAULT_SANDBOX_CONFIG[key] ? [`${PORT_ENV_VARS[key]}=${value}`] : [];
  });
  return [...portEnv, 'npm run cli --'].join(' ');
}
