import { DEFAULT_SANDBOX_CONFIG, type SandboxConfig } from './config';

/**
 * How to run the CLI against this sandbox, e.g. `npm run cli --` or, on other ports,
 * `SANDBOX_PORT=3100 npm run cli --`: the CLI finds the sandbox through the same env vars as
 * `npm start`, so every hint the banner, the CLI and the page print must carry the non-default ones.
 */
export function sandboxCliPrefix(ports: Pick<SandboxConfig, 'port' | 'sqsPort'>): string {
  const portEnv = [
    ports.port !== DEFAULT_SANDBOX_CONFIG.port ? `SANDBOX_PORT=${ports.port}` : '',
    ports.sqsPort !== DEFAULT_SANDBOX_CONFIG.sqsPort ? `SANDBOX_SQS_PORT=${ports.sqsPort}` : '',
  ].filter(Boolean);
  return [...portEnv, 'npm run cli --'].join(' ');
}
