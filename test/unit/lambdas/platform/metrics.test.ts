/**
 * The EMF lines the Lambdas write (lambdas/platform/metrics.ts), the batch tally, what a webhook
 * counts (webhook-metrics.ts) and what each sender outcome counts (sender-service.ts). No AWS.
 */
import { describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../../../../lambdas/sending/attempt-outcome.js';
import type { IngestOutcome } from '../../../../lambdas/webhooks/ingest-service.js';
import { createLogger } from '../../../../lambdas/platform/logger.js';
import {
  createMetricTally,
  emfSink,
  logSink,
  METRIC_DIMENSION_SETS,
  METRIC_NAMES,
  METRIC_NAMESPACE,
  metricLine,
  type MetricCounts,
} from '../../../../lambdas/platform/metrics.js';
import { outcomeMetric } from '../../../../lambdas/sending/command-processor.js';
import { storedWebhookCounts } from '../../../../lambdas/webhooks/webhook-metrics.js';
import { parseWebhookPayload, type WebhookEvent } from '../../../../lambdas/webhooks/webhook-payload.js';

const NOW = Date.UTC(2026, 11, 2, 9, 0, 0);
const LINE = '+14155550123';

describe('EMF lines', () => {
  it('a sender count is published per line and as the stack total (FunctionName) in one directive', () => {
    const line = JSON.parse(
      metricLine(
        LINE,
        { [METRIC_NAMES.commandsSent]: 3, [METRIC_NAMES.sendblueThrottled]: 1 },
        NOW,
        'SendblueGroups-Sender',
      ),
    );
    expect(line).toEqual({
      _aws: {
        Timestamp: NOW,
        CloudWatchMetrics: [
          {
            Namespace: METRIC_NAMESPACE,
            Dimensions: [['Line'], ['FunctionName']],
            Metrics: [
              { Name: 'CommandsSent', Unit: 'Count' },
              { Name: 'SendblueThrottled', Unit: 'Count' },
            ],
          },
        ],
      },
      Line: '+1415***0123',
      FunctionName: 'SendblueGroups-Sender',
      CommandsSent: 3,
      SendblueThrottled: 1,
    });
  });

  it('a count without a line (an invalid command) is published as the total only', () => {
    const line = JSON.parse(metricLine(undefined, { [METRIC_NAMES.commandsFailed]: 1 }, NOW, 'fn'));
    expect(line._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRIC_NAMESPACE,
        Dimensions: [['FunctionName']],
        Metrics: [{ Name: 'CommandsFailed', Unit: 'Count' }],
      },
    ]);
    expect(line).not.toHaveProperty('Line');
  });

  it('a webhook line mixes a total and a per-line count: one directive each, one log line', () => {
    const text = metricLine(
      LINE,
      { [METRIC_NAMES.webhookStored]: 1, [METRIC_NAMES.inboundMessages]: 1 },
      NOW,
      'ingest',
    );
    expect(JSON.parse(text)._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRIC_NAMESPACE,
        Dimensions: [['FunctionName']],
        Metrics: [{ Name: 'WebhookStored', Unit: 'Count' }],
      },
      { Namespace: METRIC_NAMESPACE, Dimensions: [['Line']], Metrics: [{ Name: 'InboundMessages', Unit: 'Count' }] },
    ]);
    expect(text).not.toContain('14155550123');
  });

  it('a count whose dimensions are unknown is left out instead of written undimensioned', () => {
    // Outside Lambda there is no function name: the totals have no dimension to go under.
    const line = JSON.parse(
      metricLine(undefined, { [METRIC_NAMES.webhookUnauthorized]: 1, [METRIC_NAMES.inboundMessages]: 1 }, NOW),
    );
    expect(line._aws.CloudWatchMetrics).toEqual([]);
    expect(line).not.toHaveProperty('WebhookUnauthorized');
  });

  it('every metric has at least one dimension set, and per-line sets are exactly [Line]', () => {
    for (const [name, sets] of Object.entries(METRIC_DIMENSION_SETS)) {
      expect(sets.length, name).toBeGreaterThan(0);
      for (const set of sets) expect([['Line'], ['FunctionName']], name).toContainEqual([...set]);
    }
    expect(Object.keys(METRIC_DIMENSION_SETS).sort()).toEqual(Object.values(METRIC_NAMES).sort());
  });

  it("the EMF sink takes the function name from Lambda's environment", () => {
    const previous = process.env.AWS_LAMBDA_FUNCTION_NAME;
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'SendblueGroups-IngestFunction';
    try {
      const lines: string[] = [];
      emfSink(
        (text) => lines.push(text),
        () => NOW,
      )(undefined, { [METRIC_NAMES.webhookUnauthorized]: 1 });
      expect(JSON.parse(lines[0]!)).toMatchObject({
        FunctionName: 'SendblueGroups-IngestFunction',
        WebhookUnauthorized: 1,
      });
    } finally {
      if (previous === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      else process.env.AWS_LAMBDA_FUNCTION_NAME = previous;
    }
  });

  it('the sandbox sink logs the counts at debug, the line masked by the logger', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (text) => lines.push(text) });
    logSink(logger, 'sender metrics')(LINE, { [METRIC_NAMES.commandsSent]: 2 });
    logSink(logger, 'sender metrics')(LINE, {});
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'debug',
      message: 'sender metrics',
      line: '+1415***0123',
      CommandsSent: 2,
    });
  });
});

