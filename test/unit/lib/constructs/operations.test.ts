/**
 * Issue 11 part 5 in the template: every alarm (metric, namespace, dimensions, statistic,
 * threshold, comparison, periods, missing data, actions), the SNS topic (its KMS key, TLS-only
 * policy, CloudWatch limited to this stack's alarms), the email subscription, the dashboard's
 * widgets (read from its parsed body), the context switches, and cdk-nag.
 */
import { describe, expect, it } from 'vitest';
import {
  lineDimension,
  METRIC_DIMENSION_SETS,
  METRIC_NAMES,
  METRIC_NAMESPACE,
  metricLine,
  type MetricName,
} from '../../../../lambdas/platform/metrics.js';
import { DEFAULTS } from '../../../../lib/defaults.js';
import { resourcesOfType, synthStack, unacknowledgedFindings } from '../../../support/cdk.js';

const { stack, template } = synthStack();
const resources = template.toJSON().Resources as Record<string, any>;
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const topicId = idOf(stack.operations.alarmTopic!);
const keyId = idOf(stack.operations.alarmKey!);
const senderFn = { Ref: idOf(stack.sender.function.function) };
const ingestFn = { Ref: idOf(stack.ingest.function) };
const queueName = (queue: { node: { defaultChild?: unknown } }) => ({ 'Fn::GetAtt': [idOf(queue), 'QueueName'] });
const LINE = DEFAULTS.fromNumber;
const MASKED = lineDimension(LINE); // +1555***0000

/** Alarms by name (AlarmName without the stack name). */
function alarmsOf(t: typeof template): Record<string, any> {
  return Object.fromEntries(
    resourcesOfType(t, 'AWS::CloudWatch::Alarm').map(([, alarm]) => [
      (alarm.Properties!.AlarmName as string).replace(/^SendblueGroups-/, ''),
      alarm.Properties,
    ]),
  );
}
const alarms = alarmsOf(template);
const notifiesTopic = { AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] };

