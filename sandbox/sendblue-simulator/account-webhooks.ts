/**
 * The account's webhooks, as Sendblue keeps them (`/api/account/webhooks`, SDK 3.17
 * `client.webhooks`): per type a list of URLs, each with an optional secret, and an optional
 * global secret. GET lists, POST appends (a URL posted twice is registered twice, as Sendblue
 * documents "appended to existing ones"), DELETE removes the given URLs from one type, PUT
 * replaces everything. Deliveries (webhooks.ts) go to every registration of the event's type.
 */
import { MAX_URL_CHARS, WEBHOOK_TYPES } from '../../lambdas/contract/sendblue-rules.js';
import { type ApiResult, invalidResult } from './answers.js';

export interface SimWebhook {
  url: string;
  secret?: string;
  /** Receive webhooks only: deliver only messages to these lines. */
  sendblue_numbers?: string[];
}

/** Where one event goes, and the `sb-signing-secret` sent with it (the webhook's own, else the global one). */
export interface WebhookTarget {
  url: string;
  secret?: string;
}

const DEFAULT_TYPE = 'receive';
const MAX_PER_REQUEST = 50;
const MAX_SECRET_CHARS = 512;

export class AccountWebhookRegistry {
  private readonly byType = new Map<string, SimWebhook[]>();
  private globalSecret: string | undefined;

  /** `initial`: what the account starts with (and gets back on reset), as if set in Sendblue's dashboard. */
  constructor(private readonly initial: Array<{ type: string; webhook: SimWebhook }> = []) {
    this.restore();
  }

  restore(): void {
    this.byType.clear();
    this.globalSecret = undefined;
    for (const { type, webhook } of this.initial) this.add(type, [webhook]);
  }

  add(type: string, webhooks: SimWebhook[]): void {
    this.byType.set(type, [...(this.byType.get(type) ?? []), ...webhooks.map(copy)]);
  }

  /** Removes every registration of these URLs from that type; answers how many went. */
  remove(type: string, urls: string[]): number {
    const before = this.byType.get(type) ?? [];
    const after = before.filter((webhook) => !urls.includes(webhook.url));
    this.byType.set(type, after);
    return before.length - after.length;
  }

  replace(config: Map<string, SimWebhook[]>, globalSecret: string | undefined): void {
    this.byType.clear();
    for (const [type, webhooks] of config) this.byType.set(type, webhooks.map(copy));
    this.globalSecret = globalSecret;
  }

  setGlobalSecret(secret: string): void {
    this.globalSecret = secret;
  }

  /** The account's configuration in Sendblue's shape, secrets included (as Sendblue's GET answers it). */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [type, webhooks] of this.byType) {
      if (webhooks.length)
        out[type] = webhooks.map((webhook) =>
          webhook.secret || webhook.sendblue_numbers ? copy(webhook) : webhook.url,
        );
    }
    if (this.globalSecret) out.globalSecret = this.globalSecret;
    return out;
  }

  /** Every registration an event of this type goes to; `line` limits receive webhooks scoped with sendblue_numbers. */
  targets(type: string, line?: string): WebhookTarget[] {
    return (this.byType.get(type) ?? [])
      .filter((webhook) => !webhook.sendblue_numbers || line === undefined || webhook.sendblue_numbers.includes(line))
      .map((webhook) => ({
        url: webhook.url,
        ...((webhook.secret ?? this.globalSecret) ? { secret: webhook.secret ?? this.globalSecret } : {}),
      }));
  }
}

const copy = (webhook: SimWebhook): SimWebhook => ({
  url: webhook.url,
  ...(webhook.secret ? { secret: webhook.secret } : {}),
  ...(webhook.sendblue_numbers ? { sendblue_numbers: [...webhook.sendblue_numbers] } : {}),
});

const invalid = (message: string): ApiResult => invalidResult(message);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function listAccountWebhooks(registry: AccountWebhookRegistry): ApiResult {
  return { status: 200, body: { status: 'OK', webhooks: registry.snapshot() } };
}

export function addAccountWebhooks(registry: AccountWebhookRegistry, body: unknown): ApiResult {
  if (!isObject(body)) return invalid('The body must be a JSON object {webhooks, type?, globalSecret?}');
  const type = checkType(body.type);
  if (typeof type !== 'string') return type;
  if (!Array.isArray(body.webhooks) || !body.webhooks.length || body.webhooks.length > MAX_PER_REQUEST) {
    return invalid(`webhooks must be a list of 1 to ${MAX_PER_REQUEST} URLs or {url, secret?} objects`);
  }
  const webhooks: SimWebhook[] = [];
  for (const entry of body.webhooks) {
    const checked = checkWebhook(entry, type);
    if ('status' in checked) return checked;
    webhooks.push(checked);
  }
  const globalSecret = checkSecret(body.globalSecret, 'globalSecret');
  if (typeof globalSecret === 'object') return globalSecret;
  registry.add(type, webhooks);
  if (globalSecret) registry.setGlobalSecret(globalSecret);
  return {
    status: 200,
    body: { status: 'OK', message: 'Webhooks added successfully', webhooks: registry.snapshot() },
  };
}

