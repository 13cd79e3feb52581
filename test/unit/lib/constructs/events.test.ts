/**
 * Issue 11 parts 3 and 4 in the template: the table's stream, the two stream consumers (mapping,
 * failure queue, role), the event bus and its archive, the media bucket, and the switches.
 */
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../../../lambdas/events/domain-events.js';
import { ENV } from '../../../../lambdas/contract/env.js';
import { STREAM_CONSUMER_SETTINGS } from '../../../../lambdas/contract/stream-consumer-settings.js';
import {
  CONTACTS_STREAM_FILTERS,
  EVENTS_STREAM_FILTERS,
  MEDIA_STREAM_FILTERS,
} from '../../../../lambdas/events/stream-filters.js';
import { type ConfigError, parseConfig } from '../../../../lib/config.js';
import { DEFAULTS } from '../../../../lib/defaults.js';
import {
  resourcesOfType,
  roleStatements,
  statementSummary,
  synthStack,
  unacknowledgedFindings,
} from '../../../support/cdk.js';

const { stack, template } = synthStack();
const resources = template.toJSON().Resources as Record<string, any>;
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const tableId = idOf(stack.table);
const streamArn = { 'Fn::GetAtt': [tableId, 'StreamArn'] };
const events = stack.events!;
const media = stack.media!;
const eventsFn = idOf(events.consumer.function.function);
const mediaFn = idOf(media.consumer.function.function);
const contacts = stack.contacts;
const contactsFn = idOf(contacts.consumer.function.function);
const busId = idOf(events.bus);
const bucketId = idOf(media.bucket);
const bucketArn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
const mappingOf = (functionId: string) =>
  resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').find(
    ([, m]) => m.Properties?.FunctionName?.Ref === functionId,
  )![1].Properties;

