import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/contract/env.js';
import { MEDIA_PREFIX } from '../../lambdas/media/media-rules.js';
import { MEDIA_STREAM_FILTERS } from '../../lambdas/events/stream-filters.js';
import { DEFAULTS } from '../defaults.js';
import type { NodeFunction } from './node-function.js';
import { StreamConsumer } from './stream-consumer.js';
import type { SendblueGroupsTable } from './table.js';

export interface MediaArchiveProps {
  /** The table whose new inbound messages are read (and whose message items record the copy). */
  readonly table: SendblueGroupsTable;
  /**
   * Days a copy is kept before S3 deletes it; 0 keeps copies for ever.
   * @default DEFAULTS.media.retentionDays (365)
   */
  readonly retentionDays?: number;
  /**
   * Largest copy, bytes (a larger file is recorded as refused).
   * @default DEFAULTS.media.maxBytes (100 MB)
   */
  readonly maxBytes?: number;
  /**
   * @default DEFAULTS.logRetention (one month)
   */
  readonly logRetention?: RetentionDays;
}

/**
 * Copies of inbound media (docs/media.md): a private S3 bucket (S3-managed encryption, every
 * public access blocked, TLS-only policy, objects owned by the bucket, an expiry lifecycle,
 * retained on stack delete) and the media Lambda on the table's stream, which downloads each new
 * inbound message's `media_url` (https, public addresses only, size and time capped), puts it
 * under `media/` and records it on the message. Its role may put objects under `media/` and
 * update the table's items, plus what reading the stream needs. `allowLinks` lets the read
 * Lambda presign GET links to `media/*`.
 */
export class MediaArchive extends Construct {
  readonly bucket: Bucket;
  readonly consumer: StreamConsumer;

  constructor(scope: Construct, id: string, props: MediaArchiveProps) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? DEFAULTS.media.retentionDays;

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // User data, like the table: kept when the stack is deleted.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'ExpireMediaCopies',
          prefix: MEDIA_PREFIX,
          ...(retentionDays > 0 ? { expiration: Duration.days(retentionDays) } : {}),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'No server access log bucket: objects are written only by the media Lambda (its log says which message) and ' +
        'read only through presigned links the IAM-authorized read API hands out; an access log would cost a write per ' +
        'link opened. Turn on CloudTrail data events for the bucket if you need an audit trail.',
    });

    this.consumer = new StreamConsumer(this, 'Copier', {
      table: props.table,
      handler: 'media',
      description: 'Table stream -> copies of inbound media in S3',
      batchSize: DEFAULTS.media.batchSize,
      retryAttempts: DEFAULTS.media.retryAttempts,
      memorySize: DEFAULTS.media.memorySize,
      timeout: DEFAULTS.media.timeout,
      filters: MEDIA_STREAM_FILTERS,
      logRetention: props.logRetention,
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.mediaBucketName]: this.bucket.bucketName,
        [ENV.mediaMaxBytes]: String(props.maxBytes ?? DEFAULTS.media.maxBytes),
        [ENV.mediaFetchTimeoutMs]: String(DEFAULTS.media.fetchTimeoutMs),
      },
    });
    this.consumer.addToRolePolicy(
      new PolicyStatement({
        sid: 'PutMediaCopies',
        effect: Effect.ALLOW,
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${MEDIA_PREFIX}*`)],
      }),
    );
    this.consumer.addToRolePolicy(
      new PolicyStatement({
        // One conditional UpdateItem per message: where its copy is, or why there is none.
        sid: 'RecordMediaCopies',
        effect: Effect.ALLOW,
        actions: ['dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
      }),
    );
    this.acknowledgeObjectWildcard(
      this.consumer.function,
      'The media Lambda puts each copy under media/<group_id>/<message_handle>/<file>: keys are only known per message.',
    );
  }

  /** Lets a function presign GET links to copies (s3:GetObject on `media/*`) and tells it the bucket. */
  allowLinks(fn: NodeFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'PresignMediaLinks',
        effect: Effect.ALLOW,
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${MEDIA_PREFIX}*`)],
      }),
    );
    fn.function.addEnvironment(ENV.mediaBucketName, this.bucket.bucketName);
    this.acknowledgeObjectWildcard(
      fn,
      'The read Lambda presigns GET links to copies under media/ only; a link is valid for what this role may read.',
    );
  }

  private acknowledgeObjectWildcard(fn: NodeFunction, reason: string): void {
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${MEDIA_PREFIX}*]`,
      reason,
    });
  }
}
