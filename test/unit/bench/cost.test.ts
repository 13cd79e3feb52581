import { describe, expect, it } from 'vitest';
import {
  backfillCostModel,
  costModel,
  costPerMillion,
  eventsCostPerMillion,
  mediaCostPerMillion,
  operationsCostModel,
  PRICES,
} from '../../../bench/cost.js';

describe('cost model (bench/cost.ts)', () => {
  it('prices one webhook on an HTTP API, arm64, 256 MB, 20 ms, 2 write units', () => {
    const cost = costPerMillion({
      api: 'http',
      arch: 'arm64',
      memoryMb: 256,
      durationMs: 20,
      invocations: 1,
      writeUnits: 2,
      readUnits: 0,
      sqsRequests: 0,
    });
    // 1M x 0.25 GB x 0.02 s = 5,000 GB-s x $0.0000133334
    expect(cost).toEqual({
      api: 1,
      lambdaRequests: 0.2,
      lambdaDuration: 0.067,
      dynamoWrites: 1.25,
      dynamoReads: 0,
      sqs: 0,
      total: 2.517,
    });
  });

  it('bills Lambda in whole milliseconds and charges REST, x86, reads and SQS at their prices', () => {
    const cost = costPerMillion({
      api: 'rest',
      arch: 'x86_64',
      memoryMb: 1024,
      durationMs: 0.2,
      invocations: 0.5,
      writeUnits: 0,
      readUnits: 4,
      sqsRequests: 2,
    });
    expect(cost.api).toBe(PRICES.restApiPerMillion);
    expect(cost.lambdaDuration).toBe(Math.round(1e6 * 0.001 * PRICES.lambdaGbSecondX86 * 1000) / 1000);
    expect(cost.lambdaRequests).toBe(0.1);
    expect(cost.dynamoReads).toBe(0.5);
    expect(cost.sqs).toBe(1);
  });

  it('makes the naive design dearer than ours for the same counts', () => {
    const model = costModel({ memoryMb: 256, webhookWriteUnits: 2, sendWriteUnits: 4, sendReadUnits: 0 });
    expect(model.webhook.naive.total).toBeGreaterThan(model.webhook.ours.total);
    expect(model.webhook.naive.api).toBe(3.5);
    expect(model.send.naive.dynamoWrites - model.send.ours.dynamoWrites).toBeCloseTo(
      2 * PRICES.dynamoWriteUnitsPerMillion,
    );
  });

  const stream = { eventsMemoryMb: 256, mediaMemoryMb: 512, eventBytes: 900, mediaRecordWriteUnits: 1 };

  it('prices a million events: one PutEvents chunk each, an invocation each (the low-traffic worst case), the archive by bytes', () => {
    const cost = eventsCostPerMillion(stream);
    // 1M x 0.25 GB x 0.03 s x $0.0000133334; 1M x 900 B = 0.838 GB archived.
    expect(cost).toEqual({
      putEvents: 1,
      lambdaRequests: 0.2,
      lambdaDuration: 0.1,
      archive: 0.084,
      total: 1.384,
      atRestPerMonth: 0.019,
    });
    // An event over 64 KB is billed as several.
    expect(eventsCostPerMillion({ ...stream, eventBytes: 70_000 }).putEvents).toBe(2);
    expect(
      eventsCostPerMillion(stream, {
        eventsPerInvocation: 10,
        eventsDurationMs: 60,
        mediaBytes: 1,
        mediaDurationMs: 1,
        mediaLinkOpens: 1,
      }).lambdaRequests,
    ).toBe(0.02);
  });

  it('prices a million media copies: S3 PUTs, the copier, one write each, a GET per link opened; storage at rest', () => {
    const cost = mediaCostPerMillion(stream);
    // 1M x 0.5 GB x 0.4 s x $0.0000133334 = $2.667; 1M x 1 MiB = 976.6 GB stored.
    expect(cost).toEqual({
      s3Puts: 5,
      linkGets: 0.4,
      lambdaRequests: 0.2,
      lambdaDuration: 2.667,
      dynamoWrites: 0.625,
      total: 8.892,
      atRestPerMonth: 22.461,
    });
  });
});

describe('backfill cost model (bench/cost.ts)', () => {
  const defaults = {
    memoryMb: 256,
    intervalMinutes: 5,
    overlapMinutes: 10,
    quietRunReadUnits: 1.5,
    readUnitsPerRecord: 0.75,
  };

  it('at rest, per line and month: 8,640 runs every 5 minutes; the six custom metrics cost most', () => {
    expect(backfillCostModel(defaults).atRestPerLinePerMonth).toEqual({
      runsPerMonth: 8640,
      scheduler: 0.009, // 8,640 / 1M x $1 (inside Scheduler's 14M free invocations in practice)
      lambdaRequests: 0.002,
      lambdaDuration: 0.01, // 8,640 x 0.25 GB x 0.35 s x $0.0000133334
      dynamoReads: 0.002, // 8,640 x 1.5 RU
      secrets: 0.043, // one GetSecretValue per run
      metrics: 1.8, // 6 x $0.30
      total: 1.865,
    });
  });

  it('per million messages: each read (5 + 10) / 5 = 3 times, a page of 100 at a time, one BatchGetItem read per record', () => {
    expect(backfillCostModel(defaults).perMillionMessages).toEqual({
      readsPerRecord: 3,
      listCalls: 30_000,
      lambdaDuration: 0.032,
      dynamoReads: 0.281,
      total: 0.313,
    });
  });

  it('a longer interval costs less at rest and re-reads less', () => {
    const hourly = backfillCostModel({ ...defaults, intervalMinutes: 60 });
    expect(hourly.atRestPerLinePerMonth.runsPerMonth).toBe(720);
    expect(hourly.perMillionMessages.readsPerRecord).toBeCloseTo(70 / 60);
    expect(hourly.perMillionMessages.total).toBeLessThan(backfillCostModel(defaults).perMillionMessages.total);
  });
});

describe('operations cost model (bench/cost.ts)', () => {
  const measured = {
    alarms: 11,
    dashboards: 1,
    kmsKeys: 1,
    lines: 1,
    newMetrics: { perLine: 5, stackTotals: 7 },
    emfBytes: { newInboundWebhook: 485, otherWebhook: 334, sentCommandBatch: 363 },
  };

  it('at rest: $0.10 an alarm, $3 the dashboard, $1 the key; the new metrics cost nothing without data', () => {
    const model = operationsCostModel(measured);
    expect(model.atRestPerMonth).toEqual({ alarms: 1.1, dashboard: 3, kmsKey: 1, total: 5.1 });
    expect(model.metricsPerMonth).toEqual({ atRest: 0, busy: 1.2, busyMetrics: 4, atMost: 3.6, atMostMetrics: 12 });
  });

  it('per million events: the EMF bytes, ingested and kept a month', () => {
    // 1M x 485 B = 0.452 GB x ($0.50 + $0.03)
    expect(operationsCostModel(measured).logsPerMillion).toEqual({
      newInboundWebhooks: 0.239,
      otherWebhooks: 0.165,
      commands: 0.179,
    });
  });

  it('another line adds its per-line alarms and metrics; alarms off leaves the dashboard', () => {
    const two = operationsCostModel({ ...measured, alarms: 13, lines: 2 });
    expect(two.atRestPerMonth.alarms).toBe(1.3);
    expect(two.metricsPerMonth.atMostMetrics).toBe(17);
    expect(operationsCostModel({ ...measured, alarms: 0, kmsKeys: 0 }).atRestPerMonth.total).toBe(3);
  });
});
