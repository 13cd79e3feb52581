import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { COMMAND_QUEUE_SETTINGS } from '../../../../lambdas/contract/command-queue-settings.js';
import { ENV } from '../../../../lambdas/contract/env.js';
import { TABLE_SCHEMA } from '../../../../lambdas/contract/table-schema.js';
import { CommandQueue } from '../../../../lib/constructs/command-queue.js';
import { SendblueSecrets } from '../../../../lib/constructs/secrets.js';
import { CommandSender } from '../../../../lib/constructs/sender.js';
import { SendblueGroupsTable } from '../../../../lib/constructs/table.js';
import { DEFAULTS } from '../../../../lib/defaults.js';
import {
  asArray,
  NO_BUNDLING,
  resourcesOfType,
  roleStatements,
  statementSummary,
  synthStack,
} from '../../../support/cdk.js';

const { stack, template } = synthStack();
const resources = template.toJSON().Resources as Record<string, any>;
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

const queueId = idOf(stack.commandQueue.queue);
const dlqId = idOf(stack.commandQueue.deadLetterQueue);
const senderId = stack.getLogicalId(stack.sender.function.function.node.defaultChild as CfnFunction);
const queue = resources[queueId].Properties;
const dlq = resources[dlqId].Properties;
const sender = resources[senderId].Properties;
const tableId = idOf(stack.table);
const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };

describe('command queue and DLQ', () => {
  it("are the only two FIFO queues (the others are the stream consumers' failure queues, test/unit/lib/constructs/events.test.ts)", () => {
    const fifo = resourcesOfType(template, 'AWS::SQS::Queue').filter(([, q]) => q.Properties?.FifoQueue);
    expect(fifo.map(([id]) => id).sort()).toEqual([queueId, dlqId].sort());
  });

  it('the command queue is FIFO with content-based deduplication and a .fifo name of at most 80 characters', () => {
    expect(queue.FifoQueue).toBe(true);
    expect(queue.ContentBasedDeduplication).toBe(true);
    expect(queue.QueueName).toMatch(/^SendblueGroups-CommandQueue-[0-9A-F]{8}\.fifo$/);
    // A command waiting for a busy line, a 429 or a check in Sendblue is kept for SQS's maximum.
    expect(queue.MessageRetentionPeriod).toBe(Duration.days(14).toSeconds());
  });

  it('the DLQ is FIFO (content-based deduplication, so the sender can put a failed command there) and keeps 14 days', () => {
    expect(dlq.FifoQueue).toBe(true);
    expect(dlq.ContentBasedDeduplication).toBe(true);
    expect(dlq.MessageRetentionPeriod).toBe(Duration.days(14).toSeconds());
    expect(dlq.RedrivePolicy).toBeUndefined();
  });

  it('the queue dead-letters to the DLQ after COMMAND_QUEUE_SETTINGS.maxReceiveCount receives', () => {
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: COMMAND_QUEUE_SETTINGS.maxReceiveCount,
    });
  });

  it('the DLQ accepts dead letters from the command queue only (redrive allow policy byQueue)', () => {
    expect(dlq.RedriveAllowPolicy).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':sqs:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              `:${queue.QueueName}`,
            ],
          ],
        },
      ],
    });
  });

  it.each([
    ['queue', queue],
    ['DLQ', dlq],
  ])('the %s is encrypted with SQS-managed keys (no KMS key, no KMS grant needed)', (_name, props) => {
    expect(props.SqsManagedSseEnabled).toBe(true);
    expect(props.KmsMasterKeyId).toBeUndefined();
  });

  it.each([
    ['queue', () => queueId],
    ['DLQ', () => dlqId],
  ])('the %s has a TLS-only policy and nothing else', (_name, id) => {
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy').filter(([, policy]) =>
      policy.Properties!.Queues.some((ref: { Ref: string }) => ref.Ref === id()),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]![1].Properties!.PolicyDocument.Statement).toEqual([
      {
        Action: 'sqs:*',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: { 'Fn::GetAtt': [id(), 'Arn'] },
      },
    ]);
  });

  it('visibility timeout is at least 6x the sender timeout (both read from the template)', () => {
    expect(queue.VisibilityTimeout).toBe(COMMAND_QUEUE_SETTINGS.visibilityTimeoutSeconds);
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * sender.Timeout);
  });

  it('the name stays within 80 characters and unique per stack, even for a 128-character stack name', () => {
    const longName = `A${'b'.repeat(127)}`;
    const { template: other } = synthStack({ stackName: longName });
    const [[, otherQueue]] = resourcesOfType(other, 'AWS::SQS::Queue').filter(([, q]) => q.Properties?.QueueName) as [
      [string, any],
    ];
    expect(otherQueue.Properties.QueueName.length).toBeLessThanOrEqual(80);
    expect(otherQueue.Properties.QueueName).toMatch(/^Abbb.*\.fifo$/);
    expect(otherQueue.Properties.QueueName).not.toBe(queue.QueueName);
  });
});

