import { SecretValue, Validations } from 'aws-cdk-lib';
import { type CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DEFAULTS } from '../defaults.js';

export interface SendblueSecretsProps {
  /**
   * Length of the generated webhook secret.
   * @default DEFAULTS.generatedSecretLength (48)
   */
  readonly webhookSecretLength?: number;
  /**
   * Length of the generated status callback token.
   * @default DEFAULTS.generatedSecretLength (48)
   */
  readonly callbackTokenLength?: number;
  /**
   * Put before the fixed logical ids, so that two instances in one stack do not collide
   * (`MessagingApiCredentials`). Letters and digits.
   * @default '' (the ids are `ApiCredentials`, `WebhookSecret` and `StatusCallbackToken`)
   */
  readonly logicalIdPrefix?: string;
}

/** What the ApiCredentials secret holds; the stack creates it with empty values. */
const API_CREDENTIALS_PLACEHOLDER = { apiKeyId: '', apiSecretKey: '' } as const;

const ROTATION_REASON =
  'Rotation cannot be automatic: the value must equal what is configured in Sendblue (API keys are issued by ' +
  "Sendblue; the webhook secret is pasted into Sendblue's dashboard). Rotate by hand in both places; the " +
  'Lambdas re-read secrets every 5 minutes, so no redeploy is needed.';

const CALLBACK_TOKEN_ROTATION_REASON =
  'Not rotated automatically: the sender puts this token on the status_callback URL of every message it sends, ' +
  'so a rotation makes the ingest Lambda reject (401) the callbacks of messages still in flight. Rotate by hand ' +
  'when no send is in flight; the Lambdas re-read secrets every 5 minutes, so no redeploy is needed.';

/** Letters and digits only: survives copy/paste into a dashboard, a header and a URL query. */
const generated = (passwordLength: number) => ({ passwordLength, excludePunctuation: true, includeSpace: false });

/**
 * The three secrets, with fixed logical ids `ApiCredentials`, `WebhookSecret` and
 * `StatusCallbackToken`, after `logicalIdPrefix` (stable across refactors; Secrets Manager names
 * them `ApiCredentials-xxxx` and so on). All use the default `aws/secretsmanager` key, so readers
 * need no KMS statement.
 */
export class SendblueSecrets extends Construct {
  /** `{"apiKeyId": "...", "apiSecretKey": "..."}`: created empty, the user fills it in. */
  readonly apiCredentials: Secret;
  /** Expected `sb-signing-secret` header value, generated at deploy time (never in the template). */
  readonly webhookSecret: Secret;
  /**
   * Token the sender appends to the status URL it gives Sendblue (`?token=`), generated at deploy
   * time. Apart from the webhook secret so that the sender, which must put it in URLs, cannot read
   * the webhook secret; the ingest Lambda reads both.
   */
  readonly statusCallbackToken: Secret;

  constructor(scope: Construct, id: string, props: SendblueSecretsProps = {}) {
    super(scope, id);
    const prefix = props.logicalIdPrefix ?? '';
    if (!/^[A-Za-z0-9]*$/.test(prefix))
      throw new Error(`${this.node.path}: logicalIdPrefix must be letters and digits`);

    this.apiCredentials = new Secret(this, 'ApiCredentials', {
      description:
        'Sendblue API credentials for sendblue-groups. Put your keys here as {"apiKeyId":"...","apiSecretKey":"..."}.',
      // Placeholder only (two empty strings): no real secret is ever in the template.
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify(API_CREDENTIALS_PLACEHOLDER)),
    });
    (this.apiCredentials.node.defaultChild as CfnSecret).overrideLogicalId(`${prefix}ApiCredentials`);

    this.webhookSecret = new Secret(this, 'WebhookSecret', {
      description:
        "Sendblue webhook secret for sendblue-groups: paste it into Sendblue's webhook settings (sb-signing-secret).",
      generateSecretString: generated(props.webhookSecretLength ?? DEFAULTS.generatedSecretLength),
    });
    (this.webhookSecret.node.defaultChild as CfnSecret).overrideLogicalId(`${prefix}WebhookSecret`);

    this.statusCallbackToken = new Secret(this, 'StatusCallbackToken', {
      description:
        'Status callback token for sendblue-groups: the sender appends it to the status URL it gives Sendblue (?token=), ' +
        'the ingest Lambda checks it. Nothing to configure in Sendblue.',
      generateSecretString: generated(props.callbackTokenLength ?? DEFAULTS.generatedSecretLength),
    });
    (this.statusCallbackToken.node.defaultChild as CfnSecret).overrideLogicalId(`${prefix}StatusCallbackToken`);

    for (const secret of [this.apiCredentials, this.webhookSecret]) {
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: ROTATION_REASON });
    }
    Validations.of(this.statusCallbackToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: CALLBACK_TOKEN_ROTATION_REASON,
    });
  }
}