describe('the table stream', () => {
  it('has new and old images (a consumer sees what changed without a read)', () => {
    expect(resources[tableId].Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('stays on when neither events nor media are on: the contacts ledger reads it', () => {
    const { template: plain } = synthStack({ events: false, media: false });
    const [[, table]] = resourcesOfType(plain, 'AWS::DynamoDB::Table') as [[string, any]];
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });
});

describe.each([
  ['events', () => eventsFn, () => events.consumer, STREAM_CONSUMER_SETTINGS.events, EVENTS_STREAM_FILTERS],
  ['media', () => mediaFn, () => media.consumer, STREAM_CONSUMER_SETTINGS.media, MEDIA_STREAM_FILTERS],
  ['contacts', () => contactsFn, () => contacts.consumer, STREAM_CONSUMER_SETTINGS.contacts, CONTACTS_STREAM_FILTERS],
] as const)('the %s consumer', (_name, functionId, consumer, settings, filters) => {
  it('reads the stream from its oldest record, in order, with batch item failures, bisect, a retry limit, a record age and an on-failure queue', () => {
    const queueId = idOf(consumer().failureQueue);
    expect(mappingOf(functionId())).toEqual({
      FunctionName: { Ref: functionId() },
      EventSourceArn: streamArn,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: settings.batchSize,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: settings.retryAttempts,
      MaximumRecordAgeInSeconds: STREAM_CONSUMER_SETTINGS.maxRecordAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      FilterCriteria: { Filters: filters.map((pattern) => ({ Pattern: JSON.stringify(pattern) })) },
    });
  });

  it('gives up batches to a standard queue that is encrypted (SSE-SQS) and TLS-only', () => {
    const queueId = idOf(consumer().failureQueue);
    expect(resources[queueId].Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy').filter(([, p]) =>
      p.Properties!.Queues.some((q: { Ref: string }) => q.Ref === queueId),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]![1].Properties!.PolicyDocument.Statement).toEqual([
      {
        Action: 'sqs:*',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      },
    ]);
  });

  it('runs Node.js 24 on arm64 with its own log group', () => {
    const props = resources[functionId()].Properties;
    expect(props).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
    expect(resources[props.LoggingConfig.LogGroup.Ref].Properties.RetentionInDays).toBe(30);
  });
});

describe('events', () => {
  it('a custom bus and an archive of everything the stack publishes, kept 30 days', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    expect(resources[busId].Properties.Policy).toBeUndefined(); // no other account may put events
    const [[, archive]] = resourcesOfType(template, 'AWS::Events::Archive') as [[string, any]];
    expect(archive.Properties).toMatchObject({
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      EventPattern: { source: [EVENT_SOURCE] },
      RetentionDays: DEFAULTS.events.archiveDays,
    });
  });

  it('takes the archive retention from context; 0 keeps events for ever', () => {
    const archiveOf = (context: Record<string, unknown>) =>
      resourcesOfType(synthStack(context).template, 'AWS::Events::Archive')[0]![1].Properties as any;
    expect(archiveOf({ eventArchiveDays: '7' }).RetentionDays).toBe(7);
    expect(archiveOf({ eventArchiveDays: 0 }).RetentionDays).toBe(0); // EventBridge: 0 = kept indefinitely
  });

  it('the publisher may put events on this bus only, read the stream and report given-up batches', () => {
    const logGroupId = idOf(events.consumer.function.logGroup);
    expect(statementSummary(roleStatements(template, 'EventsPublisher'))).toEqual({
      WriteOwnLogs: {
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [{ 'Fn::GetAtt': [logGroupId, 'Arn'] }],
      },
      ReadTableStream: {
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      },
      ListTableStreams: { actions: ['dynamodb:ListStreams'], resources: ['*'] },
      ReportGivenUpBatches: {
        actions: ['sqs:SendMessage'],
        resources: [{ 'Fn::GetAtt': [idOf(events.consumer.failureQueue), 'Arn'] }],
      },
      PutDomainEvents: { actions: ['events:PutEvents'], resources: [{ 'Fn::GetAtt': [busId, 'Arn'] }] },
    });
  });

  it('the publisher knows only the bus', () => {
    expect(resources[eventsFn].Properties.Environment.Variables).toEqual({ [ENV.eventBusName]: { Ref: busId } });
  });

  it('outputs the bus name and ARN', () => {
    template.hasOutput('EventBusName', { Value: { Ref: busId } });
    template.hasOutput('EventBusArn', { Value: { 'Fn::GetAtt': [busId, 'Arn'] } });
  });
});

describe('media', () => {
  it('a private bucket: S3-managed encryption, every public access blocked, objects owned by the bucket, retained', () => {
    expect(resources[bucketId]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const props = resources[bucketId].Properties;
    expect(props.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(props.WebsiteConfiguration).toBeUndefined();
    expect(props.CorsConfiguration).toBeUndefined();
  });

  it('a bucket policy that denies every request not over TLS, and nothing else', () => {
    const [[, policy]] = resourcesOfType(template, 'AWS::S3::BucketPolicy') as [[string, any]];
    expect(policy.Properties.Bucket).toEqual({ Ref: bucketId });
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 's3:*',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }],
      },
    ]);
  });

  it('copies expire after 365 days by default, after mediaRetentionDays, or never with 0', () => {
    expect(resources[bucketId].Properties.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'ExpireMediaCopies',
        Prefix: 'media/',
        Status: 'Enabled',
        ExpirationInDays: 365,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
    const rulesOf = (context: Record<string, unknown>) =>
      (resourcesOfType(synthStack(context).template, 'AWS::S3::Bucket')[0]![1].Properties as any).LifecycleConfiguration
        .Rules;
    expect(rulesOf({ mediaRetentionDays: '30' })[0].ExpirationInDays).toBe(30);
    expect(rulesOf({ mediaRetentionDays: 0 })[0].ExpirationInDays).toBeUndefined();
  });

  it('the copier may put objects under media/, update the table, read the stream and report given-up batches', () => {
    const logGroupId = idOf(media.consumer.function.logGroup);
    expect(statementSummary(roleStatements(template, 'MediaCopier'))).toEqual({
      WriteOwnLogs: {
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [{ 'Fn::GetAtt': [logGroupId, 'Arn'] }],
      },
      ReadTableStream: {
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      },
      ListTableStreams: { actions: ['dynamodb:ListStreams'], resources: ['*'] },
      ReportGivenUpBatches: {
        actions: ['sqs:SendMessage'],
        resources: [{ 'Fn::GetAtt': [idOf(media.consumer.failureQueue), 'Arn'] }],
      },
      PutMediaCopies: { actions: ['s3:PutObject'], resources: [{ 'Fn::Join': ['', [bucketArn, '/media/*']] }] },
      RecordMediaCopies: { actions: ['dynamodb:UpdateItem'], resources: [{ 'Fn::GetAtt': [tableId, 'Arn'] }] },
    });
  });

  it('the copier gets the table, the bucket, the size cap and the download time; memory and time for a batch of downloads', () => {
    const props = resources[mediaFn].Properties;
    expect(props.Environment.Variables).toEqual({
      [ENV.tableName]: { Ref: tableId },
      [ENV.mediaBucketName]: { Ref: bucketId },
      [ENV.mediaMaxBytes]: String(100 * 1024 * 1024),
      [ENV.mediaFetchTimeoutMs]: '60000',
    });
    expect(props.MemorySize).toBe(512);
    expect(props.Timeout).toBe(300);
    // Each download of a batch fits in the function's time.
    expect(STREAM_CONSUMER_SETTINGS.media.batchSize * (DEFAULTS.media.fetchTimeoutMs / 1000 + 10)).toBeLessThanOrEqual(
      props.Timeout,
    );
  });

  it('outputs the bucket name', () => {
    template.hasOutput('MediaBucketName', { Value: { Ref: bucketId } });
  });
});

