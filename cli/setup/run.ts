/**
 * The three things `cli setup` does, each ending with what is registered on the account:
 * register (store the API credentials, then POST our two webhooks unless they are there),
 * show (list only) and remove (DELETE our two, by type and exact URL). Never PUT.
 */
import type { ApiCredentials } from '../../lambdas/adapters/secrets.js';
import { createSendblueWebhooksClient, type SendblueWebhooksClient } from './sendblue-webhooks.js';
import type { CliIo } from '../context.js';
import { credentialsFromOperator, credentialsInEnv, type CredentialSource } from './credentials.js';
import { describeAccount, planRemoval, planSetup, type WebhookView } from './plan.js';
import type { SetupTarget } from './target.js';

/** Per Sendblue call: the webhook API is small and quick; a hung call must not hang the CLI. */
const CALL_TIMEOUT_MS = 15_000;

export interface CredentialsStep {
  /** stored: written to the stack's secret; kept: it was set already (--keep-credentials); sandbox: nothing to store. */
  action: 'stored' | 'kept' | 'sandbox';
  source?: CredentialSource | 'secret';
  secret_arn?: string;
}

export interface WebhookChange {
  type: string;
  url: string;
  action: 'added' | 'unchanged' | 'replaced' | 'deleted';
  reason?: string;
}

export interface SetupReport {
  target: string;
  sendblue: string;
  credentials?: CredentialsStep;
  changes: WebhookChange[];
  webhooks: WebhookView[];
}

export async function registerWebhooks(target: SetupTarget, io: CliIo, keepCredentials: boolean): Promise<SetupReport> {
  const { credentials, step, store } = await credentialsToRegisterWith(target, io, keepCredentials);
  const client = clientFor(target, credentials);
  // Everything that can fail for want of a permission or a valid key comes before the first change:
  // the list also proves the credentials work before they are stored.
  const before = await client.list();
  const secret = await target.webhookSecret();
  if (store) await store(credentials);
  const changes: WebhookChange[] = [];
  for (const { action, type, url, reason } of planSetup(before, target.urls, secret)) {
    if (action === 'keep') {
      changes.push({ type, url, action: 'unchanged' });
      continue;
    }
    // DELETE before POST: a POST first would leave two registrations of the URL, and DELETE removes both.
    if (action === 'replace') await client.remove(type, url);
    await client.add(type, { url, secret });
    changes.push({ type, url, action: action === 'add' ? 'added' : 'replaced', ...(reason ? { reason } : {}) });
  }
  return report(target, client, changes, secret, step);
}

export async function removeWebhooks(target: SetupTarget, io: CliIo): Promise<SetupReport> {
  const client = clientFor(target, await credentialsToCallWith(target, io));
  const changes: WebhookChange[] = [];
  for (const { type, url } of planRemoval(await client.list(), target.urls)) {
    await client.remove(type, url);
    changes.push({ type, url, action: 'deleted' });
  }
  return report(target, client, changes);
}

export async function showWebhooks(target: SetupTarget, io: CliIo): Promise<SetupReport> {
  const client = clientFor(target, await credentialsToCallWith(target, io));
  return report(target, client, [], await target.webhookSecret());
}

function report(
  target: SetupTarget,
  client: SendblueWebhooksClient,
  changes: WebhookChange[],
  secret?: string,
  credentials?: CredentialsStep,
): Promise<SetupReport> {
  return client.list().then((account) => ({
    target: target.label,
    sendblue: target.sendblueBaseUrl,
    ...(credentials ? { credentials } : {}),
    changes,
    webhooks: describeAccount(account, target.urls, secret),
  }));
}

function clientFor(target: SetupTarget, credentials: ApiCredentials): SendblueWebhooksClient {
  return createSendblueWebhooksClient(
    credentials,
    { baseUrl: target.sendblueBaseUrl, timeoutMs: CALL_TIMEOUT_MS },
    target.unreachableHint,
  );
}

/** Registering: the operator's credentials (then stored), or with --keep-credentials the stored ones when set. */
async function credentialsToRegisterWith(target: SetupTarget, io: CliIo, keep: boolean) {
  const where = target.credentials;
  if (where.kind === 'sandbox')
    return { credentials: where.credentials, step: { action: 'sandbox' } as CredentialsStep };
  if (keep) {
    const stored = await where.read();
    if (stored)
      return {
        credentials: stored,
        step: { action: 'kept', source: 'secret', secret_arn: where.arn } as CredentialsStep,
      };
  }
  const given = await credentialsFromOperator(io);
  return {
    credentials: given.credentials,
    step: { action: 'stored', source: given.source, secret_arn: where.arn } as CredentialsStep,
    store: where.write,
  };
}

/** Showing or removing: the env's credentials, else the stored ones, else asked for (and not stored). */
async function credentialsToCallWith(target: SetupTarget, io: CliIo): Promise<ApiCredentials> {
  const where = target.credentials;
  if (where.kind === 'sandbox') return where.credentials;
  return credentialsInEnv(io.env) ?? (await where.read()) ?? (await credentialsFromOperator(io)).credentials;
}
