/** What the simulator's tests share: the account it is started with, members, and the SDK client our sender uses. */
import SendblueAPI, { APIError } from 'sendblue';
import type { RunningSimulator } from '../../sandbox/sendblue-simulator/index.js';

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