describe('alarms', () => {
  it('are exactly these, each named after the stack, notifying the topic when it fires and when it clears', () => {
    expect(Object.keys(alarms).sort()).toEqual([
      'ApiServerErrors',
      'ContactsFailureQueue',
      'DeadLetters',
      'EventsFailureQueue',
      'LinePaused-1555xxx0000',
      'MediaFailureQueue',
      `NoInbound-1555xxx0000`,
      'OldestCommandAge',
      'SendblueThrottling',
      'SenderErrors',
      'SenderThrottles',
      'WebhooksMissed-1555xxx0000',
      'WebhooksUnauthorized',
    ]);
    for (const alarm of Object.values(alarms)) {
      expect(alarm).toMatchObject(notifiesTopic);
      expect(alarm.AlarmName).toMatch(/^SendblueGroups-/);
      expect(alarm.AlarmDescription.length).toBeGreaterThan(80);
      // Every alarm is "M of M": no partial datapoint rules to reason about.
      expect(alarm.DatapointsToAlarm).toBe(alarm.EvaluationPeriods);
    }
  });

  const queueDepth = (queue: { node: { defaultChild?: unknown } }) => ({
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: queueName(queue) }],
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  });
  const countAlarm = (namespace: string, metric: string, dimensions: unknown[], threshold: number, periods = 1) => ({
    Namespace: namespace,
    MetricName: metric,
    Dimensions: dimensions,
    Statistic: 'Sum',
    Period: 300,
    EvaluationPeriods: periods,
    Threshold: threshold,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  });

  it.each([
    [
      'DeadLetters: one command on the DLQ, looked at every minute (SQS publishes nothing for an idle queue: no data is no dead letter)',
      'DeadLetters',
      () => queueDepth(stack.commandQueue.deadLetterQueue),
    ],
    [
      'ContactsFailureQueue: one batch given up by the contacts Lambda',
      'ContactsFailureQueue',
      () => queueDepth(stack.contacts.consumer.failureQueue),
    ],
    [
      'EventsFailureQueue: one batch given up by the events Lambda',
      'EventsFailureQueue',
      () => queueDepth(stack.events!.consumer.failureQueue),
    ],
    [
      'MediaFailureQueue: one batch given up by the media Lambda',
      'MediaFailureQueue',
      () => queueDepth(stack.media!.consumer.failureQueue),
    ],
    [
      'OldestCommandAge: the oldest command an hour old (pacing makes commands wait legitimately)',
      'OldestCommandAge',
      () => ({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: queueName(stack.commandQueue.queue) }],
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 3_600,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      }),
    ],
    [
      'SenderErrors: one failed sender invocation in 5 minutes',
      'SenderErrors',
      () => countAlarm('AWS/Lambda', 'Errors', [{ Name: 'FunctionName', Value: senderFn }], 1),
    ],
    [
      'SenderThrottles: one throttled sender invocation in 5 minutes',
      'SenderThrottles',
      () => countAlarm('AWS/Lambda', 'Throttles', [{ Name: 'FunctionName', Value: senderFn }], 1),
    ],
    [
      'ApiServerErrors: one 5xx answer of the HTTP API in 5 minutes',
      'ApiServerErrors',
      () =>
        countAlarm(
          'AWS/ApiGateway',
          '5xx',
          [{ Name: 'ApiId', Value: { Ref: idOf(stack.api.httpApi) } }],
          DEFAULTS.operations.serverErrorThreshold,
        ),
    ],
    [
      "WebhooksUnauthorized: five 401s in 5 minutes, the ingest Lambda's own count",
      'WebhooksUnauthorized',
      () =>
        countAlarm(METRIC_NAMESPACE, METRIC_NAMES.webhookUnauthorized, [{ Name: 'FunctionName', Value: ingestFn }], 5),
    ],
    [
      "SendblueThrottling: five Sendblue 429s in each of three 5-minute periods in a row, the sender's own count",
      'SendblueThrottling',
      () =>
        countAlarm(METRIC_NAMESPACE, METRIC_NAMES.sendblueThrottled, [{ Name: 'FunctionName', Value: senderFn }], 5, 3),
    ],
    [
      'WebhooksMissed: one event the backfill found missing on the line, over one backfill interval',
      `WebhooksMissed-1555xxx0000`,
      () => countAlarm(METRIC_NAMESPACE, METRIC_NAMES.backfillStored, [{ Name: 'Line', Value: MASKED }], 1),
    ],
    [
      'LinePaused: the line paused by a Sendblue outage for 5 minutes (the largest paused seconds a failed probe wrote in a minute); no data is no pause',
      'LinePaused-1555xxx0000',
      () => ({
        Namespace: METRIC_NAMESPACE,
        MetricName: METRIC_NAMES.linePausedSeconds,
        Dimensions: [{ Name: 'Line', Value: MASKED }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        Threshold: 300,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      }),
    ],
    [
      'NoInbound: fewer than one new inbound message in each of 24 hours in a row on the line; no data is breaching',
      `NoInbound-1555xxx0000`,
      () => ({
        Namespace: METRIC_NAMESPACE,
        MetricName: METRIC_NAMES.inboundMessages,
        Dimensions: [{ Name: 'Line', Value: MASKED }],
        Statistic: 'Sum',
        Period: 3_600,
        EvaluationPeriods: 24,
        DatapointsToAlarm: 24,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      }),
    ],
  ] as const)('%s', (_title, name, expected) => {
    expect(alarms[name]).toMatchObject({ ...expected(), ...notifiesTopic });
  });

  it('every alarm on a SendblueGroups metric watches a name and dimensions the code writes (the EMF line itself)', () => {
    const own = Object.values(alarms).filter((alarm) => alarm.Namespace === METRIC_NAMESPACE);
    expect(own.length).toBe(5);
    for (const alarm of own) {
      const name = alarm.MetricName as MetricName;
      expect(Object.values(METRIC_NAMES)).toContain(name);
      const dimensions = (alarm.Dimensions as { Name: string }[]).map((d) => d.Name);
      expect(METRIC_DIMENSION_SETS[name]).toContainEqual(dimensions);
      // What the Lambda writes for this count carries exactly these dimensions for it.
      const written = JSON.parse(metricLine(LINE, { [name]: 1 }, 0, 'the-function'));
      const directive = written._aws.CloudWatchMetrics.find(
        (d: any) =>
          d.Metrics.some((m: any) => m.Name === name) &&
          d.Dimensions.some((set: string[]) => set.join() === dimensions.join()),
      );
      expect(directive, `${name} by ${dimensions}`).toBeDefined();
      expect(directive.Namespace).toBe(alarm.Namespace);
    }
  });

  it('the age threshold, the silence hours (0: no such alarm), the paused seconds (0: none) and the backfill interval come from the context', () => {
    const custom = alarmsOf(
      synthStack({
        commandAgeAlarmSeconds: 900,
        inboundSilenceHours: 6,
        backfillIntervalMinutes: 60,
        linePausedAlarmSeconds: 120,
      }).template,
    );
    expect(custom.OldestCommandAge.Threshold).toBe(900);
    expect(custom['LinePaused-1555xxx0000'].Threshold).toBe(120);
    expect(
      Object.keys(alarmsOf(synthStack({ linePausedAlarmSeconds: 0 }).template)).filter((name) =>
        name.startsWith('LinePaused'),
      ),
    ).toEqual([]);
    expect(custom['NoInbound-1555xxx0000']).toMatchObject({
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
      Period: 3_600,
    });
    // A run's counts arrive once an interval: the period is the interval (at least 5 minutes).
    expect(custom['WebhooksMissed-1555xxx0000'].Period).toBe(3_600);
    expect(
      Object.keys(alarmsOf(synthStack({ inboundSilenceHours: 0 }).template)).filter((name) =>
        name.startsWith('NoInbound'),
      ),
    ).toEqual([]);
  });

  it('each configured line gets its own per-line alarms; lines that mask alike share one (they share the metric)', () => {
    const names = Object.keys(
      alarmsOf(synthStack({ fromNumber: '+14155550123', backfillLines: ['+14159990123', '+16175550199'] }).template),
    );
    expect(names.filter((name) => name.startsWith('NoInbound')).sort()).toEqual([
      'NoInbound-1415xxx0123',
      'NoInbound-1617xxx0199',
    ]);
    expect(names.filter((name) => name.startsWith('WebhooksMissed')).sort()).toEqual([
      'WebhooksMissed-1415xxx0123',
      'WebhooksMissed-1617xxx0199',
    ]);
    expect(names.filter((name) => name.startsWith('LinePaused')).sort()).toEqual([
      'LinePaused-1415xxx0123',
      'LinePaused-1617xxx0199',
    ]);
  });

  it("without events and media only the contacts ledger's failure queue alarms", () => {
    const names = Object.keys(alarmsOf(synthStack({ events: false, media: false }).template));
    expect(names.filter((name) => name.endsWith('FailureQueue'))).toEqual(['ContactsFailureQueue']);
    expect(names).toContain('DeadLetters');
  });
});

