import { SecretValue, Validations } from 'aws-cdk-lib';
import { CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface SendblueSecretsProps {
  /**
   * Length of the generated webhook secret.
   * @default 48
   */
  readonly webhookSecretLength?: number;
}

/** What the ApiCredentials secret holds; the stack creates it with empty values. */
export const API_CREDENTIALS_PLACEHOLDER = { apiKeyId: '', apiSecretKey: '' } as const;

const ROTATION_REASON =
  'Rotation cannot be automatic: the value must equal what is configured in Sendblue (API keys are issued by ' +
  "Sendblue; the webhook secret is pasted into Sendblue's dashboard). Rotate by hand in both places; the " +
  'Lambdas re-read secrets every 5 minutes, so no redeploy is needed.';

/**
 * The two secrets, with fixed logical ids `ApiCredentials` and `WebhookSecret` (stable across
 * refactors; Secrets Manager names them `ApiCredentials-xxxx` / `WebhookSecret-xxxx`).
 * Both use the default `aws/secretsmanager` key, so readers need no KMS statement.
 */
export class SendblueSecrets extends Construct {
  /** `{"apiKeyId": "...", "apiSecretKey": "..."}`: created empty, the user fills it in. */
  readonly apiCredentials: Secret;
  /** Expected `sb-signing-secret` header value, generated at deploy time (never in the template). */
  readonly webhookSecret: Secret;

  constructor(scope: Construct, id: string, props: SendblueSecretsProps = {}) {
    super(scope, id);

    this.apiCredentials = new Secret(this, 'ApiCredentials', {
      description:
        'Sendblue API credentials for sendblue-groups. Put your keys here as {"apiKeyId":"...","apiSecretKey":"..."}.',
      // Placeholder only (two empty strings): no real secret is ever in the template.
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify(API_CREDENTIALS_PLACEHOLDER)),
    });
    (this.apiCredentials.node.defaultChild as CfnSecret).overrideLogicalId('ApiCredentials');

    this.webhookSecret = new Secret(this, 'WebhookSecret', {
      description:
        "Sendblue webhook secret for sendblue-groups: paste it into Sendblue's webhook settings (sb-signing-secret).",
      generateSecretString: {
        passwordLength: props.webhookSecretLength ?? 48,
        // Letters and digits only: survives copy/paste into a dashboard, a header and a URL query.
        excludePunctuation: true,
        includeSpace: false,
      },
    });
    (this.webhookSecret.node.defaultChild as CfnSecret).overrideLogicalId('WebhookSecret');

    for (const secret of [this.apiCredentials, this.webhookSecret]) {
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: ROTATION_REASON });
    }
  }
}
