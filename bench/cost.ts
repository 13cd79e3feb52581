/**
 * Cost per million events from the measured request counts, the Lambda settings and AWS list
 * prices. Pure arithmetic (tested in test/unit/bench/cost.test.ts); no I/O.
 */

/**
 * AWS list prices, us-east-1, USD, as published on the AWS pricing pages for API Gateway, Lambda,
 * DynamoDB (on-demand, after the 2024-11-01 reduction) and SQS; taken 2026-11-28 from the
 * published rates known to this project (not fetched live: the bench machines have no internet).
 */
export const PRICES = {
  date: '2026-11-28 (us-east-1 list prices; DynamoDB on-demand as reduced on 2024-11-01)',
  httpApiPerMillion: 1.0,
  restApiPerMillion: 3.5,
  lambdaRequestsPerMillion: 0.2,
  lambdaGbSecondArm: 0.0000133334,
  lambdaGbSecondX86: 0.0000166667,
  dynamoWriteUnitsPerMillion: 0.625,
  dynamoReadUnitsPerMillion: 0.125,
  sqsFifoRequestsPerMillion: 0.5,
  /** EventBridge custom events put on a bus, per million 64 KB chunks. */
  eventBridgePutEventsPerMillion: 1.0,
  /** EventBridge archive: events processed into it, per GB; and storage, per GB-month. */
  eventArchivePerGb: 0.1,
  eventArchiveStoragePerGbMonth: 0.023,
  /** S3 Standard: PUT per million requests, GET per million, storage per GB-month. */
  s3PutPerMillion: 5.0,
  s3GetPerMillion: 0.4,
  s3StoragePerGbMonth: 0.023,
  /** EventBridge Scheduler, after the 14 million free invocations a month. */
  schedulerInvocationsPerMillion: 1.0,
  /** Secrets Manager API calls ($0.05 per 10,000). */
  secretsManagerCallsPerMillion: 5.0,
  /** One CloudWatch custom metric (a name with one dimension value), per month (first 10,000 tier), prorated by the hour it gets data. */
  cloudWatchMetricPerMonth: 0.3,
  /** A standard-resolution alarm on one metric, per month. */
  cloudWatchAlarmPerMonth: 0.1,
  /** A dashboard, per month (an account's first 3 dashboards of up to 50 metrics each are free). */
  cloudWatchDashboardPerMonth: 3.0,
  /** CloudWatch Logs: ingestion per GB, storage per GB-month. */
  cloudWatchLogsIngestionPerGb: 0.5,
  cloudWatchLogsStoragePerGbMonth: 0.03,
  /** A customer managed KMS key, per month (each automatic yearly rotation adds $1, for the first two). */
  kmsKeyPerMonth: 1.0,
} as const;
export type Prices = Omit<typeof PRICES, 'date'>;

export interface EventModel {
  /** API Gateway flavour in front of the Lambda, or none (SQS event source). */
  api: 'http' | 'rest' | 'none';
  arch: 'arm64' | 'x86_64';
  memoryMb: number;
  /** Billed Lambda duration per event, ms (Lambda bills per 1 ms). */
  durationMs: number;
  /** Lambda invocations per event (1 per webhook; 1/batch size for SQS). */
  invocations: number;
  writeUnits: number;
  readUnits: number;
  sqsRequests: number;
}

