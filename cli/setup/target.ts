/**
 * What `cli setup` works on: the Sendblue API to call, our two webhook URLs, the webhook secret,
 * and where the API credentials live. For a deployed stack these come from its outputs
 * (DescribeStacks) and Secrets Manager; for the sandbox from the env vars `npm start` reads,
 * with no secret store at all.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { outputValue, readStackOutputs, stackLocation, TargetError } from '../../client/target.js';
import { parseApiCredentials, type ApiCredentials } from '../../lambdas/adapters/secrets.js';
import { SENDBLUE_DEFAULT_BASE_URL } from '../../lambdas/adapters/sendblue-sdk.js';
import { loadSandboxConfig, type SandboxConfig, SandboxConfigError } from '../../sandbox/config.js';
import { secretStore } from './aws-secrets.js';
import type { OurWebhookUrls } from './plan.js';

/** Where the API credentials live. */
export type CredentialStore =
  /** The sandbox: its own fixed credentials (SENDBLUE_API_KEY_ID/SENDBLUE_API_SECRET_KEY or the defaults); nothing to store. */
  | { kind: 'sandbox'; credentials: ApiCredentials }
  /** The stack's ApiCredentials secret. `read` answers undefined while it holds the empty placeholder. */
  | {
      kind: 'secret';
      arn: string;
      read(): Promise<ApiCredentials | undefined>;
      write(credentials: ApiCredentials): Promise<void>;
    };

export interface SetupTarget {
  kind: 'sandbox' | 'aws';
  /** "stack SendblueGroups (us-east-1)" or "the sandbox". */
  label: string;
  sendblueBaseUrl: string;
  urls: OurWebhookUrls;
  webhookSecret(): Promise<string>;
  credentials: CredentialStore;
  /** Added to a failure to reach Sendblue: what to check (the sandbox: which env var sets the port). */
  unreachableHint?: string;
  close(): void;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The sandbox as `npm start` runs it with the same env: its API port, simulator port and secrets. */
export function sandboxSetupTarget(env: NodeJS.ProcessEnv): SetupTarget {
  let config: SandboxConfig;
  try {
    config = loadSandboxConfig(env);
  } catch (error) {
    if (error instanceof SandboxConfigError) throw new TargetError(error.message, false);
    throw error;
  }
  const sendblueBaseUrl = config.sendblueBaseUrl ?? `http://127.0.0.1:${config.simulatorPort}`;
  if (!LOOPBACK_HOSTS.has(new URL(sendblueBaseUrl).hostname)) {
    // Registering http://127.0.0.1 URLs on a real account would only break its webhooks.
    throw new TargetError(
      `SENDBLUE_BASE_URL points the sandbox at ${new URL(sendblueBaseUrl).host}: setup would register the sandbox's ` +
        '127.0.0.1 URLs there, which Sendblue cannot reach. For a deployed stack use: setup --aws (or --stack NAME)',
      false,
    );
  }
  const api = `http://127.0.0.1:${config.port}`;
  return {
    kind: 'sandbox',
    label: `the sandbox (API ${api}, Sendblue ${sendblueBaseUrl})`,
    sendblueBaseUrl,
    urls: { receive: `${api}/webhooks/receive`, outbound: `${api}/webhooks/status` },
    webhookSecret: async () => config.webhookSecret,
    credentials: { kind: 'sandbox', credentials: { apiKeyId: config.apiKeyId, apiSecretKey: config.apiSecretKey } },
    unreachableHint: config.sendblueBaseUrl
      ? ' (SENDBLUE_BASE_URL: is it running?)'
      : " (the sandbox's simulator: is `npm start` running, and SANDBOX_SIMULATOR_PORT set as for it? Its banner's commands carry it)",
    close: () => {},
  };
}

export interface AwsSetupOptions {
  stackName?: string;
  region?: string;
  env: NodeJS.ProcessEnv;
}

/**
 * A deployed stack, from its outputs: ReceiveWebhookUrl, StatusWebhookUrl, WebhookSecretArn,
 * ApiCredentialsSecretArn, and SendblueBaseUrl (a stack deployed before that output existed
 * uses Sendblue's default API).
 */
export async function awsSetupTarget(options: AwsSetupOptions): Promise<SetupTarget> {
  const { stackName, region } = stackLocation(options);
  const outputs = await readStackOutputs(stackName, region);
  const value = (key: string) => outputValue(stackName, outputs, key);
  const urls = { receive: value('ReceiveWebhookUrl'), outbound: value('StatusWebhookUrl') };
  const webhookSecretArn = value('WebhookSecretArn');
  const credentialsArn = value('ApiCredentialsSecretArn');
  const sendblueBaseUrl =
    outputs.find((output) => output.OutputKey === 'SendblueBaseUrl')?.OutputValue ?? SENDBLUE_DEFAULT_BASE_URL;

  const client = new SecretsManagerClient({ region });
  const secrets = secretStore(client);
  return {
    kind: 'aws',
    label: `stack ${stackName} (${region})`,
    sendblueBaseUrl,
    urls,
    webhookSecret: () => secrets.read('WebhookSecret', webhookSecretArn),
    credentials: {
      kind: 'secret',
      arn: credentialsArn,
      async read() {
        const parsed = parseApiCredentials(await secrets.read('ApiCredentials', credentialsArn));
        return parsed.ok ? parsed.credentials : undefined;
      },
      write: (credentials) => secrets.write('ApiCredentials', credentialsArn, JSON.stringify(credentials)),
    },
    close: () => client.destroy(),
  };
}
