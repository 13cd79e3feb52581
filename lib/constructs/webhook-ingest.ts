import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ENV } from '../../lambdas/contract/env.js';
import { DEFAULTS } from '../defaults.js';
import { NodeFunction } from './node-function.js';
import type { SendblueGroupsTable } from './table.js';

export interface WebhookIngestProps {
  /** Where webhook events are stored. */
  readonly table: SendblueGroupsTable;
  /** The expected `sb-signing-secret` header value. */
  readonly webhookSecret: ISecret;
  /** The `?token=` the sender appends to the status URL (per-message callbacks carry no header). */
  readonly statusCallbackToken: ISecret;
  /**
   * Largest webhook body accepted, bytes; a larger one is answered 413.
   * @default DEFAULTS.maxBodyBytes (256 KB)
   */
  readonly maxBodyBytes?: number;
  /**
   * Retention of the function's log group.
   * @default DEFAULTS.logRetention (one month)
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The ingest Lambda behind POST /webhooks/receive and /webhooks/status (lambdas/handlers/ingest.ts).
 * Its role allows exactly: writing table items (a webhook never reads before it writes:
 * conditional writes decide idempotency) and reading the webhook secret and the callback token.
 */
export class WebhookIngest extends NodeFunction {
  constructor(scope: Construct, id: string, props: WebhookIngestProps) {
    const { table } = props;
    super(scope, id, {
      code: 'ingest',
      description: 'Sendblue receive and status webhooks -> DynamoDB',
      logRetention: props.logRetention,
      environment: {
        [ENV.tableName]: table.tableName,
        [ENV.webhookSecretArn]: props.webhookSecret.secretArn,
        [ENV.callbackTokenSecretArn]: props.statusCallbackToken.secretArn,
        [ENV.maxBodyBytes]: String(props.maxBodyBytes ?? DEFAULTS.maxBodyBytes),
      },
    });
    // Writes only: a webhook never reads before it writes (conditional writes decide idempotency).
    this.addToRolePolicy(
      new PolicyStatement({
        sid: 'WriteEvents',
        effect: Effect.ALLOW,
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [table.tableArn],
      }),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadWebhookAuthSecrets',
        effect: Effect.ALLOW,
        // The secrets use the default aws/secretsmanager key: no kms:Decrypt statement needed.
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.webhookSecret.secretArn, props.statusCallbackToken.secretArn],
      }),
    );
  }
}