export interface CostBreakdown {
  api: number;
  lambdaRequests: number;
  lambdaDuration: number;
  dynamoWrites: number;
  dynamoReads: number;
  sqs: number;
  total: number;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** USD per 1M events. */
export function costPerMillion(model: EventModel, prices: Prices = PRICES): CostBreakdown {
  const api = model.api === 'http' ? prices.httpApiPerMillion : model.api === 'rest' ? prices.restApiPerMillion : 0;
  const gbSecondPrice = model.arch === 'arm64' ? prices.lambdaGbSecondArm : prices.lambdaGbSecondX86;
  const parts = {
    api,
    lambdaRequests: model.invocations * prices.lambdaRequestsPerMillion,
    // 1M events x GB x seconds x price per GB-s.
    lambdaDuration: 1e6 * (model.memoryMb / 1024) * (Math.ceil(model.durationMs) / 1000) * gbSecondPrice,
    dynamoWrites: model.writeUnits * prices.dynamoWriteUnitsPerMillion,
    dynamoReads: model.readUnits * prices.dynamoReadUnitsPerMillion,
    sqs: model.sqsRequests * prices.sqsFifoRequestsPerMillion,
  };
  const total = Object.values(parts).reduce((sum, value) => sum + value, 0);
  return Object.fromEntries(
    Object.entries({ ...parts, total }).map(([key, value]) => [key, round(value)]),
  ) as unknown as CostBreakdown;
}

/** Assumptions about AWS that the sandbox cannot measure, stated with the results. */
export const ASSUMPTIONS = {
  /** Warm ingest invocation: auth, parse, one DynamoDB write in-region. */
  ingestDurationMs: 20,
  /** Sender per command: three DynamoDB writes plus Sendblue's answer time (assumed 300 ms). */
  senderDurationMs: 330,
  /** At Sendblue's pace (~1 message/s per line) a sender batch mostly holds one command. */
  commandsPerBatch: 1,
  /** Producer SendMessage + the event source's ReceiveMessage and DeleteMessageBatch. */
  sqsRequestsPerCommand: 3,
  /** Naive design: a strongly consistent GetItem before writing (1 RU) and Powertools idempotency
   *  (a conditional put of an INPROGRESS record + an update to COMPLETED: 2 WU), x86, REST API. */
  naiveReadUnits: 1,
  naiveIdempotencyWriteUnits: 2,
  /** Extra duration of the naive design (one more read, two more writes, in-region), ms. */
  naiveExtraMs: 15,
} as const;

export interface Measured {
  memoryMb: number;
  webhookWriteUnits: number;
  sendWriteUnits: number;
  sendReadUnits: number;
}

/** What the sandbox cannot measure about the stream consumers in AWS, stated with the results. */
export const STREAM_ASSUMPTIONS = {
  /** Events per invocation: at low traffic every change is its own batch (the worst case, priced). */
  eventsPerInvocation: 1,
  /** One invocation: map the records, one PutEvents call in-region. */
  eventsDurationMs: 30,
  /** A media file's size, to price download time and storage (MMS caps at 5 MB; photos are 1-3 MB). */
  mediaBytes: 1024 * 1024,
  /** Download from Sendblue's CDN, PutObject and one UpdateItem for 1 MB, in-region. */
  mediaDurationMs: 400,
  /** A link opened this many times per copy (each a GET; data transfer out is extra, $0.09/GB). */
  mediaLinkOpens: 1,
} as const;

export type StreamAssumptions = { readonly [K in keyof typeof STREAM_ASSUMPTIONS]: number };

export interface StreamMeasured {
  /** Function memory, MB: events and media Lambdas. */
  eventsMemoryMb: number;
  mediaMemoryMb: number;
  /** Mean size of a published event (EventBridge bills 64 KB chunks; the archive bills bytes). */
  eventBytes: number;
  /** Write units of recording a copy on its message (one UpdateItem; the index is not written). */
  mediaRecordWriteUnits: number;
}

const GB = 1024 ** 3;

/** USD per million published events, and what a million of them cost each month they stay archived. */
export function eventsCostPerMillion(
  measured: StreamMeasured,
  a: StreamAssumptions = STREAM_ASSUMPTIONS,
  prices: typeof PRICES = PRICES,
) {
  const chunks = Math.max(1, Math.ceil(measured.eventBytes / (64 * 1024)));
  const archivedGb = (1e6 * measured.eventBytes) / GB;
  const invocations = 1 / a.eventsPerInvocation;
  const parts = {
    putEvents: chunks * prices.eventBridgePutEventsPerMillion,
    lambdaRequests: invocations * prices.lambdaRequestsPerMillion,
    lambdaDuration:
      1e6 * invocations * (measured.eventsMemoryMb / 1024) * (a.eventsDurationMs / 1000) * prices.lambdaGbSecondArm,
    archive: archivedGb * prices.eventArchivePerGb,
  };
  const total = Object.values(parts).reduce((sum, value) => sum + value, 0);
  const roundAll = (values: Record<string, number>) =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, round(v)]));
  return {
    ...roundAll({ ...parts, total }),
    atRestPerMonth: round(archivedGb * prices.eventArchiveStoragePerGbMonth),
  } as Record<keyof typeof parts | 'total' | 'atRestPerMonth', number>;
}

