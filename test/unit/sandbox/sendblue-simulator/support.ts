/**
 * What the simulator's tests share: the account it is started with, members, the SDK client our
 * sender uses, and `useSimulator`, the set-up every test file repeated (a simulator, maybe a
 * webhook receiver, reset after each test, stopped after all).
 */
import SendblueAPI, { APIError } from 'sendblue';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type RunningSimulator,
  type SimulatorOptions,
  startSendblueSimulator,
} from '../../../../sandbox/sendblue-simulator/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../../sandbox/sendblue-simulator/receiver.js';

export const KEY = 'sim-key-id';
export const SECRET = 'sim-secret-key-do-not-leak';
export const LINE = '+15550000000';
export const LINE2 = '+15550000001';
export const [A, B, C, D, E] = [
  '+14155550101',
  '+14155550102',
  '+14155550103',
  '+14155550104',
  '+14155550105',
] as const;

/** The official SDK as the sender builds it: no retries of its own. */
export const sdkClient = (
  sim: RunningSimulator,
  options: { apiKey?: string; apiSecret?: string; timeout?: number } = {},
) =>
  new SendblueAPI({
    apiKey: options.apiKey ?? KEY,
    apiSecret: options.apiSecret ?? SECRET,
    baseURL: sim.url,
    maxRetries: 0,
    timeout: options.timeout ?? 2000,
  });

/** The APIError a call rejects with (fails the test if it resolves). */
export async function apiError(call: Promise<unknown>): Promise<APIError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error('expected the call to be rejected');
}

export interface FixtureOptions extends Partial<Omit<SimulatorOptions, 'apiKeyId' | 'apiSecretKey'>> {
  /**
   * Start a webhook receiver and register `<receiver url><receivePath>` as the account's receive
   * webhook (with `webhookSecret`). Without it there is no receiver.
   */
  receivePath?: string;
  /** Reset the simulator (and empty the receiver) after each test. @default true */
  resetAfterEach?: boolean;
}

export interface SimulatorFixture {
  /** Set once the file's beforeAll ran. */
  readonly sim: RunningSimulator;
  /** The SDK client on the account's credentials. */
  readonly client: SendblueAPI;
  /** Only with `receivePath`. */
  readonly receiver: WebhookReceiver;
  /** A call to a control endpoint (`/__simulator/<path>`), its status and JSON body. */
  control(path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, any> }>;
  /** A raw API call with the account's headers (`auth: false` leaves them out), for what the SDK cannot send. */
  raw(path: string, init?: RequestInit & { auth?: boolean }): Promise<{ status: number; body: Record<string, any> }>;
}

/**
 * Registers the hooks of a test file: a simulator on the test account (line LINE unless `lines`),
 * the receiver when asked, reset after each test, both stopped after all.
 */
export function useSimulator(options: FixtureOptions = {}): SimulatorFixture {
  const { receivePath, resetAfterEach = true, ...simulatorOptions } = options;
  let sim: RunningSimulator | undefined;
  let client: SendblueAPI | undefined;
  let receiver: WebhookReceiver | undefined;
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useSimulator: no ${what} (before beforeAll, or not asked for)`);
    return value;
  };

  beforeAll(async () => {
    if (receivePath !== undefined) receiver = await startWebhookReceiver();
    sim = await startSendblueSimulator({
      lines: [LINE],
      ...simulatorOptions,
      apiKeyId: KEY,
      apiSecretKey: SECRET,
      ...(receiver ? { receiveWebhookUrl: `${receiver.url}${receivePath}` } : {}),
    });
    client = sdkClient(sim);
  });
  afterEach(() => {
    if (!resetAfterEach) return;
    sim?.reset();
    if (receiver) receiver.received.length = 0;
  });
  afterAll(async () => {
    await sim?.stop();
    await receiver?.stop();
  });

  const json = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, any>,
  });
  return {
    get sim() {
      return ready(sim, 'simulator');
    },
    get client() {
      return ready(client, 'client');
    },
    get receiver() {
      return ready(receiver, 'receiver (give receivePath)');
    },
    control: async (path, init = {}) => json(await fetch(`${ready(sim, 'simulator').url}/__simulator/${path}`, init)),
    raw: async (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (init.auth !== false) {
        headers.set('sb-api-key-id', KEY);
        headers.set('sb-api-secret-key', SECRET);
      }
      return json(await fetch(`${ready(sim, 'simulator').url}${path}`, { ...init, headers }));
    },
  };
}
