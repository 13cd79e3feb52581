/**
 * What `cli setup` does to the Sendblue account's webhooks, decided from the account's list
 * alone (no I/O here). Ours are exactly two: the stack's receive URL as a `receive` webhook and
 * its status URL as an `outbound` webhook, both with the stack's webhook secret, each matched by
 * type and exact URL. Nothing else on the account is ever changed.
 */
import { safeEqual } from '../../lambdas/webhooks/webhook-auth.js';
import type { AccountWebhooks, RegisteredWebhook, WebhookType } from './sendblue-webhooks.js';

export interface OurWebhookUrls {
  /** The stack's `ReceiveWebhookUrl` (member messages). */
  receive: string;
  /** The stack's `StatusWebhookUrl`, registered as the account's `outbound` webhook (delivery statuses). */
  outbound: string;
}

const OUR_WEBHOOKS: ReadonlyArray<{ type: WebhookType; key: keyof OurWebhookUrls }> = [
  { type: 'receive', key: 'receive' },
  { type: 'outbound', key: 'outbound' },
];

/**
 * - `add`: not registered: POST it.
 * - `keep`: registered once with our secret: nothing to do (a second run adds nothing).
 * - `replace`: registered, but twice or more, or with another secret (or none): DELETE every
 *   registration of that URL, then POST one with our secret.
 */
export interface SetupStep {
  action: 'add' | 'keep' | 'replace';
  type: WebhookType;
  url: string;
  /** Why a registration is replaced. */
  reason?: string;
}

const isOurs = (webhook: RegisteredWebhook, type: string, url: string) => webhook.type === type && webhook.url === url;

/** The secret Sendblue sends for this webhook: its own, else the account's global one. */
const effectiveSecret = (webhook: RegisteredWebhook, account: AccountWebhooks) =>
  webhook.secret ?? account.globalSecret;

export function planSetup(account: AccountWebhooks, ours: OurWebhookUrls, webhookSecret: string): SetupStep[] {
  return OUR_WEBHOOKS.map(({ type, key }) => {
    const url = ours[key];
    const found = account.webhooks.filter((webhook) => isOurs(webhook, type, url));
    if (!found.length) return { action: 'add', type, url };
    if (found.length > 1) return { action: 'replace', type, url, reason: `registered ${found.length} times` };
    const secret = effectiveSecret(found[0]!, account);
    if (secret === undefined) return { action: 'replace', type, url, reason: 'registered without a secret' };
    // Constant time, though only the operator sees the outcome: it is a secret all the same.
    if (!safeEqual(secret, webhookSecret))
      return { action: 'replace', type, url, reason: 'registered with another secret' };
    return { action: 'keep', type, url };
  });
}

/** Our registrations that exist (each DELETE names the type and the exact URL). */
export function planRemoval(account: AccountWebhooks, ours: OurWebhookUrls): Array<{ type: WebhookType; url: string }> {
  return OUR_WEBHOOKS.filter(({ type, key }) =>
    account.webhooks.some((webhook) => isOurs(webhook, type, ours[key])),
  ).map(({ type, key }) => ({ type, url: ours[key] }));
}

/** One line of what is registered; another party's webhook shows its type and host only. */
export interface WebhookView {
  type: string;
  ours: boolean;
  /** Ours: the full URL. Others: undefined (their path or query may carry someone's token). */
  url?: string;
  host: string;
  /** Ours: whether Sendblue will send our secret with it. */
  secret?: 'ours' | 'other' | 'none';
}

export function describeAccount(account: AccountWebhooks, ours: OurWebhookUrls, webhookSecret?: string): WebhookView[] {
  const views = account.webhooks.map((webhook): WebhookView => {
    const mine = OUR_WEBHOOKS.some(({ type, key }) => isOurs(webhook, type, ours[key]));
    if (!mine) return { type: webhook.type, ours: false, host: hostOf(webhook.url) };
    const secret = effectiveSecret(webhook, account);
    return {
      type: webhook.type,
      ours: true,
      url: webhook.url,
      host: hostOf(webhook.url),
      ...(webhookSecret === undefined
        ? {}
        : { secret: secret === undefined ? 'none' : safeEqual(secret, webhookSecret) ? 'ours' : 'other' }),
    };
  });
  // Ours first (receive, then outbound), then the others by type: the order of a list a person reads.
  const rank = (view: WebhookView) =>
    view.ours ? OUR_WEBHOOKS.findIndex(({ type }) => type === view.type) : OUR_WEBHOOKS.length;
  return views.sort((a, b) => rank(a) - rank(b) || a.type.localeCompare(b.type));
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || '(no host)';
  } catch {
    return '(not a URL)';
  }
}