describe('the batch tally', () => {
  it('adds counts up per line and writes one line per line on flush, then starts over', () => {
    const written: [string | undefined, MetricCounts][] = [];
    const tally = createMetricTally((line, counts) => written.push([line, counts]));
    tally.count(LINE, METRIC_NAMES.commandsSent);
    tally.count(LINE, METRIC_NAMES.commandsSent);
    tally.count('+16175550199', METRIC_NAMES.sendblueThrottled, 3);
    tally.count(undefined, METRIC_NAMES.commandsFailed);
    tally.count(LINE, METRIC_NAMES.sendblueUnclear);
    expect(written).toEqual([]);
    tally.flush();
    expect(written).toEqual([
      [LINE, { CommandsSent: 2, SendblueUnclear: 1 }],
      ['+16175550199', { SendblueThrottled: 3 }],
      [undefined, { CommandsFailed: 1 }],
    ]);
    tally.flush();
    expect(written).toHaveLength(3);
  });

  it('keeps the largest value of a gauge (seconds a line has been paused), not the sum', () => {
    const written: [string | undefined, MetricCounts][] = [];
    const tally = createMetricTally((line, counts) => written.push([line, counts]));
    tally.gauge(LINE, METRIC_NAMES.linePausedSeconds, 12);
    tally.gauge(LINE, METRIC_NAMES.linePausedSeconds, 40);
    tally.gauge(LINE, METRIC_NAMES.linePausedSeconds, 20);
    tally.count(LINE, METRIC_NAMES.lineProbes);
    tally.count(LINE, METRIC_NAMES.lineProbes);
    tally.flush();
    expect(written).toEqual([[LINE, { LinePausedSeconds: 40, LineProbes: 2 }]]);
  });

  it('publishes the paused seconds in Seconds, per line only, beside the probe count', () => {
    const emf = JSON.parse(metricLine(LINE, { LinePausedSeconds: 40, LineProbes: 2 }, 1_000, 'sender-fn'));
    expect(emf._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'SendblueGroups',
        Dimensions: [['Line']],
        Metrics: [
          { Name: 'LinePausedSeconds', Unit: 'Seconds' },
          { Name: 'LineProbes', Unit: 'Count' },
        ],
      },
    ]);
    expect(emf).toMatchObject({ Line: '+1415***0123', LinePausedSeconds: 40, LineProbes: 2 });
  });
});

describe('what a webhook answered 200 counts', () => {
  const parsed = (body: Record<string, unknown>, direction: 'inbound' | 'outbound' = 'inbound'): WebhookEvent => {
    const result = parseWebhookPayload({ message_handle: 'h-1', group_id: 'g-1', ...body }, direction);
    if (!result.ok) throw new Error(result.error);
    return result.event;
  };
  const stored: IngestOutcome = { kind: 'message', result: 'stored' };

  it('a new inbound message: WebhookStored, and InboundMessages on its sendblue_number', () => {
    expect(storedWebhookCounts(parsed({ sendblue_number: LINE }), stored)).toEqual({
      line: LINE,
      counts: { WebhookStored: 1, InboundMessages: 1 },
    });
  });

  it.each([
    ['a duplicate', parsed({ sendblue_number: LINE }), { kind: 'message', result: 'duplicate' } as IngestOutcome],
    [
      'a status',
      parsed({ sendblue_number: LINE, status: 'DELIVERED' }, 'outbound'),
      { kind: 'status', result: 'advanced' } as IngestOutcome,
    ],
    ['no sendblue_number', parsed({}), stored],
    ['a sendblue_number that is not E.164 (never a dimension value)', parsed({ sendblue_number: 'line one' }), stored],
  ])('%s: WebhookStored only', (_name, event, outcome) => {
    expect(storedWebhookCounts(event, outcome)).toEqual({ counts: { WebhookStored: 1 } });
  });
});

describe('what a sender outcome counts', () => {
  it.each([
    [{ kind: 'sent', how: 'sent' }, 'CommandsSent'],
    [{ kind: 'sent', how: 'found' }, 'CommandsSent'],
    [{ kind: 'rejected', reason: 'HTTP 400' }, 'CommandsFailed'],
    [{ kind: 'gave-up' }, 'CommandsFailed'],
    [{ kind: 'never-sent', reason: 'not found' }, 'CommandsFailed'],
    [{ kind: 'throttled', reason: 'HTTP 429', retryAfterSeconds: 5 }, 'SendblueThrottled'],
    [{ kind: 'check-failed', reason: 'HTTP 429', retryAfterSeconds: 1 }, 'SendblueThrottled'],
    [{ kind: 'check-failed', reason: 'HTTP 500' }, undefined],
    [{ kind: 'unclear', reason: 'timeout', calledAt: '2026-12-02T09:00:00.000Z' }, 'SendblueUnclear'],
    [{ kind: 'not-sent', reason: 'HTTP 503' }, undefined],
    [{ kind: 'wait-for-slot', slotAt: NOW, line: LINE }, undefined],
    [{ kind: 'line-busy', retryAt: NOW }, undefined],
    [{ kind: 'not-recorded', reason: 'storage' }, undefined],
  ] as [AttemptOutcome, string | undefined][])('%j counts %s', (outcome, metric) => {
    expect(outcomeMetric(outcome)).toBe(metric);
  });
});