describe('the alarm topic', () => {
  it('is encrypted with its own rotated KMS key (CloudWatch cannot use the AWS managed aws/sns key) and named for the stack', () => {
    expect(resources[topicId].Properties).toEqual({
      DisplayName: 'SendblueGroups alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    expect(resources[keyId].Properties).toMatchObject({ EnableKeyRotation: true, PendingWindowInDays: 7 });
    // Nothing outlives the stack that the key would still have to decrypt.
    expect(resources[keyId].DeletionPolicy).toBe('Delete');
  });

  const ourAlarms = {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: {
      'aws:SourceArn': {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudwatch:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':alarm:SendblueGroups-*',
          ],
        ],
      },
    },
  };

  it("lets CloudWatch use the key only for this account's alarms named after the stack", () => {
    const statements = resources[keyId].Properties.KeyPolicy.Statement as any[];
    const cloudWatch = statements.filter((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cloudWatch).toEqual([
      {
        Sid: 'CloudWatchAlarmsEncryptNotifications',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: ourAlarms,
      },
    ]);
    // The rest is CDK's default: the account administers its key.
    expect(
      statements.filter((s) => s.Principal?.Service !== 'cloudwatch.amazonaws.com').map((s) => s.Principal),
    ).toEqual([
      { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
    ]);
  });

  it('its policy denies any publish not over TLS and lets only these alarms publish', () => {
    const [[, policy]] = resourcesOfType(template, 'AWS::SNS::TopicPolicy') as [[string, any]];
    expect(policy.Properties.Topics).toEqual([{ Ref: topicId }]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: ourAlarms,
      },
    ]);
  });

  it('has no subscription unless alarmEmail is set, then exactly that email', () => {
    expect(resourcesOfType(template, 'AWS::SNS::Subscription')).toEqual([]);
    const { stack: withEmail, template: emailed } = synthStack({ alarmEmail: 'ops@example.com' });
    const subscriptions = resourcesOfType(emailed, 'AWS::SNS::Subscription');
    expect(subscriptions.map(([, s]) => s.Properties)).toEqual([
      {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: { Ref: withEmail.getLogicalId(withEmail.operations.alarmTopic!.node.defaultChild as never) },
      },
    ]);
  });

  it('is given as the AlarmTopicArn output', () => {
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it('alarms=false: no alarm, topic, key, subscription or output (the dashboard stays, without its alarm widget)', () => {
    const { stack: quiet, template: off } = synthStack({ alarms: false });
    for (const type of [
      'AWS::CloudWatch::Alarm',
      'AWS::SNS::Topic',
      'AWS::SNS::TopicPolicy',
      'AWS::KMS::Key',
      'AWS::SNS::Subscription',
    ]) {
      expect(resourcesOfType(off, type), type).toEqual([]);
    }
    expect(off.toJSON().Outputs.AlarmTopicArn).toBeUndefined();
    expect(quiet.operations.alarmTopic).toBeUndefined();
    expect(dashboardOf(off).widgets.map((w: any) => w.type)).not.toContain('alarm');
  });
});

/** The dashboard body with every reference replaced by `<LogicalId>` / `<LogicalId.Attr>`, parsed. */
function dashboardOf(t: typeof template): any {
  const dashboards = resourcesOfType(t, 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]![1].Properties!.DashboardBody;
  const parts: unknown[] = body['Fn::Join'][1];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = (part as any).Ref ?? (part as any)['Fn::GetAtt']?.join('.');
      return `<${ref}>`;
    })
    .join('');
  return JSON.parse(text);
}