describe('sender Lambda', () => {
  it('runs Node.js 24 on arm64 with the shared timeout, default memory and a retained log group', () => {
    expect(sender.Runtime).toBe('nodejs24.x');
    expect(sender.Architectures).toEqual(['arm64']);
    expect(sender.Timeout).toBe(COMMAND_QUEUE_SETTINGS.senderTimeoutSeconds);
    expect(sender.MemorySize).toBe(DEFAULTS.lambda.memorySize);
    expect(sender.Handler).toBe('index.handler');
    const logGroupId = sender.LoggingConfig.LogGroup.Ref as string;
    expect(logGroupId).toBe(idOf(stack.sender.function.logGroup));
    expect(resources[logGroupId].Properties.RetentionInDays).toBe(30);
  });

  it('gets exactly its environment (names from lambdas/contract/env.ts)', () => {
    const apiEndpoint = { 'Fn::GetAtt': [idOf(stack.api.httpApi), 'ApiEndpoint'] };
    expect(sender.Environment.Variables).toEqual({
      [ENV.tableName]: { Ref: tableId },
      [ENV.apiCredentialsSecretArn]: { Ref: 'ApiCredentials' },
      [ENV.callbackTokenSecretArn]: { Ref: 'StatusCallbackToken' },
      [ENV.statusWebhookUrl]: { 'Fn::Join': ['', [apiEndpoint, '/webhooks/status']] },
      [ENV.fromNumber]: DEFAULTS.fromNumber,
      [ENV.sendblueBaseUrl]: DEFAULTS.sendblueBaseUrl,
      [ENV.sendblueTimeoutMs]: String(COMMAND_QUEUE_SETTINGS.sendblueTimeoutMs),
      [ENV.commandQueueUrl]: { Ref: queueId },
      [ENV.deadLetterQueueUrl]: { Ref: dlqId },
      [ENV.maxAttempts]: String(COMMAND_QUEUE_SETTINGS.maxAttempts),
      [ENV.outageBudgetSeconds]: '3600',
      [ENV.lineRatePerSecond]: '1',
      [ENV.lineBurst]: '10',
      [ENV.newContactsPerHour]: '15',
      [ENV.newContactsPerDay]: '50',
      [ENV.ourLines]: DEFAULTS.fromNumber,
    });
  });

  it('takes optedOutMembers and the backfill lines (our other lines, for pre-flight) from context', () => {
    const { stack: custom, template: customTemplate } = synthStack({
      optedOutMembers: 'send',
      backfillLines: '+14155550124',
    });
    const id = custom.getLogicalId(custom.sender.function.function.node.defaultChild as CfnFunction);
    expect(customTemplate.toJSON().Resources[id].Properties.Environment.Variables).toMatchObject({
      [ENV.optedOutMembers]: 'send',
      [ENV.ourLines]: `${DEFAULTS.fromNumber},+14155550124`,
    });
  });

  it('takes fromNumber, sendblueBaseUrl, the line pacing and the outage budget from context', () => {
    const { stack: custom, template: customTemplate } = synthStack({
      fromNumber: '+14155550123',
      sendblueBaseUrl: 'https://sendblue.example/',
      lineRatePerSecond: '0.5',
      lineBurst: 4,
      outageBudgetSeconds: 900,
      newContactsPerHour: '0',
      newContactsPerDay: 0,
    });
    const id = custom.getLogicalId(custom.sender.function.function.node.defaultChild as CfnFunction);
    expect(customTemplate.toJSON().Resources[id].Properties.Environment.Variables).toMatchObject({
      [ENV.fromNumber]: '+14155550123',
      [ENV.sendblueBaseUrl]: 'https://sendblue.example',
      [ENV.lineRatePerSecond]: '0.5',
      [ENV.lineBurst]: '4',
      [ENV.outageBudgetSeconds]: '900',
      [ENV.newContactsPerHour]: '0',
      [ENV.newContactsPerDay]: '0',
    });
  });

  it('is fed by the command queue: batches, partial batch failures, bounded concurrency', () => {
    const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => m.Properties?.FunctionName?.Ref === senderId,
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: senderId },
      BatchSize: COMMAND_QUEUE_SETTINGS.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: COMMAND_QUEUE_SETTINGS.maxConcurrency },
    });
  });

  it('refuses a queue whose visibility timeout is under 6x its timeout', () => {
    const app = new App({ context: { ...NO_BUNDLING } });
    const scope = new Stack(app, 'Probe');
    const table = new SendblueGroupsTable(scope, 'Table');
    const secrets = new SendblueSecrets(scope, 'Secrets');
    const commands = new CommandQueue(scope, 'Commands', { visibilityTimeout: Duration.seconds(60) });
    expect(
      () =>
        new CommandSender(scope, 'Sender', {
          commands,
          table,
          apiCredentials: secrets.apiCredentials,
          statusCallbackToken: secrets.statusCallbackToken,
          statusWebhookUrl: 'https://example.com/webhooks/status',
          fromNumber: '+14155550123',
          sendblueBaseUrl: DEFAULTS.sendblueBaseUrl,
        }),
    ).toThrow(/visibility timeout \(60 s\) must be at least 6x the sender's timeout \(30 s\)/);
  });
  it('refuses an outage budget over a day (the probe gap would stretch past minutes)', () => {
    const app = new App({ context: { ...NO_BUNDLING } });
    const scope = new Stack(app, 'Probe');
    const table = new SendblueGroupsTable(scope, 'Table');
    const secrets = new SendblueSecrets(scope, 'Secrets');
    const commands = new CommandQueue(scope, 'Commands');
    expect(
      () =>
        new CommandSender(scope, 'Sender', {
          commands,
          table,
          apiCredentials: secrets.apiCredentials,
          statusCallbackToken: secrets.statusCallbackToken,
          statusWebhookUrl: 'https://example.com/webhooks/status',
          fromNumber: '+14155550123',
          sendblueBaseUrl: DEFAULTS.sendblueBaseUrl,
          outageBudget: Duration.hours(25),
        }),
    ).toThrow(/outageBudget must be from 1 second to 1 day, got 1 day 1 hour/);
  });
});

