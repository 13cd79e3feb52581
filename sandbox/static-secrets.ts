/**
 * SANDBOX ONLY (and tests): secrets as fixed values instead of Secrets Manager, which has no local
 * stand-in. The deployed Lambdas read Secrets Manager (lambdas/adapters/secrets.ts).
 */
import { createHmac } from 'node:crypto';
import type { ApiCredentials, SecretSource } from '../lambdas/adapters/secrets.js';

/**
 * The sandbox's status-callback token: derived from its webhook secret so that no extra setting
 * is needed. In AWS the token is its own generated secret (StatusCallbackToken), because the
 * sender must be able to read the token but not the webhook secret.
 */
export function statusCallbackToken(webhookSecret: string): string {
  return createHmac('sha256', webhookSecret).update('sendblue-groups:status-callback').digest('base64url');
}

/** Fixed values (the sandbox, tests); the callback token defaults to one derived from the webhook secret. */
export function staticSecretSource(
  values: { webhookSecret: string; callbackToken?: string } & ApiCredentials,
): SecretSource {
  const token = values.callbackToken ?? statusCallbackToken(values.webhookSecret);
  return {
    webhookSecret: async () => values.webhookSecret,
    callbackToken: async () => token,
    apiCredentials: async () => ({ apiKeyId: values.apiKeyId, apiSecretKey: values.apiSecretKey }),
  };
}
