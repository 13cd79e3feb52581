/**
 * The SendblueGroups construct in a consumer's own stack (`Consumer/Messaging`): every prop
 * reaches the resource it configures, the switches add and remove what they name, names follow
 * the construct's path (two instances side by side), bad props fail naming the prop, and the
 * stack outputs the CLI reads. Grants and cdk-nag: grants.test.ts.
 */
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { BACKFILL_ENV } from '../../../lambdas/contract/backfill-settings.js';
import { ENV } from '../../../lambdas/contract/env.js';
import { parseConfig } from '../../../lib/config.js';
import { SendblueGroups, type SendblueGroupsProps } from '../../../lib/sendblue-groups.js';
import { resourcesOfType, synthConsumer } from '../../support/cdk.js';

const FROM = '+14155550100';

type Template = ReturnType<typeof synthConsumer>['template'];

/** Environment of the one function whose description starts so. */
function envOf(template: Template, description: string): Record<string, unknown> {
  const found = resourcesOfType(template, 'AWS::Lambda::Function').filter(([, fn]) =>
    String(fn.Properties!.Description).startsWith(description),
  );
  expect(found, description).toHaveLength(1);
  return found[0]![1].Properties!.Environment.Variables;
}
const SENDER = 'Command queue -> Sendblue API';
const BACKFILL = 'Sendblue message list';
const INGEST = 'Sendblue receive and status webhooks';
const READ = 'Read routes';

/** Alarms by AlarmName. */
const alarmsOf = (template: Template): Record<string, any> =>
  Object.fromEntries(
    resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => [
      alarm.Properties!.AlarmName as string,
      alarm.Properties,
    ]),
  );

describe('defaults: only fromNumber', () => {
  const { stack, messaging, template } = synthConsumer({ fromNumber: FROM });

  it('settles every other prop to the default the context parser gives (lib/defaults.ts)', () => {
    const { stackName: _, ...fromContext } = parseConfig((key) => (key === 'fromNumber' ? FROM : undefined));
    expect(messaging.settings).toEqual(fromContext);
  });

  it('builds the seven functions, the table, both queues, the bus, the bucket, the alarms and the dashboard', () => {
    template.resourceCountIs('AWS::Lambda::Function', 7);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    expect(Object.keys(alarmsOf(template)).length).toBeGreaterThan(5);
    expect(Object.keys(messaging.functions).sort()).toEqual([
      'backfill',
      'contacts',
      'events',
      'ingest',
      'media',
      'read',
      'sender',
    ]);
  });

  it('exposes the resources a consumer wires: queues, table, API, bus, bucket, secrets, topic', () => {
    const resolve = (value: string) => stack.resolve(value);
    const idOf = (construct: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(construct.node.defaultChild as never);
    const { parts } = messaging;
    expect(resolve(messaging.commandQueue.queueUrl)).toEqual({ Ref: idOf(parts.commandQueue.queue) });
    expect(messaging.commandQueue.fifo).toBe(true);
    expect(resolve(messaging.deadLetterQueue.queueUrl)).toEqual({ Ref: idOf(parts.commandQueue.deadLetterQueue) });
    expect(resolve(messaging.table.tableName)).toEqual({ Ref: idOf(parts.table) });
    expect(messaging.httpApi).toBe(parts.api.httpApi);
    expect(resolve(messaging.apiUrl)).toEqual(resolve(parts.api.httpApi.apiEndpoint));
    expect(resolve(messaging.receiveWebhookUrl)).toEqual(resolve(parts.api.urlOf('/webhooks/receive')));
    expect(resolve(messaging.statusWebhookUrl)).toEqual(resolve(parts.api.urlOf('/webhooks/status')));
    expect(messaging.eventBus).toBe(parts.events!.bus);
    expect(messaging.mediaBucket).toBe(parts.media!.bucket);
    expect(messaging.alarmTopic).toBe(parts.operations.alarmTopic);
    expect(messaging.apiCredentialsSecret).toBe(parts.secrets.apiCredentials);
    expect(messaging.webhookSecret).toBe(parts.secrets.webhookSecret);
    expect(messaging.statusCallbackTokenSecret).toBe(parts.secrets.statusCallbackToken);
    expect(messaging.functions.sender).toBe(parts.sender.function.function);
  });

  it('names alarms, the dashboard and the API after the stack and the construct: Consumer-Messaging', () => {
    const names = Object.keys(alarmsOf(template));
    expect(names.every((name) => name.startsWith('Consumer-Messaging-'))).toBe(true);
    expect(names).toContain('Consumer-Messaging-DeadLetters');
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: { 'Fn::Join': ['', ['Consumer-Messaging-', { Ref: 'AWS::Region' }]] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'Consumer-Messaging' });
    // CloudWatch may use the topic's key and publish only for these alarms.
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Condition: Match.objectLike({
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', Match.arrayWith([':alarm:Consumer-Messaging-*'])],
                },
              },
            }),
          }),
        ]),
      },
    });
  });
});

