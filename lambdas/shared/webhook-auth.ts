import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time string comparison; hashing first makes the lengths equal, so length leaks nothing either. */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/**
 * The token the sender appends to the stack's status URL (`?token=...`). Sendblue's per-message
 * status callbacks arrive without the `sb-signing-secret` header, so this proves they came from a
 * URL we handed out. It is derived from the webhook secret, so rotating that secret rotates it too,
 * and the secret itself never travels in a URL.
 */
export function statusCallbackToken(webhookSecret: string): string {
  return createHmac('sha256', webhookSecret).update('sendblue-groups:status-callback').digest('base64url');
}

export const SIGNING_HEADER = 'sb-signing-secret';

export interface WebhookCredentials {
  signingHeader: string | undefined;
  token: string | undefined;
}

/** The receive route takes only the header; the status route takes the header or the URL token. */
export function isAuthorizedWebhook(
  route: 'receive' | 'status',
  given: WebhookCredentials,
  webhookSecret: string,
): boolean {
  if (given.signingHeader !== undefined && safeEqual(given.signingHeader, webhookSecret)) return true;
  if (route === 'status' && given.token !== undefined) {
    return safeEqual(given.token, statusCallbackToken(webhookSecret));
  }
  return false;
}
