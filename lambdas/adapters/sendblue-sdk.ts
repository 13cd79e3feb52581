import SendblueAPI from 'sendblue';
import type { ApiCredentials } from './secrets.js';

import { SENDBLUE_DEFAULT_BASE_URL } from '../contract/sendblue-rules.js';

export { SENDBLUE_DEFAULT_BASE_URL };

export interface SdkSettings {
  /** @default SENDBLUE_DEFAULT_BASE_URL */
  baseUrl?: string;
  /** Per-call timeout, ms. */
  timeoutMs: number;
}

/**
 * The official SDK as every caller here builds it. `maxRetries: 0`: the SDK would retry POSTs by
 * itself (408/409/429/5xx, timeouts) without an idempotency key, so a send, or a webhook
 * registration, could happen twice; callers own the retry decision. `logLevel: 'off'`: the SDK
 * must never print a request (its headers carry the API secret).
 */
export function sdkFor(credentials: ApiCredentials, settings: SdkSettings): SendblueAPI {
  return new SendblueAPI({
    apiKey: credentials.apiKeyId,
    apiSecret: credentials.apiSecretKey,
    baseURL: settings.baseUrl ?? SENDBLUE_DEFAULT_BASE_URL,
    timeout: settings.timeoutMs,
    maxRetries: 0,
    logLevel: 'off',
  });
}
