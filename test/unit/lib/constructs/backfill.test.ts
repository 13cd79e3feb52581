/**
 * The Backfill construct as synthesized: the function's settings and environment, its role (only
 * what its code calls), the EventBridge Scheduler schedule and its role (invoke this function
 * only, from this account's default schedule group), the async-invoke settings, the output, and
 * the context switches (interval, 0 = no schedule; extra lines).
 */
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { BACKFILL_ENV, BACKFILL_SETTINGS } from '../../../../lambdas/contract/backfill-settings.js';
import { ENV } from '../../../../lambdas/contract/env.js';
import { TABLE_SCHEMA } from '../../../../lambdas/contract/table-schema.js';
import { DEFAULTS } from '../../../../lib/defaults.js';
import { asArray, resourcesOfType, roleStatements, statementSummary, synthStack } from '../../../support/cdk.js';

const { stack, template } = synthStack();
const resources = template.toJSON().Resources as Record<string, any>;
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const functionId = stack.getLogicalId(stack.backfill.function.function.node.defaultChild as CfnFunction);
const fn = resources[functionId].Properties;
const tableId = idOf(stack.table);
const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
const dlqId = idOf(stack.commandQueue.deadLetterQueue);
const schedulerRoleId = idOf(stack.backfill.schedulerRole!);

describe('backfill Lambda', () => {
  it('runs Node.js 24 on arm64 with default memory, a timeout above its run budget, and a retained log group', () => {
    expect(fn.Runtime).toBe('nodejs24.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.MemorySize).toBe(DEFAULTS.lambda.memorySize);
    expect(fn.Timeout).toBe(BACKFILL_SETTINGS.timeoutSeconds);
    expect(fn.Timeout).toBeGreaterThan(BACKFILL_SETTINGS.runBudgetSeconds + BACKFILL_SETTINGS.sendblueTimeoutMs / 1000);
    expect(fn.Handler).toBe('index.handler');
    expect(fn.TracingConfig).toBeUndefined();
    expect(resources[fn.LoggingConfig.LogGroup.Ref].Properties.RetentionInDays).toBe(30);
  });

  it('gets exactly its environment (no webhook secret, no callback token, no command queue)', () => {
    expect(fn.Environment.Variables).toEqual({
      [ENV.tableName]: { Ref: tableId },
      [ENV.apiCredentialsSecretArn]: { Ref: 'ApiCredentials' },
      [ENV.sendblueBaseUrl]: DEFAULTS.sendblueBaseUrl,
      [ENV.fromNumber]: DEFAULTS.fromNumber,
      [ENV.deadLetterQueueUrl]: { Ref: dlqId },
      [BACKFILL_ENV.lines]: DEFAULTS.fromNumber,
      [BACKFILL_ENV.overlapMinutes]: '10',
      [BACKFILL_ENV.lookbackMinutes]: '10',
      [BACKFILL_ENV.unsettledMinAgeMinutes]: '60',
    });
  });

  it('a failed asynchronous run is not retried by Lambda and an invocation older than one interval is dropped', () => {
    const configs = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig');
    expect(configs).toHaveLength(1);
    expect(configs[0]![1].Properties).toEqual({
      FunctionName: { Ref: functionId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
    });
  });

  it('its role may do exactly what its code calls, on the narrowest resources', () => {
    const logGroupId = idOf(stack.backfill.function.logGroup);
    expect(statementSummary(roleStatements(template, 'BackfillFunctionRole'))).toEqual({
      WriteOwnLogs: {
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [{ 'Fn::GetAtt': [logGroupId, 'Arn'] }],
      },
      StoreEventsAndSettleCommands: {
        actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [tableArn],
      },
      QueryMessagesAndUnsettledCommands: {
        actions: ['dynamodb:Query'],
        resources: [tableArn, { 'Fn::Join': ['', [tableArn, `/index/${TABLE_SCHEMA.groupTimelineIndex.name}`]] }],
      },
      ReadApiCredentials: { actions: ['secretsmanager:GetSecretValue'], resources: [{ Ref: 'ApiCredentials' }] },
      DeadLetterNeverSentCommands: { actions: ['sqs:SendMessage'], resources: [{ 'Fn::GetAtt': [dlqId, 'Arn'] }] },
    });
  });

  it('cannot scan, delete, read the webhook secret or the callback token, or use KMS', () => {
    const statements = roleStatements(template, 'BackfillFunctionRole');
    const actions = statements.flatMap((s) => asArray(s.Action));
    for (const forbidden of ['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'])
      expect(actions).not.toContain(forbidden);
    expect(actions.filter((a) => a.startsWith('kms:'))).toEqual([]);
    expect(JSON.stringify(statements)).not.toMatch(/WebhookSecret|StatusCallbackToken/);
  });

  it('is assumed by Lambda only', () => {
    const roleId = idOf(stack.backfill.function.role);
    expect(resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
  });

  it('its name is an output, for `cli backfill --aws`', () => {
    template.hasOutput('BackfillFunctionName', { Value: { Ref: functionId } });
  });
});

describe('backfill schedule (EventBridge Scheduler)', () => {
  const schedules = resourcesOfType(template, 'AWS::Scheduler::Schedule');

  it('runs the function every 5 minutes, exactly on time, through its own role, retrying a delivery twice within one interval', () => {
    expect(schedules).toHaveLength(1);
    expect(schedules[0]![1].Properties!).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
      },
    });
    expect(schedules[0]![1].Properties!.Target.DeadLetterConfig).toBeUndefined();
    expect(schedules[0]![1].Properties!.Target.Input).toBeUndefined();
  });

  it("its role is assumable by Scheduler only, for this account's default schedule group", () => {
    expect(resources[schedulerRoleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: {
            'aws:SourceAccount': { Ref: 'AWS::AccountId' },
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':scheduler:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':schedule-group/default',
                ],
              ],
            },
          },
        },
      },
    ]);
    expect(resources[schedulerRoleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('its role may invoke the backfill function itself and nothing else (not its versions: no wildcard)', () => {
    expect(statementSummary(roleStatements(template, schedulerRoleId))).toEqual({
      InvokeBackfill: { actions: ['lambda:InvokeFunction'], resources: [{ 'Fn::GetAtt': [functionId, 'Arn'] }] },
    });
  });
});