/** USD per million media messages copied, and their storage per month. */
export function mediaCostPerMillion(
  measured: StreamMeasured,
  a: StreamAssumptions = STREAM_ASSUMPTIONS,
  prices: typeof PRICES = PRICES,
) {
  const storedGb = (1e6 * a.mediaBytes) / GB;
  const parts = {
    s3Puts: prices.s3PutPerMillion,
    linkGets: a.mediaLinkOpens * prices.s3GetPerMillion,
    lambdaRequests: prices.lambdaRequestsPerMillion,
    lambdaDuration: 1e6 * (measured.mediaMemoryMb / 1024) * (a.mediaDurationMs / 1000) * prices.lambdaGbSecondArm,
    dynamoWrites: measured.mediaRecordWriteUnits * prices.dynamoWriteUnitsPerMillion,
  };
  const total = Object.values(parts).reduce((sum, value) => sum + value, 0);
  const roundAll = (values: Record<string, number>) =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, round(v)]));
  return { ...roundAll({ ...parts, total }), atRestPerMonth: round(storedGb * prices.s3StoragePerGbMonth) } as Record<
    keyof typeof parts | 'total' | 'atRestPerMonth',
    number
  >;
}

export function costModel(measured: Measured, a = ASSUMPTIONS) {
  const webhook: EventModel = {
    api: 'http',
    arch: 'arm64',
    memoryMb: measured.memoryMb,
    durationMs: a.ingestDurationMs,
    invocations: 1,
    writeUnits: measured.webhookWriteUnits,
    readUnits: 0,
    sqsRequests: 0,
  };
  const send: EventModel = {
    api: 'none',
    arch: 'arm64',
    memoryMb: measured.memoryMb,
    durationMs: a.senderDurationMs / a.commandsPerBatch,
    invocations: 1 / a.commandsPerBatch,
    writeUnits: measured.sendWriteUnits,
    readUnits: measured.sendReadUnits,
    sqsRequests: a.sqsRequestsPerCommand,
  };
  const naive = (model: EventModel, api: EventModel['api']): EventModel => ({
    ...model,
    api,
    arch: 'x86_64',
    durationMs: model.durationMs + a.naiveExtraMs,
    readUnits: model.readUnits + a.naiveReadUnits,
    writeUnits: model.writeUnits + a.naiveIdempotencyWriteUnits,
  });
  return {
    webhook: { ours: costPerMillion(webhook), naive: costPerMillion(naive(webhook, 'rest')), goal: 2.0 },
    send: { ours: costPerMillion(send), naive: costPerMillion(naive(send, 'none')), goal: 2.5 },
  };
}

/** Assumptions about the backfill in AWS that the sandbox cannot measure (docs/backfill.md). */
export const BACKFILL_ASSUMPTIONS = {
  /** A run over an empty window: one Sendblue list call (assumed 300 ms) and three small DynamoDB requests. */
  quietRunMs: 350,
  /** Each further page of 100: Sendblue's answer (300 ms, paced at 8/s) and one BatchGetItem. */
  pageMs: 320,
  recordsPerPage: 100,
  /** Metrics a line writes (metrics.ts METRIC_NAMES): each name with its Line value is one custom metric. */
  metricsPerLine: 6,
  /** The secrets cache lasts 5 minutes, as long as the default interval: about one read per run. */
  secretReadsPerRun: 1,
  daysPerMonth: 30,
} as const;

export interface BackfillMeasured {
  memoryMb: number;
  intervalMinutes: number;
  overlapMinutes: number;
  /** DynamoDB read units of a run over an empty window (watermark GetItem, unsettled-list Query). */
  quietRunReadUnits: number;
  /** Read units per listed record already stored (the BatchGetItem before any write). */
  readUnitsPerRecord: number;
}

/**
 * What the scheduled backfill costs: per line per month at rest (a run every interval, nothing
 * missed), and per million messages on the line (each record is read again by every run whose
 * window, the interval plus the overlap, covers its last update: (interval + overlap) / interval
 * times). Messages it finds missed cost what their webhooks would have (stated apart, not here).
 */
