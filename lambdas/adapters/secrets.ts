import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface ApiCredentials {
  apiKeyId: string;
  apiSecretKey: string;
}

/** Where handlers get secrets: Secrets Manager in AWS, fixed values (from env) in the sandbox. */
export interface SecretSource {
  webhookSecret(): Promise<string>;
  /** The `?token=` the sender appends to the status URL it gives Sendblue. */
  callbackToken(): Promise<string>;
  apiCredentials(): Promise<ApiCredentials>;
}

export interface SecretsManagerSourceOptions {
  client?: SecretsManagerClient;
  webhookSecretArn?: string;
  callbackTokenSecretArn?: string;
  apiCredentialsSecretArn?: string;
  /** How long a fetched value is reused, so a rotated secret is picked up without a redeploy. @default 300000 (5 minutes) */
  maxAgeMs?: number;
  now?: () => number;
}

/** Error that never carries the secret's value (or the SDK's message, which may echo request data). */
class SecretUnavailableError extends Error {
  constructor(which: string, reason: string) {
    super(`Secret ${which} is unavailable: ${reason}`);
    this.name = 'SecretUnavailableError';
  }
}

export function secretsManagerSource(options: SecretsManagerSourceOptions): SecretSource {
  const client = options.client ?? new SecretsManagerClient({});
  const maxAgeMs = options.maxAgeMs ?? 300_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { value: Promise<string>; fetchedAt: number }>();

  async function fetchSecret(which: string, arn: string | undefined): Promise<string> {
    if (!arn) throw new SecretUnavailableError(which, 'no ARN configured');
    const cached = cache.get(arn);
    if (cached && now() - cached.fetchedAt < maxAgeMs) return cached.value;
    // Share one in-flight request between concurrent callers; forget it if it fails.
    const value = client.send(new GetSecretValueCommand({ SecretId: arn })).then(
      (out) => {
        if (!out.SecretString) throw new SecretUnavailableError(which, 'it has no string value');
        return out.SecretString;
      },
      (error: unknown) => {
        throw new SecretUnavailableError(which, error instanceof Error ? error.name : 'unknown error');
      },
    );
    cache.set(arn, { value, fetchedAt: now() });
    value.catch(() => cache.delete(arn));
    return value;
  }

  return {
    webhookSecret: () => fetchSecret('WebhookSecret', options.webhookSecretArn),
    callbackToken: () => fetchSecret('StatusCallbackToken', options.callbackTokenSecretArn),
    async apiCredentials() {
      const parsed = parseApiCredentials(await fetchSecret('ApiCredentials', options.apiCredentialsSecretArn));
      if (!parsed.ok) throw new SecretUnavailableError('ApiCredentials', parsed.reason);
      return parsed.credentials;
    },
  };
}

/**
 * The ApiCredentials secret's value: `{"apiKeyId": "...", "apiSecretKey": "..."}` with both set.
 * The stack creates it with two empty strings, which is "not set yet". The reason never quotes the value.
 */
export function parseApiCredentials(
  raw: string,
): { ok: true; credentials: ApiCredentials } | { ok: false; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'it is not JSON' };
  }
  const { apiKeyId, apiSecretKey } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof apiKeyId !== 'string' || !apiKeyId || typeof apiSecretKey !== 'string' || !apiSecretKey) {
    return { ok: false, reason: 'apiKeyId and apiSecretKey must be non-empty strings' };
  }
  return { ok: true, credentials: { apiKeyId, apiSecretKey } };
}