describe('the dashboard', () => {
  const dashboard = dashboardOf(template);
  const widgets = dashboard.widgets as any[];
  const titles = widgets.map((w) => w.properties.title);
  const metricsOf = (title: string): unknown[][] =>
    widgets.find((w) => w.properties.title === title)!.properties.metrics;
  const names = (title: string) =>
    metricsOf(title).map((m) => (typeof m[0] === 'string' ? m[1] : (m[0] as any).expression));

  it('is named after the stack and the region (dashboard names are global to the account)', () => {
    const [[, resource]] = resourcesOfType(template, 'AWS::CloudWatch::Dashboard') as [[string, any]];
    expect(resource.Properties.DashboardName).toEqual({
      'Fn::Join': ['', ['SendblueGroups-', { Ref: 'AWS::Region' }]],
    });
  });

  it('has the alarm status and a widget per signal', () => {
    expect(titles).toEqual([
      'Alarms',
      'Commands (all lines)',
      'Commands per line: sent and 429s',
      'Command queue',
      'Webhooks',
      'Lines paused by a Sendblue outage (seconds, max) and their probes',
      'New inbound messages per line',
      'Backfill per line: listed, and missed by the webhooks',
      'Lambda errors and throttles',
      'Lambda duration (p99, ms)',
      'Stream failure queues (batches given up)',
    ]);
    expect(widgets[0].properties.alarms).toHaveLength(Object.keys(alarms).length);
  });

  it("commands and webhooks are the sender's and the ingest Lambda's own totals", () => {
    const senderRef = `<${senderFn.Ref}>`;
    const ingestRef = `<${ingestFn.Ref}>`;
    expect(metricsOf('Commands (all lines)').map((m) => m.slice(0, 4))).toEqual(
      ['CommandsSent', 'CommandsFailed', 'SendblueThrottled', 'SendblueUnclear'].map((name) => [
        METRIC_NAMESPACE,
        name,
        'FunctionName',
        senderRef,
      ]),
    );
    expect(metricsOf('Webhooks').map((m) => m.slice(0, 4))).toEqual([
      ...['WebhookStored', 'WebhookUnauthorized', 'WebhookNotStored'].map((name) => [
        METRIC_NAMESPACE,
        name,
        'FunctionName',
        ingestRef,
      ]),
      ['AWS/ApiGateway', '4xx', 'ApiId', `<${idOf(stack.api.httpApi)}>`],
      ['AWS/ApiGateway', '5xx', 'ApiId', `<${idOf(stack.api.httpApi)}>`],
    ]);
  });

  it('per-line widgets search every line of the namespace (lines outside the configuration too)', () => {
    const search = (name: string) => `SEARCH('{SendblueGroups,Line} MetricName="${name}"', 'Sum', 300)`;
    expect(names('Commands per line: sent and 429s')).toEqual([search('CommandsSent'), search('SendblueThrottled')]);
    expect(names('New inbound messages per line')).toEqual([search('InboundMessages')]);
    // The paused seconds are a gauge (its Maximum per minute); the probes a count.
    expect(names('Lines paused by a Sendblue outage (seconds, max) and their probes')).toEqual([
      `SEARCH('{SendblueGroups,Line} MetricName="LinePausedSeconds"', 'Maximum', 60)`,
      `SEARCH('{SendblueGroups,Line} MetricName="LineProbes"', 'Sum', 60)`,
    ]);
    expect(names('Backfill per line: listed, and missed by the webhooks')).toEqual([
      search('BackfillFound'),
      search('BackfillStored'),
    ]);
  });

  it('the queue widget shows depth, in flight, the DLQ and the age of the oldest command', () => {
    expect(names('Command queue')).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
    ]);
  });

  it('every Lambda of the stack has its errors, throttles and duration', () => {
    const functionIds = resourcesOfType(template, 'AWS::Lambda::Function')
      .map(([id]) => `<${id}>`)
      .sort();
    expect(functionIds).toHaveLength(7);
    const byMetric = (title: string, metric: string) =>
      metricsOf(title)
        .filter((m) => m[1] === metric)
        .map((m) => m[3])
        .sort();
    expect(byMetric('Lambda errors and throttles', 'Errors')).toEqual(functionIds);
    expect(byMetric('Lambda errors and throttles', 'Throttles')).toEqual(functionIds);
    expect(byMetric('Lambda duration (p99, ms)', 'Duration')).toEqual(functionIds);
  });

  it('dashboard=false removes it; without events and media the failure-queue widget shows the contacts one', () => {
    expect(resourcesOfType(synthStack({ dashboard: false }).template, 'AWS::CloudWatch::Dashboard')).toEqual([]);
    const plain = dashboardOf(synthStack({ events: false, media: false }).template);
    const widget = plain.widgets.find((w: any) => w.properties.title === 'Stream failure queues (batches given up)');
    expect(widget.properties.metrics).toHaveLength(1);
  });
});

describe('cdk-nag', () => {
  it.each([
    ['with an alarm email', { alarmEmail: 'ops@example.com' }],
    ['with alarms and the dashboard off', { alarms: false, dashboard: false }],
    ['with two lines', { backfillLines: ['+14155550124'] }],
  ])('is clean %s', (_name, context) => {
    expect(unacknowledgedFindings(synthStack(context).app)).toEqual([]);
  });
});