describe('each prop reaches what it configures', () => {
  const props: SendblueGroupsProps = {
    fromNumber: FROM,
    lines: ['+14155550101', '+14155550102'],
    sendblueBaseUrl: 'https://sendblue.example.com/',
    maxBodyBytes: 100_000,
    throttleRateLimit: 7,
    throttleBurstLimit: 9,
    logRetention: RetentionDays.ONE_WEEK,
    lineRatePerSecond: 2,
    lineBurst: 3,
    eventArchiveDays: 3,
    mediaRetentionDays: 4,
    backfillIntervalMinutes: 15,
    alarmEmail: 'ops@example.com',
    commandAgeAlarmSeconds: 900,
    inboundSilenceHours: 6,
  };
  const { template } = synthConsumer(props);
  const alarms = alarmsOf(template);

  it('fromNumber, sendblueBaseUrl (trailing slash dropped), lineRatePerSecond, lineBurst: the sender', () => {
    expect(envOf(template, SENDER)).toMatchObject({
      [ENV.fromNumber]: FROM,
      [ENV.sendblueBaseUrl]: 'https://sendblue.example.com',
      [ENV.lineRatePerSecond]: '2',
      [ENV.lineBurst]: '3',
    });
  });

  it('fromNumber, lines, sendblueBaseUrl: the backfill; backfillIntervalMinutes: its schedule', () => {
    expect(envOf(template, BACKFILL)).toMatchObject({
      [ENV.fromNumber]: FROM,
      [ENV.sendblueBaseUrl]: 'https://sendblue.example.com',
      [BACKFILL_ENV.lines]: '+14155550100,+14155550101,+14155550102',
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(15 minutes)' });
  });

  it('maxBodyBytes: the ingest function', () => {
    expect(envOf(template, INGEST)).toMatchObject({ [ENV.maxBodyBytes]: '100000' });
  });

  it('throttleRateLimit and throttleBurstLimit: the API stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 },
    });
  });

  it('logRetention: all eight log groups (seven functions, the access logs)', () => {
    const groups = resourcesOfType(template, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(8);
    expect(groups.map(([, group]) => group.Properties!.RetentionInDays)).toEqual(Array(8).fill(7));
  });

  it('eventArchiveDays: the archive; mediaRetentionDays: the bucket lifecycle', () => {
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 3 });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 4, Status: 'Enabled' })] },
    });
  });

  it('alarmEmail: the topic subscription; commandAgeAlarmSeconds and inboundSilenceHours: their alarms', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    expect(alarms['Consumer-Messaging-OldestCommandAge'].Threshold).toBe(900);
    // One silence alarm and one missed-webhooks alarm per line: fromNumber and both lines.
    const silence = Object.entries(alarms).filter(([name]) => name.includes('-NoInbound-'));
    expect(silence.map(([name]) => name).sort()).toEqual(
      ['1415xxx0100', '1415xxx0101', '1415xxx0102'].map((line) => `Consumer-Messaging-NoInbound-${line}`),
    );
    expect(silence.every(([, alarm]) => alarm.EvaluationPeriods === 6)).toBe(true);
    expect(Object.keys(alarms).filter((name) => name.includes('-WebhooksMissed-'))).toHaveLength(3);
  });
});

