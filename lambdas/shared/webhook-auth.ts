import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time string comparison; hashing first makes the lengths equal, so length leaks nothing either. */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/**
 * The sandbox's status-callback token: derived from its webhook secret so that no extra setting
 * is needed. In AWS the token is its own generated secret (StatusCallbackToken), because the
 * sender must be able to read the token but not the webhook secret.
 */
export function statusCallbackToken(webhookSecret: string): string {
  return createHmac('sha256', webhookSecret).update('sendblue-groups:status-callback').digest('base64url');
}

/** The stack's status URL as given to Sendblue: with the callback token as `?token=`. */
export function withCallbackToken(statusUrl: string, token: string): string {
  const url = new URL(statusUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

export const SIGNING_HEADER = 'sb-signing-secret';

export interface WebhookCredentials {
  signingHeader: string | undefined;
  token: string | undefined;
}

/** The two expected values, fetched only when a request presents the matching credential. */
export interface WebhookSecrets {
  webhookSecret(): Promise<string>;
  callbackToken(): Promise<string>;
}

/**
 * The receive route takes only the header; the status route takes the header or the URL token
 * (Sendblue's per-message callbacks carry no header). Throws when a needed secret is unavailable.
 */
export async function isAuthorizedWebhook(
  route: 'receive' | 'status',
  given: WebhookCredentials,
  secrets: WebhookSecrets,
): Promise<boolean> {
  if (given.signingHeader !== undefined && safeEqual(given.signingHeader, await secrets.webhookSecret())) return true;
  if (route === 'status' && given.token !== undefined) return safeEqual(given.token, await secrets.callbackToken());
  return false;
}
