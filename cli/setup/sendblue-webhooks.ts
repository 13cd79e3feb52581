/**
 * Sendblue account administration: the account's webhooks (`/api/account/webhooks`, SDK 3.17
 * `client.webhooks`). Used by `cli setup` only (so it lives here, out of the Lambda bundles); it
 * builds the SDK with the sender's own settings (`sdkFor`: no retries of its own).
 *
 * Only list, add (POST) and delete (DELETE) exist here, on purpose: Sendblue's PUT replaces every
 * webhook of the account, including ones that are not ours.
 */
import type { ApiCredentials } from '../../lambdas/adapters/secrets.js';
import { SENDBLUE_DEFAULT_BASE_URL, sdkFor, type SdkSettings } from '../../lambdas/adapters/sendblue-sdk.js';
import type { WebhookType } from '../../lambdas/contract/sendblue-rules.js';
import { classifySendblueError } from '../../lambdas/sending/sendblue-errors.js';

export type { WebhookType };

export interface RegisteredWebhook {
  type: string;
  url: string;
  /** The webhook's own secret, when it has one (Sendblue then sends it as `sb-signing-secret`). */
  secret?: string;
}

export interface AccountWebhooks {
  webhooks: RegisteredWebhook[];
  /** Used for webhooks without their own secret. */
  globalSecret?: string;
}

export interface SendblueWebhooksClient {
  list(): Promise<AccountWebhooks>;
  /** POST: appends one webhook of that type (Sendblue keeps every other one). */
  add(type: WebhookType, webhook: { url: string; secret: string }): Promise<void>;
  /** DELETE: removes the webhooks of that type with exactly this URL (and no other). */
  remove(type: WebhookType, url: string): Promise<void>;
}

/** Where the account webhooks live, relative to the API's base URL (the SDK's `webhooks` resource). */
const WEBHOOKS_PATH = '/api/account/webhooks';

export function createSendblueWebhooksClient(
  credentials: ApiCredentials,
  settings: SdkSettings,
  /** Added to a failure to reach Sendblue, e.g. what to check in the sandbox. */
  unreachableHint = '',
): SendblueWebhooksClient {
  const sdk = sdkFor(credentials, settings);
  const where = webhooksUrl(settings.baseUrl ?? SENDBLUE_DEFAULT_BASE_URL);
  const call = async <T>(action: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      // Sendblue's status and error text, or the connection failure; never the request (its headers
      // carry the secret). No answer at all: which URL was tried.
      const failure = classifySendblueError(error, action);
      throw new Error(
        failure.status === undefined ? `${failure.reason}; tried ${where}${unreachableHint}` : failure.reason,
      );
    }
  };
  return {
    list: async () => parseAccountWebhooks(await call('list the account webhooks', () => sdk.webhooks.list())),
    async add(type, webhook) {
      await call(`add the ${type} webhook`, () =>
        sdk.webhooks.create({ type, webhooks: [{ url: webhook.url, secret: webhook.secret }] }),
      );
    },
    async remove(type, url) {
      await call(`delete the ${type} webhook`, () => sdk.webhooks.delete({ type, webhooks: [url] }));
    },
  };
}

/** The webhooks URL as an error may show it: no user or password, no query. */
export function webhooksUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}${WEBHOOKS_PATH}`;
  } catch {
    return `Sendblue's API${WEBHOOKS_PATH}`;
  }
}

/**
 * `GET /api/account/webhooks` answers `{status, webhooks: {receive: [...], outbound: [...], ...,
 * globalSecret}}`, each entry a URL string or `{url, secret?}`. Read defensively: anything else
 * is skipped.
 */
export function parseAccountWebhooks(answer: unknown): AccountWebhooks {
  const config = (answer as { webhooks?: unknown } | null)?.webhooks;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return { webhooks: [] };
  const webhooks: RegisteredWebhook[] = [];
  let globalSecret: string | undefined;
  for (const [type, entries] of Object.entries(config as Record<string, unknown>)) {
    if (type === 'globalSecret') {
      if (typeof entries === 'string' && entries) globalSecret = entries;
      continue;
    }
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (typeof entry === 'string' && entry) webhooks.push({ type, url: entry });
      else if (typeof entry === 'object' && entry !== null && typeof (entry as { url?: unknown }).url === 'string') {
        const { url, secret } = entry as { url: string; secret?: unknown };
        webhooks.push({ type, url, ...(typeof secret === 'string' && secret ? { secret } : {}) });
      }
    }
  }
  return { webhooks, ...(globalSecret ? { globalSecret } : {}) };
}
