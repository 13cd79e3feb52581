/**
 * Sandbox configuration: the env vars of docs/contract.md §6 and the fixed local names.
 * An empty variable counts as unset (so `SANDBOX_PORT= npm start` means the default).
 */
import { SENDBLUE_LINE_LIMITS } from '../lambdas/sending/line-pacing.js';
import { PORT_ENV_VARS, readPort, SANDBOX_PORTS, type PortKey } from '../lambdas/contract/sandbox.js';
import { isE164 } from '../lambdas/contract/sendblue-rules.js';

// The fixed names and the ports' env vars are shared with the client (lambdas/contract/sandbox.ts).
export {
  PORT_ENV_VARS,
  readPort,
  SANDBOX_BACKFILL_PATH,
  SANDBOX_CREDENTIALS,
  SANDBOX_DLQ_NAME,
  SANDBOX_QUEUE_NAME,
  SANDBOX_REGION,
  SANDBOX_TABLE,
  type PortKey,
} from '../lambdas/contract/sandbox.js';

export interface SandboxConfig {
  /** HTTP API (webhook and read routes), on 127.0.0.1. */
  port: number;
  sqsPort: number;
  dynamoDbPort: number;
  simulatorPort: number;
  /** The Sendblue API to call; undefined means the built-in simulator. */
  sendblueBaseUrl: string | undefined;
  apiKeyId: string;
  apiSecretKey: string;
  fromNumber: string;
  webhookSecret: string;
  /** The sender's pacing per line: sends per second (0 = off) and burst. Sendblue's published limits by default. */
  lineRatePerSecond: number;
  lineBurst: number;
  /** Domain events from the table's stream to the local event log (`SANDBOX_EVENTS`, on by default). */
  events: boolean;
  /** Copies of inbound media in the local S3 stand-in (`SANDBOX_MEDIA`, on by default). */
  media: boolean;
  /** Seconds between backfill runs (missed webhooks, unknown commands); 0 = no timer. */
  backfillSeconds: number;
  /**
   * Which code runs the Lambdas (`SANDBOX_CODE`): `source`, the TypeScript handlers through tsx (fast
   * to change), or `bundles`, the very bundles `cdk synth` wrote to cdk.out (what `cdk deploy` uploads).
   */
  code: SandboxCode;
}

export type SandboxCode = 'source' | 'bundles';

export const DEFAULT_SANDBOX_CONFIG: SandboxConfig = {
  ...SANDBOX_PORTS,
  sendblueBaseUrl: undefined,
  apiKeyId: 'sandbox-key',
  apiSecretKey: 'sandbox-secret',
  fromNumber: '+15550000000',
  webhookSecret: 'sandbox-webhook-secret',
  lineRatePerSecond: SENDBLUE_LINE_LIMITS.ratePerSecond,
  lineBurst: SENDBLUE_LINE_LIMITS.burst,
  events: true,
  media: true,
  backfillSeconds: 60,
  code: 'source',
};

export class SandboxConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid sandbox configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SandboxConfigError';
  }
}

export function loadSandboxConfig(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  const ports = {} as Record<PortKey, number>;
  for (const key of Object.keys(PORT_ENV_VARS) as PortKey[]) {
    const port = readPort(env, key);
    if (port.problem) problems.push(port.problem);
    ports[key] = port.value;
  }
  const byPort = new Map<number, string[]>();
  for (const [key, port] of Object.entries(ports) as Array<[PortKey, number]>) {
    byPort.set(port, [...(byPort.get(port) ?? []), PORT_ENV_VARS[key]]);
  }
  for (const [port, names] of byPort) {
    if (names.length > 1) problems.push(`${names.join(' and ')} are all set to port ${port}: each needs its own`);
  }

  const sendblueBaseUrl = read('SENDBLUE_BASE_URL');
  if (sendblueBaseUrl !== undefined) {
    let protocol: string | undefined;
    try {
      protocol = new URL(sendblueBaseUrl).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      problems.push(`SENDBLUE_BASE_URL must be an http(s) URL (got "${sendblueBaseUrl}")`);
    }
  }

  const fromNumber = read('SENDBLUE_FROM_NUMBER') ?? DEFAULT_SANDBOX_CONFIG.fromNumber;
  if (!isE164(fromNumber)) {
    problems.push(`SENDBLUE_FROM_NUMBER must be an E.164 number such as +15550000000 (got "${fromNumber}")`);
  }

  const rawRate = read('SENDBLUE_LINE_RATE');
  const lineRatePerSecond = rawRate === undefined ? DEFAULT_SANDBOX_CONFIG.lineRatePerSecond : Number(rawRate);
  if (rawRate !== undefined && !(/^\d+(\.\d+)?$/.test(rawRate) && lineRatePerSecond <= 1000)) {
    problems.push(
      `SENDBLUE_LINE_RATE must be sends per second per line, from 0 (no pacing) to 1000 (got "${rawRate}")`,
    );
  }
  const rawBurst = read('SENDBLUE_LINE_BURST');
  const lineBurst = rawBurst === undefined ? DEFAULT_SANDBOX_CONFIG.lineBurst : Number(rawBurst);
  if (rawBurst !== undefined && !(/^\d+$/.test(rawBurst) && lineBurst >= 1 && lineBurst <= 1000)) {
    problems.push(`SENDBLUE_LINE_BURST must be a whole number from 1 to 1000 (got "${rawBurst}")`);
  }

  const onOff = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['on', 'true', '1'].includes(raw)) return true;
    if (['off', 'false', '0'].includes(raw)) return false;
    problems.push(`${name} must be on or off (got "${read(name)}")`);
    return fallback;
  };
  const events = onOff('SANDBOX_EVENTS', DEFAULT_SANDBOX_CONFIG.events);
  const media = onOff('SANDBOX_MEDIA', DEFAULT_SANDBOX_CONFIG.media);
  const rawBackfill = read('SANDBOX_BACKFILL_SECONDS');
  const backfillSeconds = rawBackfill === undefined ? DEFAULT_SANDBOX_CONFIG.backfillSeconds : Number(rawBackfill);
  if (rawBackfill !== undefined && !(/^\d+$/.test(rawBackfill) && backfillSeconds <= 86_400)) {
    problems.push(`SANDBOX_BACKFILL_SECONDS must be whole seconds from 0 (no timer) to 86400 (got "${rawBackfill}")`);
  }

  const code = (read('SANDBOX_CODE')?.toLowerCase() ?? DEFAULT_SANDBOX_CONFIG.code) as SandboxCode;
  if (code !== 'source' && code !== 'bundles') {
    problems.push(`SANDBOX_CODE must be source or bundles (got "${read('SANDBOX_CODE')}")`);
  }

  if (problems.length > 0) throw new SandboxConfigError(problems);
  return {
    ...ports,
    sendblueBaseUrl,
    apiKeyId: read('SENDBLUE_API_KEY_ID') ?? DEFAULT_SANDBOX_CONFIG.apiKeyId,
    apiSecretKey: read('SENDBLUE_API_SECRET_KEY') ?? DEFAULT_SANDBOX_CONFIG.apiSecretKey,
    fromNumber,
    webhookSecret: read('SENDBLUE_WEBHOOK_SECRET') ?? DEFAULT_SANDBOX_CONFIG.webhookSecret,
    lineRatePerSecond,
    lineBurst,
    events,
    media,
    backfillSeconds,
    code,
  };
}