describe('backfill context', () => {
  it('backfillIntervalMinutes sets the rate; 1 minute is singular', () => {
    const { template: every15 } = synthStack({ backfillIntervalMinutes: 15 });
    expect(resourcesOfType(every15, 'AWS::Scheduler::Schedule')[0]![1].Properties).toMatchObject({
      ScheduleExpression: 'rate(15 minutes)',
      Target: { RetryPolicy: { MaximumEventAgeInSeconds: 900 } },
    });
    const { template: every1 } = synthStack({ backfillIntervalMinutes: '1' });
    expect(resourcesOfType(every1, 'AWS::Scheduler::Schedule')[0]![1].Properties!.ScheduleExpression).toBe(
      'rate(1 minute)',
    );
  });

  it("a daily run keeps its events within Lambda's 6-hour maximum and Scheduler's day", () => {
    const { template: daily } = synthStack({ backfillIntervalMinutes: 1440 });
    expect(resourcesOfType(daily, 'AWS::Lambda::EventInvokeConfig')[0]![1].Properties!.MaximumEventAgeInSeconds).toBe(
      21_600,
    );
    expect(resourcesOfType(daily, 'AWS::Scheduler::Schedule')[0]![1].Properties!).toMatchObject({
      ScheduleExpression: 'rate(1 day)',
      Target: { RetryPolicy: { MaximumEventAgeInSeconds: 86_400 } },
    });
  });

  it('0 turns the schedule off (and its role); the function stays for a run on demand', () => {
    const { stack: off, template: offTemplate } = synthStack({ backfillIntervalMinutes: 0 });
    expect(resourcesOfType(offTemplate, 'AWS::Scheduler::Schedule')).toEqual([]);
    expect(off.backfill.schedule).toBeUndefined();
    expect(
      resourcesOfType(offTemplate, 'AWS::IAM::Role')
        .map(([id]) => id)
        .filter((id) => id.includes('SchedulerRole')),
    ).toEqual([]);
    expect(resourcesOfType(offTemplate, 'AWS::Lambda::Function').map(([id]) => id)).toContain(
      off.getLogicalId(off.backfill.function.function.node.defaultChild as never),
    );
  });

  it('backfillLines adds lines after fromNumber', () => {
    const { stack: custom, template: customTemplate } = synthStack({
      fromNumber: '+14155550123',
      backfillLines: ['+14155550124'],
    });
    const id = custom.getLogicalId(custom.backfill.function.function.node.defaultChild as never);
    expect(customTemplate.toJSON().Resources[id].Properties.Environment.Variables[BACKFILL_ENV.lines]).toBe(
      '+14155550123,+14155550124',
    );
  });
});
