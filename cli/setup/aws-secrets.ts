/**
 * The two Secrets Manager calls `cli setup --aws` makes with the deployer's own AWS credentials:
 * GetSecretValue (the webhook secret; the API credentials only with --keep-credentials, --show
 * or --remove) and PutSecretValue (the API credentials). Errors name the secret, the AWS error
 * and the permission it needs: never a value (not even the SDK's message, which could echo one).
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { TargetError } from '../../client/target.js';

export interface SecretStore {
  /** The secret's current string value. */
  read(name: string, arn: string): Promise<string>;
  /** A new current version with this string value. */
  write(name: string, arn: string, value: string): Promise<void>;
}

export function secretStore(client: SecretsManagerClient): SecretStore {
  const failure = (error: unknown, action: string, name: string, arn: string) => {
    const code = error instanceof Error ? error.name : 'unknown error';
    const hint =
      code === 'AccessDeniedException' ? `: your AWS credentials need secretsmanager:${action} on ${arn}` : '';
    return new TargetError(
      `could not ${action === 'GetSecretValue' ? 'read' : 'write'} the secret ${name} (${code})${hint}`,
    );
  };
  return {
    async read(name, arn) {
      let value: string | undefined;
      try {
        value = (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
      } catch (error) {
        throw failure(error, 'GetSecretValue', name, arn);
      }
      if (value === undefined) throw new TargetError(`the secret ${name} has no string value`);
      return value;
    },
    async write(name, arn, value) {
      try {
        await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value }));
      } catch (error) {
        throw failure(error, 'PutSecretValue', name, arn);
      }
    },
  };
}