export function backfillCostModel(measured: BackfillMeasured, prices: Prices = PRICES, a = BACKFILL_ASSUMPTIONS) {
  const runsPerMonth = (a.daysPerMonth * 24 * 60) / measured.intervalMinutes;
  const gbSeconds = (ms: number) => (measured.memoryMb / 1024) * (Math.ceil(ms) / 1000);
  const atRest = {
    runsPerMonth: Math.round(runsPerMonth),
    scheduler: (runsPerMonth / 1e6) * prices.schedulerInvocationsPerMillion,
    lambdaRequests: (runsPerMonth / 1e6) * prices.lambdaRequestsPerMillion,
    lambdaDuration: runsPerMonth * gbSeconds(a.quietRunMs) * prices.lambdaGbSecondArm,
    dynamoReads: ((runsPerMonth * measured.quietRunReadUnits) / 1e6) * prices.dynamoReadUnitsPerMillion,
    secrets: ((runsPerMonth * a.secretReadsPerRun) / 1e6) * prices.secretsManagerCallsPerMillion,
    metrics: a.metricsPerLine * prices.cloudWatchMetricPerMonth,
  };
  const readsPerRecord = (measured.intervalMinutes + measured.overlapMinutes) / measured.intervalMinutes;
  const perMillion = {
    readsPerRecord,
    listCalls: (1e6 * readsPerRecord) / a.recordsPerPage,
    lambdaDuration: ((1e6 * readsPerRecord) / a.recordsPerPage) * gbSeconds(a.pageMs) * prices.lambdaGbSecondArm,
    dynamoReads: readsPerRecord * measured.readUnitsPerRecord * prices.dynamoReadUnitsPerMillion,
  };
  const total = (parts: Record<string, number>, skip: string[]) =>
    Object.entries(parts)
      .filter(([key]) => !skip.includes(key))
      .reduce((sum, [, value]) => sum + value, 0);
  const rounded = <T extends Record<string, number>>(parts: T) =>
    Object.fromEntries(Object.entries(parts).map(([key, value]) => [key, round(value)])) as T;
  return {
    atRestPerLinePerMonth: rounded({ ...atRest, total: total(atRest, ['runsPerMonth']) }),
    perMillionMessages: rounded({ ...perMillion, total: total(perMillion, ['readsPerRecord', 'listCalls']) }),
  };
}

/** What the sandbox cannot count about operations in AWS (docs/operations.md). */
export const OPERATIONS_ASSUMPTIONS = {
  /** Log retention (context logRetentionDays, 30): an EMF line is stored this long, priced uncompressed (an upper bound). */
  logRetentionMonths: 1,
} as const;

export interface OperationsMeasured {
  /** Counted in the synthesized template. */
  alarms: number;
  dashboards: number;
  kmsKeys: number;
  lines: number;
  /** The sender's and ingest's metric names published per line, and as stack totals (metrics.ts). */
  newMetrics: { perLine: number; stackTotals: number };
  /** One EMF log event, Lambda's prefix included, bytes. */
  emfBytes: { newInboundWebhook: number; otherWebhook: number; sentCommandBatch: number };
}

/**
 * Alarms, dashboard and the topic's key per month whatever the traffic; the sender's and ingest's
 * custom metrics, which cost only in the hours they get data (none at rest; "busy": commands sent
 * and webhooks stored every hour, on every line; "at most": every name on every line every hour);
 * and per million events, the log bytes of their EMF lines.
 */
export function operationsCostModel(m: OperationsMeasured, prices: Prices = PRICES, a = OPERATIONS_ASSUMPTIONS) {
  const atRest = {
    alarms: m.alarms * prices.cloudWatchAlarmPerMonth,
    dashboard: m.dashboards * prices.cloudWatchDashboardPerMonth,
    kmsKey: m.kmsKeys * prices.kmsKeyPerMonth,
  };
  // Busy: CommandsSent and InboundMessages per line, CommandsSent and WebhookStored as totals.
  const busyMetrics = 2 * m.lines + 2;
  const allMetrics = m.newMetrics.perLine * m.lines + m.newMetrics.stackTotals;
  const perMillion = (bytes: number) =>
    ((1e6 * bytes) / GB) *
    (prices.cloudWatchLogsIngestionPerGb + a.logRetentionMonths * prices.cloudWatchLogsStoragePerGbMonth);
  const sum = (parts: Record<string, number>) => Object.values(parts).reduce((total, value) => total + value, 0);
  return {
    atRestPerMonth: Object.fromEntries(
      Object.entries({ ...atRest, total: sum(atRest) }).map(([k, v]) => [k, round(v)]),
    ) as Record<keyof typeof atRest | 'total', number>,
    metricsPerMonth: {
      atRest: 0,
      busy: round(busyMetrics * prices.cloudWatchMetricPerMonth),
      busyMetrics,
      atMost: round(allMetrics * prices.cloudWatchMetricPerMonth),
      atMostMetrics: allMetrics,
    },
    logsPerMillion: {
      newInboundWebhooks: round(perMillion(m.emfBytes.newInboundWebhook)),
      otherWebhooks: round(perMillion(m.emfBytes.otherWebhook)),
      commands: round(perMillion(m.emfBytes.sentCommandBatch)),
    },
  };
}