describe('switches (context events, media)', () => {
  const countsOf = (context: Record<string, unknown>) => {
    const { template: t, stack: s, app } = synthStack(context);
    return {
      functions: resourcesOfType(t, 'AWS::Lambda::Function').length,
      buses: resourcesOfType(t, 'AWS::Events::EventBus').length,
      buckets: resourcesOfType(t, 'AWS::S3::Bucket').length,
      mappings: resourcesOfType(t, 'AWS::Lambda::EventSourceMapping').length,
      outputs: Object.keys(t.toJSON().Outputs)
        .filter((key) => /EventBus|MediaBucket/.test(key))
        .sort(),
      readPresigns: JSON.stringify(roleStatements(t, 'ReadFunction')).includes('s3:GetObject'),
      readFunctionId: s.getLogicalId(s.reads.function.node.defaultChild as CfnFunction),
      nag: unacknowledgedFindings(app),
    };
  };

  it('both on by default; each can be switched off alone (-c events=false, -c media=false); cdk-nag clean every way', () => {
    // ingest, read, sender, backfill and contacts, plus events and media when on.
    expect(countsOf({})).toMatchObject({
      functions: 7,
      buses: 1,
      buckets: 1,
      mappings: 4,
      outputs: ['EventBusArn', 'EventBusName', 'MediaBucketName'],
      readPresigns: true,
      nag: [],
    });
    expect(countsOf({ events: 'false' })).toMatchObject({
      functions: 6,
      buses: 0,
      buckets: 1,
      mappings: 3,
      outputs: ['MediaBucketName'],
      readPresigns: true,
      nag: [],
    });
    expect(countsOf({ media: false })).toMatchObject({
      functions: 6,
      buses: 1,
      buckets: 0,
      mappings: 3,
      outputs: ['EventBusArn', 'EventBusName'],
      readPresigns: false,
      nag: [],
    });
    expect(countsOf({ events: false, media: 'false' })).toMatchObject({
      functions: 5,
      buses: 0,
      buckets: 0,
      mappings: 2,
      outputs: [],
      readPresigns: false,
      nag: [],
    });
  });

  it('refuses values that are not true/false or a number of days, naming each key', () => {
    const problems = (context: Record<string, unknown>) => {
      try {
        parseConfig((key) => context[key]);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ events: 'yes', media: 1, eventArchiveDays: -1, mediaRetentionDays: '1.5' })).toEqual([
      'events must be true or false, got "yes"',
      'eventArchiveDays must be a whole number of days from 0 (keep for ever) to 36500, got -1',
      'media must be true or false, got 1',
      'mediaRetentionDays must be a whole number of days from 0 (keep for ever) to 36500, got "1.5"',
    ]);
  });
});
