/**
 * The Sendblue API credentials `cli setup` stores and calls Sendblue with: from
 * SENDBLUE_API_KEY_ID and SENDBLUE_API_SECRET_KEY, else asked for without echo. Problems are
 * described by what is wrong, never by the value.
 */
import type { ApiCredentials } from '../../lambdas/adapters/secrets.js';
import { usageError, type CliIo } from '../context.js';

export type CredentialSource = 'environment' | 'prompt';

const MAX_CHARS = 512;

/** Both variables set: they are used. Neither: ask. One of them: a usage error (a half-set pair is a mistake). */
export function credentialsInEnv(env: NodeJS.ProcessEnv): ApiCredentials | undefined {
  const apiKeyId = env.SENDBLUE_API_KEY_ID?.trim();
  const apiSecretKey = env.SENDBLUE_API_SECRET_KEY?.trim();
  if (apiKeyId && apiSecretKey) return { apiKeyId, apiSecretKey };
  if (apiKeyId || apiSecretKey) {
    throw usageError(
      `only ${apiKeyId ? 'SENDBLUE_API_KEY_ID' : 'SENDBLUE_API_SECRET_KEY'} is set: set both, or neither to be asked`,
    );
  }
  return undefined;
}

export async function credentialsFromOperator(
  io: CliIo,
): Promise<{ credentials: ApiCredentials; source: CredentialSource }> {
  const fromEnv = credentialsInEnv(io.env);
  if (fromEnv) return { credentials: fromEnv, source: 'environment' };
  if (!io.readSecret) {
    throw usageError(
      'no Sendblue API credentials: set SENDBLUE_API_KEY_ID and SENDBLUE_API_SECRET_KEY, or run setup in a terminal to be asked',
    );
  }
  const apiKeyId = checked('API key id', await io.readSecret('Sendblue API key id'));
  const apiSecretKey = checked('API secret key', await io.readSecret('Sendblue API secret key'));
  return { credentials: { apiKeyId, apiSecretKey }, source: 'prompt' };
}

function checked(name: string, raw: string): string {
  const value = raw.trim();
  if (!value) throw usageError(`the ${name} is empty: nothing was stored`);
  if (value.length > MAX_CHARS)
    throw usageError(`the ${name} is longer than ${MAX_CHARS} characters: nothing was stored`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw usageError(`the ${name} contains control characters: nothing was stored`);
  return value;
}