describe('the switches', () => {
  it('events: false: no bus, no events function; the table keeps its stream for media', () => {
    const { messaging, template } = synthConsumer({ fromNumber: FROM, events: false });
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::Lambda::Function', 6);
    expect(messaging.eventBus).toBeUndefined();
    expect(messaging.functions.events).toBeUndefined();
    template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: Match.anyValue() });
  });

  it('media: false: no bucket, no media function, no bucket for the read function', () => {
    const { messaging, template } = synthConsumer({ fromNumber: FROM, media: false });
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::Lambda::Function', 6);
    expect(messaging.mediaBucket).toBeUndefined();
    expect(envOf(template, READ)[ENV.mediaBucketName]).toBeUndefined();
  });

  it('both off: the table keeps its stream, read by the contacts ledger alone', () => {
    const { messaging, template } = synthConsumer({ fromNumber: FROM, events: false, media: false });
    const [[, table]] = resourcesOfType(template, 'AWS::DynamoDB::Table') as [[string, any]];
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const readers = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').filter(([, mapping]) =>
      JSON.stringify(mapping.Properties!.EventSourceArn).includes('StreamArn'),
    );
    expect(readers.map(([, mapping]) => mapping.Properties!.FunctionName)).toEqual([
      {
        Ref: Stack.of(messaging).getLogicalId(
          messaging.parts.contacts.consumer.function.function.node.defaultChild as never,
        ),
      },
    ]);
  });

  it('alarms: false, dashboard: false, backfillIntervalMinutes: 0, inboundSilenceHours: 0', () => {
    const { messaging, template } = synthConsumer({
      fromNumber: FROM,
      alarms: false,
      dashboard: false,
      backfillIntervalMinutes: 0,
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(messaging.alarmTopic).toBeUndefined();
    const quiet = synthConsumer({ fromNumber: FROM, inboundSilenceHours: 0 });
    expect(Object.keys(alarmsOf(quiet.template)).filter((name) => name.includes('NoInbound'))).toEqual([]);
  });
});

describe('bad props fail at synth, naming the prop and the construct', () => {
  it.each([
    [{}, /fromNumber is required/],
    [{ fromNumber: '555-0100' }, /fromNumber must be an E\.164 phone number/],
    [{ fromNumber: FROM, lines: ['+14155550101', 'nope'] }, /lines must be a list of E\.164 lines/],
    [{ fromNumber: FROM, logRetention: 31 }, /logRetention must be one of CloudWatch's values/],
    [{ fromNumber: FROM, sendblueBaseUrl: 'http://sendblue.example.com' }, /sendblueBaseUrl must use https/],
    [{ fromNumber: FROM, alarms: false, alarmEmail: 'ops@example.com' }, /alarmEmail is set but alarms is false/],
    [{ fromNumber: FROM, inboundSilenceHours: 200 }, /inboundSilenceHours must be a whole number of hours/],
  ])('%j', (props, message) => {
    expect(() => synthConsumer(props as SendblueGroupsProps)).toThrow(message);
    expect(() => synthConsumer(props as SendblueGroupsProps)).toThrow(
      /Invalid SendblueGroups props \(Consumer\/Messaging\)/,
    );
  });

  it('reports every problem at once', () => {
    expect(() => synthConsumer({ fromNumber: 'x', lineBurst: 0, maxBodyBytes: -1 })).toThrow(
      /fromNumber[\s\S]*maxBodyBytes[\s\S]*lineBurst/,
    );
  });
});

describe('two instances in one stack', () => {
  const { template } = synthConsumer({ fromNumber: FROM }, (stack) => {
    new SendblueGroups(stack, 'Second', { fromNumber: '+14155550199', alarms: false, dashboard: false });
  });

  it('synthesize side by side with their own names and queues', () => {
    template.resourceCountIs('AWS::Lambda::Function', 14);
    const names = resourcesOfType(template, 'AWS::SQS::Queue')
      .map(([, queue]) => queue.Properties?.QueueName as string | undefined)
      .filter(Boolean);
    expect(names).toHaveLength(2);
    expect(names[0]).not.toEqual(names[1]);
    expect(names.map((name) => name!.replace(/-[0-9A-F]{8}\.fifo$/, ''))).toEqual(
      expect.arrayContaining(['Consumer-Messaging-CommandQueue', 'Consumer-Second-CommandQueue']),
    );
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'Consumer-Second' });
  });
});

describe('addStackOutputs', () => {
  it('adds the outputs the CLI and the client read, under the contract names', () => {
    const { template } = synthConsumer({ fromNumber: FROM }, (_stack, messaging) => messaging.addStackOutputs());
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(
      [
        'AlarmTopicArn',
        'ApiCredentialsSecretArn',
        'ApiUrl',
        'BackfillFunctionName',
        'CommandQueueUrl',
        'DeadLetterQueueUrl',
        'EventBusArn',
        'EventBusName',
        'MediaBucketName',
        'ReceiveWebhookUrl',
        'SendblueBaseUrl',
        'StatusWebhookUrl',
        'TableName',
        'WebhookSecretArn',
      ].sort(),
    );
  });

  it('is not in the template unless asked for', () => {
    const { template } = synthConsumer({ fromNumber: FROM });
    expect(template.toJSON().Outputs).toBeUndefined();
  });
});
