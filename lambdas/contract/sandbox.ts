/**
 * The sandbox's fixed names and ports (docs/contract.md §6), and the shape of its event log: what
 * `npm start` serves and what the client and the CLI find it by. Here, not in sandbox/, so that the
 * client library reaches a sandbox without importing the sandbox.
 */

export const SANDBOX_REGION = 'us-east-1';
/** The account id in sandbox ARNs, queue URLs and event envelopes (what DynamoDB Local and the SQS emulator use). */
export const SANDBOX_ACCOUNT = '000000000000';
/** DynamoDB Local and the SQS emulator accept any credentials; the SDK still needs some. */
export const SANDBOX_CREDENTIALS = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } as const;
export const SANDBOX_QUEUE_NAME = 'sendblue-group-commands.fifo';
export const SANDBOX_DLQ_NAME = 'sendblue-group-commands-dlq.fifo';
export const SANDBOX_TABLE = 'sendblue-groups';
/** Sandbox-only route: run the backfill now (`npm run cli -- backfill`). */
export const SANDBOX_BACKFILL_PATH = '/__sandbox/backfill';
/** Sandbox-only route: the local event log (`?after=<seq>`, `&follow=1` for server-sent events). */
export const SANDBOX_EVENTS_PATH = '/__sandbox/events';

/** The sandbox's ports when their env vars are unset. */
export const SANDBOX_PORTS = {
  /** HTTP API (webhook and read routes), on 127.0.0.1. */
  port: 3000,
  sqsPort: 9324,
  dynamoDbPort: 8000,
  simulatorPort: 4010,
} as const;

/** Which env var sets each port, so errors (here and at startup) can name it. */
export const PORT_ENV_VARS = {
  port: 'SANDBOX_PORT',
  sqsPort: 'SANDBOX_SQS_PORT',
  dynamoDbPort: 'SANDBOX_DYNAMODB_PORT',
  simulatorPort: 'SANDBOX_SIMULATOR_PORT',
} as const satisfies Record<keyof typeof SANDBOX_PORTS, string>;
export type PortKey = keyof typeof PORT_ENV_VARS;

/**
 * One sandbox port from its env var (unset or empty: the default). The CLI and the client read the
 * ports the same way `npm start` does, through this.
 */
export function readPort(env: NodeJS.ProcessEnv, key: PortKey): { value: number; problem?: string } {
  const name = PORT_ENV_VARS[key];
  const raw = env[name]?.trim();
  if (!raw) return { value: SANDBOX_PORTS[key] };
  const value = Number(raw);
  if (/^\d+$/.test(raw) && value >= 1 && value <= 65535) return { value };
  return {
    value: SANDBOX_PORTS[key],
    problem: `${name} must be a port number from 1 to 65535 (got "${raw}")`,
  };
}

/** What an EventBridge rule's target receives; the sandbox's event log keeps events in this envelope. */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** `GET /__sandbox/events?after=<seq>`: the events after `after`, and the position of the last one. */
export interface SandboxEventsPage {
  events: EventEnvelope[];
  last_seq: number;
}