describe('sender IAM', () => {
  const statements = roleStatements(template, 'SenderFunctionRole');

  it('has exactly these statements', () => {
    expect(statementSummary(statements)).toEqual({
      WriteOwnLogs: {
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [{ 'Fn::GetAtt': [idOf(stack.sender.function.logGroup), 'Arn'] }],
      },
      ReadWriteCommandsAndMessages: {
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [tableArn],
      },
      QueryMessagesAndGroupTimeline: {
        actions: ['dynamodb:Query'],
        resources: [tableArn, { 'Fn::Join': ['', [tableArn, `/index/${TABLE_SCHEMA.groupTimelineIndex.name}`]] }],
      },
      ReadContactOptOuts: { actions: ['dynamodb:BatchGetItem'], resources: [tableArn] },
      RememberLineContacts: { actions: ['dynamodb:BatchWriteItem'], resources: [tableArn] },
      ReadSendblueSecrets: {
        actions: ['secretsmanager:GetSecretValue'],
        resources: [{ Ref: 'ApiCredentials' }, { Ref: 'StatusCallbackToken' }],
      },
      DeadLetterFailedCommands: { actions: ['sqs:SendMessage'], resources: [{ 'Fn::GetAtt': [dlqId, 'Arn'] }] },
      // Added by the SQS event source (consume rights); ChangeMessageVisibility is the sender's retry backoff.
      '(no sid)': {
        actions: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        resources: [{ 'Fn::GetAtt': [queueId, 'Arn'] }],
      },
    });
  });

  it('cannot read the webhook secret, send to the command queue, or use a wildcard', () => {
    expect(JSON.stringify(statements)).not.toContain('WebhookSecret');
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Condition).toBeUndefined();
      for (const action of asArray(statement.Action)) expect(action).not.toContain('*');
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
      if (asArray(statement.Action).includes('sqs:SendMessage')) {
        expect(statement.Resource).toEqual({ 'Fn::GetAtt': [dlqId, 'Arn'] });
      }
    }
  });

  it('needs no KMS statement (SSE-SQS queues, aws/secretsmanager and aws/dynamodb keys)', () => {
    for (const statement of statements) {
      for (const action of asArray(statement.Action)) expect(action).not.toMatch(/^kms:/);
    }
  });
});

describe('queue outputs', () => {
  it('CommandQueueUrl and DeadLetterQueueUrl are the queue URLs, described', () => {
    template.hasOutput('CommandQueueUrl', {
      Value: { Ref: queueId },
      Description: Match.stringLikeRegexp('MessageGroupId'),
    });
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: dlqId }, Description: Match.stringLikeRegexp('failed') });
  });
});
