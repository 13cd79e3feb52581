/**
 * Secrets Manager has no local stand-in, so this is the one place that fakes an AWS client: a
 * stand-in for SecretsManagerClient.send that counts calls. Everything else runs for real.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { secretsManagerSource } from '../../../../lambdas/adapters/secrets.js';

function fakeClient(values: Record<string, string | Error>) {
  const calls: string[] = [];
  const client = {
    send: async (command: { input: { SecretId: string } }) => {
      calls.push(command.input.SecretId);
      const value = values[command.input.SecretId];
      if (value instanceof Error) throw value;
      return { SecretString: value };
    },
  } as unknown as SecretsManagerClient;
  return { client, calls };
}

describe('secretsManagerSource', () => {
  it('caches a value for maxAgeMs and shares one request between concurrent callers', async () => {
    let now = 0;
    const { client, calls } = fakeClient({ hook: 'value-1' });
    const source = secretsManagerSource({ client, webhookSecretArn: 'hook', maxAgeMs: 1000, now: () => now });
    expect(await Promise.all([source.webhookSecret(), source.webhookSecret()])).toEqual(['value-1', 'value-1']);
    now = 999;
    await source.webhookSecret();
    expect(calls).toEqual(['hook']);
    now = 1000;
    await source.webhookSecret();
    expect(calls).toEqual(['hook', 'hook']);
  });

  it('does not cache a failure, and its error names neither the value nor the SDK message', async () => {
    const failing = new Error('AccessDenied for arn with token=abc');
    failing.name = 'AccessDeniedException';
    const values: Record<string, string | Error> = { hook: failing };
    const { client, calls } = fakeClient(values);
    const source = secretsManagerSource({ client, webhookSecretArn: 'hook' });
    await expect(source.webhookSecret()).rejects.toThrow('Secret WebhookSecret is unavailable: AccessDeniedException');
    values.hook = 'recovered';
    expect(await source.webhookSecret()).toBe('recovered');
    expect(calls).toHaveLength(2);
  });

  it('parses API credentials and rejects the empty placeholder the stack creates', async () => {
    const good = fakeClient({ creds: JSON.stringify({ apiKeyId: 'id', apiSecretKey: 'key' }) });
    expect(
      await secretsManagerSource({ client: good.client, apiCredentialsSecretArn: 'creds' }).apiCredentials(),
    ).toEqual({ apiKeyId: 'id', apiSecretKey: 'key' });
    const empty = fakeClient({ creds: JSON.stringify({ apiKeyId: '', apiSecretKey: '' }) });
    const error = await secretsManagerSource({ client: empty.client, apiCredentialsSecretArn: 'creds' })
      .apiCredentials()
      .catch((e: Error) => e);
    expect(String(error)).toMatch(/apiKeyId and apiSecretKey must be non-empty/);
    const notJson = fakeClient({ creds: 'sk_live_secret' });
    const error2 = await secretsManagerSource({ client: notJson.client, apiCredentialsSecretArn: 'creds' })
      .apiCredentials()
      .catch((e: Error) => e);
    expect(String(error2)).toMatch(/not JSON/);
    expect(String(error2)).not.toContain('sk_live_secret');
  });
});