export function deleteAccountWebhooks(registry: AccountWebhookRegistry, body: unknown): ApiResult {
  if (!isObject(body)) return invalid('The body must be a JSON object {webhooks, type?}');
  const type = checkType(body.type);
  if (typeof type !== 'string') return type;
  const urls = body.webhooks;
  if (
    !Array.isArray(urls) ||
    !urls.length ||
    urls.length > MAX_PER_REQUEST ||
    !urls.every((url) => typeof url === 'string' && url)
  ) {
    return invalid(`webhooks must be a list of 1 to ${MAX_PER_REQUEST} webhook URLs`);
  }
  const removed = registry.remove(type, urls as string[]);
  return { status: 200, body: { status: 'OK', message: `Webhooks deleted successfully (${removed} removed)` } };
}

/** PUT: replaces every webhook of the account. The simulator has it because Sendblue has it; our code never calls it. */
export function replaceAccountWebhooks(registry: AccountWebhookRegistry, body: unknown): ApiResult {
  if (!isObject(body) || !isObject(body.webhooks))
    return invalid('The body must be a JSON object {webhooks: {type: [...]}}');
  const config = new Map<string, SimWebhook[]>();
  let globalSecret: string | undefined;
  for (const [type, entries] of Object.entries(body.webhooks)) {
    if (type === 'globalSecret') {
      const secret = checkSecret(entries, 'globalSecret');
      if (typeof secret === 'object') return secret;
      globalSecret = secret;
      continue;
    }
    const checkedType = checkType(type);
    if (typeof checkedType !== 'string') return checkedType;
    if (!Array.isArray(entries) || entries.length > MAX_PER_REQUEST)
      return invalid(`webhooks.${type} must be a list of at most ${MAX_PER_REQUEST}`);
    const webhooks: SimWebhook[] = [];
    for (const entry of entries) {
      const checked = checkWebhook(entry, type);
      if ('status' in checked) return checked;
      webhooks.push(checked);
    }
    config.set(type, webhooks);
  }
  registry.replace(config, globalSecret);
  return {
    status: 200,
    body: { status: 'OK', message: 'Webhooks updated successfully', webhooks: registry.snapshot() },
  };
}

function checkType(value: unknown): string | ApiResult {
  if (value === undefined || value === null) return DEFAULT_TYPE;
  if (typeof value !== 'string' || !(WEBHOOK_TYPES as readonly string[]).includes(value)) {
    return invalid(`type must be one of ${WEBHOOK_TYPES.join(', ')}`);
  }
  return value;
}

function checkWebhook(entry: unknown, type: string): SimWebhook | ApiResult {
  if (typeof entry === 'string') return checkUrl(entry) ?? { url: entry };
  // Sendblue documents contact_created webhooks as URL strings only.
  if (!isObject(entry) || type === 'contact_created')
    return invalid(
      `each ${type} webhook must be a URL${type === 'contact_created' ? '' : ' or a {url, secret?} object'}`,
    );
  if (typeof entry.url !== 'string') return invalid('a webhook object needs a url');
  const badUrl = checkUrl(entry.url);
  if (badUrl) return badUrl;
  const secret = checkSecret(entry.secret, 'secret');
  if (typeof secret === 'object') return secret;
  const numbers = entry.sendblue_numbers;
  if (
    numbers !== undefined &&
    !(type === 'receive' && Array.isArray(numbers) && numbers.every((n) => typeof n === 'string'))
  ) {
    return invalid('sendblue_numbers is a list of lines, for receive webhooks only');
  }
  return {
    url: entry.url,
    ...(secret ? { secret } : {}),
    ...(numbers ? { sendblue_numbers: [...(numbers as string[])] } : {}),
  };
}

function checkUrl(value: string): ApiResult | undefined {
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    // below
  }
  if (value.length > MAX_URL_CHARS || (protocol !== 'https:' && protocol !== 'http:'))
    return invalid('each webhook url must be an http(s) URL');
  return undefined;
}

function checkSecret(value: unknown, name: string): string | undefined | ApiResult {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_SECRET_CHARS)
    return invalid(`${name} must be a string of at most ${MAX_SECRET_CHARS} characters`);
  return value;
}
