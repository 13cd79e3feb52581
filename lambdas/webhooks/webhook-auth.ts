import { createHash, timingSafeEqual } from 'node:crypto';
import type { WebhookSecrets } from './ports.js';
import type { WebhookEvent } from './webhook-payload.js';

/** Constant-time string comparison; hashing first makes the lengths equal, so length leaks nothing either. */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
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

/** Which credential let a webhook in: the signing header (Sendblue's account webhooks) or the status token. */
export type WebhookCredential = 'signing-secret' | 'status-token';

/**
 * The receive route takes only the header; the status route takes the header or the URL token
 * (Sendblue's per-message callbacks carry no header). Undefined when neither is right. Throws when
 * a needed secret is unavailable.
 */
export async function webhookCredential(
  route: 'receive' | 'status',
  given: WebhookCredentials,
  secrets: WebhookSecrets,
): Promise<WebhookCredential | undefined> {
  if (given.signingHeader !== undefined && safeEqual(given.signingHeader, await secrets.webhookSecret()))
    return 'signing-secret';
  if (route === 'status' && given.token !== undefined && safeEqual(given.token, await secrets.callbackToken()))
    return 'status-token';
  return undefined;
}

/**
 * What the status token may write. It travels in URLs (Sendblue's per-message status_callback), so
 * it may only record the status of an outbound message: an inbound message needs the signing
 * header, and a group's members and name are taken only from signed webhooks and the sender (a
 * message's participants would otherwise show in GET /groups/{id} when newer than the record).
 */
export function limitToStatusToken(
  event: WebhookEvent,
): { ok: true; event: WebhookEvent } | { ok: false; error: string } {
  if (event.direction !== 'outbound') {
    return {
      ok: false,
      error: `the status token only records status events for outbound messages; an inbound message needs the ${SIGNING_HEADER} header`,
    };
  }
  return { ok: true, event: { ...event, participants: undefined, groupDisplayName: undefined } };
}
