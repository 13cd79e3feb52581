import { DEFAULT_SANDBOX_CONFIG, PORT_ENV_VARS, type PortKey, type SandboxConfig } from './config.js';

/** What the CLI needs to find a sandbox: the ports it talks to, and the Sendblue API `setup` calls. */
export type SandboxCliSettings = Pick<SandboxConfig, 'port' | 'sqsPort' | 'simulatorPort' | 'sendblueBaseUrl'>;

/**
 * The sandbox ports the CLI reaches: the API (reads, events, backfill), SQS (send, dlq) and, for
 * `setup`, the simulator. DynamoDB Local is never the CLI's business.
 */
const CLI_PORTS = ['port', 'sqsPort', 'simulatorPort'] as const satisfies readonly PortKey[];

/**
 * How to run the CLI against this sandbox, e.g. `npm run cli --` or, on other ports,
 * `SANDBOX_PORT=3100 SANDBOX_SIMULATOR_PORT=4110 npm run cli --`: the CLI finds the sandbox through
 * the same env vars as `npm start`, so every hint the banner, the CLI and the page print carries
 * each one that is not the default: the ports of CLI_PORTS (the simulator's only while it runs,
 * i.e. without SENDBLUE_BASE_URL), and SENDBLUE_BASE_URL when set (`setup` calls it). Every command
 * of the CLI then works with the one prefix. Secrets are never part of it (sandboxSetupNote).
 */
export function sandboxCliPrefix(settings: SandboxCliSettings): string {
  const words = CLI_PORTS.flatMap((key) => {
    if (key === 'simulatorPort' && settings.sendblueBaseUrl !== undefined) return [];
    const value = settings[key];
    return value !== DEFAULT_SANDBOX_CONFIG[key] ? [`${PORT_ENV_VARS[key]}=${value}`] : [];
  });
  if (settings.sendblueBaseUrl !== undefined)
    words.push(
      // A URL with a user or password in it is not printed: the shell's own variable stands for it.
      `SENDBLUE_BASE_URL=${hasCredentials(settings.sendblueBaseUrl) ? '"$SENDBLUE_BASE_URL"' : shellWord(settings.sendblueBaseUrl)}`,
    );
  return [...words, 'npm run cli --'].join(' ');
}

/**
 * The settings `setup` also reads from its environment that are secrets (the sandbox's Sendblue API
 * keys and its webhook secret), when the sandbox was started with values of its own: they are not
 * printed, so the banner names them instead. Empty when they are the defaults.
 */
export function sandboxSetupSecrets(
  config: Pick<SandboxConfig, 'apiKeyId' | 'apiSecretKey' | 'webhookSecret'>,
): string[] {
  return [
    ...(config.apiKeyId !== DEFAULT_SANDBOX_CONFIG.apiKeyId ? ['SENDBLUE_API_KEY_ID'] : []),
    ...(config.apiSecretKey !== DEFAULT_SANDBOX_CONFIG.apiSecretKey ? ['SENDBLUE_API_SECRET_KEY'] : []),
    ...(config.webhookSecret !== DEFAULT_SANDBOX_CONFIG.webhookSecret ? ['SENDBLUE_WEBHOOK_SECRET'] : []),
  ];
}

/** Whether a URL carries a user name or password (`https://user:secret@host`). */
export function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

/** A word as a shell reads it back: as it is when plain, else single-quoted (every CLI hint is built with it). */
export const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);
