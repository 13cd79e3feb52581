import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BACKFILL_SETTINGS } from '../lambdas/contract/backfill-settings.js';
import { DEFAULT_STACK_NAME } from '../lambdas/contract/stack.js';
import { COMMAND_QUEUE_SETTINGS } from '../lambdas/contract/command-queue-settings.js';
import { DEFAULT_MAX_BODY_BYTES } from '../lambdas/platform/http.js';
import { SENDBLUE_LINE_LIMITS } from '../lambdas/sending/line-pacing.js';
import { NEW_CONTACT_LIMITS, SENDBLUE_DEFAULT_BASE_URL } from '../lambdas/contract/sendblue-rules.js';
import { MEDIA_SETTINGS } from '../lambdas/media/media-rules.js';
import { STREAM_CONSUMER_SETTINGS } from '../lambdas/contract/stream-consumer-settings.js';
import type { OptedOutMembersPolicy } from '../lambdas/sending/preflight.js';

/**
 * Every default of the stack in one place. Constructs take these as their `@default`s and the
 * config parser (lib/config.ts) falls back to them, so a secure value is written down exactly once.
 */
export const DEFAULTS = {
  /** CloudFormation stack name (context `stackName`). */
  stackName: DEFAULT_STACK_NAME,
  /**
   * Placeholder for the Sendblue line (context `fromNumber`). It is not a real line: set your own
   * in cdk.json or with `-c fromNumber=+1...` before sending. Synth warns while it is in use.
   */
  fromNumber: '+15550000000',
  /** Sendblue API base URL (context `sendblueBaseUrl`). */
  sendblueBaseUrl: SENDBLUE_DEFAULT_BASE_URL,
  /** Largest webhook body the ingest Lambda accepts, in bytes (context `maxBodyBytes`); larger answers 413. */
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  /** Upper bound for `maxBodyBytes`: Lambda's synchronous invocation payload limit (6 MB). */
  maxBodyBytesLimit: 6 * 1024 * 1024,
  /** Stage-wide steady-state request rate, requests per second (context `throttleRateLimit`). */
  throttleRateLimit: 50,
  /** Stage-wide burst, requests (context `throttleBurstLimit`). */
  throttleBurstLimit: 100,
  /** The sender's pacing per Sendblue line (contexts `lineRatePerSecond`, `lineBurst`): Sendblue's published limits. */
  line: SENDBLUE_LINE_LIMITS,
  /**
   * The new-contact quota per Sendblue line (contexts `newContactsPerHour`, `newContactsPerDay`):
   * Sendblue's published limits (docs/sending.md "The line's new-contact quota: a send waits until it fits").
   */
  newContacts: NEW_CONTACT_LIMITS,
  /** Retention of Lambda logs and API access logs, days (context `logRetentionDays`). */
  logRetention: RetentionDays.ONE_MONTH,
  lambda: {
    /** Enough CPU for a fast cold start of a bundle with SDK clients, still cheap. */
    memorySize: 256,
    /** Well under API Gateway's 30 s integration timeout, so a slow call fails inside the handler's control. */
    timeout: Duration.seconds(10),
  },
  /** Length of the secrets the stack generates (webhook secret, status callback token): letters and digits. */
  generatedSecretLength: 48,
  /**
   * The SQS command queue and its DLQ. Numbers shared with the sandbox come from
   * COMMAND_QUEUE_SETTINGS (lambdas/contract/command-queue-settings.ts) and are not restated here.
   */
  commandQueue: {
    /** At least 6x the sender's timeout, as AWS advises for an SQS event source. */
    visibilityTimeout: Duration.seconds(COMMAND_QUEUE_SETTINGS.visibilityTimeoutSeconds),
    /** Receives before SQS itself moves a command to the DLQ: a safety net (see COMMAND_QUEUE_SETTINGS). */
    maxReceiveCount: COMMAND_QUEUE_SETTINGS.maxReceiveCount,
    /** SQS's maximum: a command may wait this long for a busy line, a 429 or a check in Sendblue. */
    retentionPeriod: Duration.seconds(COMMAND_QUEUE_SETTINGS.retentionSeconds),
    /** SQS's maximum: two weeks to inspect and redrive a failed command. */
    deadLetterRetentionPeriod: Duration.days(14),
  },
  sender: {
    /** Several Sendblue calls (each bounded by `sendblueTimeoutMs`) fit in one invocation. */
    timeout: Duration.seconds(COMMAND_QUEUE_SETTINGS.senderTimeoutSeconds),
    /** Records per invocation (Lambda's maximum for FIFO sources is 10). */
    batchSize: COMMAND_QUEUE_SETTINGS.batchSize,
    /** Concurrent invocations (the per-line pacing keeps sends within Sendblue's limits). */
    maxConcurrency: COMMAND_QUEUE_SETTINGS.maxConcurrency,
    /** Timeout of one Sendblue call, ms. */
    sendblueTimeoutMs: COMMAND_QUEUE_SETTINGS.sendblueTimeoutMs,
    /**
     * How long a command may ride out an outage of Sendblue (context `outageBudgetSeconds`): failures
     * of the way to Sendblue and waits on a paused line, from the first of a streak.
     */
    outageBudget: Duration.seconds(COMMAND_QUEUE_SETTINGS.outageBudgetSeconds),
    /** Upper bound of `outageBudgetSeconds`: a day (the probe gap then stretches to ~3 min, line-breaker.ts). */
    outageBudgetLimit: Duration.days(1),
  },
  /**
   * Domain events on an EventBridge bus, from the table's stream (context `events`, `eventArchiveDays`).
   * Batch sizes and retry limits shared with the sandbox come from STREAM_CONSUMER_SETTINGS.
   */
  events: {
    enabled: true,
    /** How long the bus's archive keeps events for replay, days (0 = for ever). */
    archiveDays: 30,
    /** 100 records are at most 10 PutEvents calls. */
    timeout: Duration.seconds(30),
    batchSize: STREAM_CONSUMER_SETTINGS.events.batchSize,
    retryAttempts: STREAM_CONSUMER_SETTINGS.events.retryAttempts,
  },
  /** Copies of inbound media in an S3 bucket (context `media`, `mediaRetentionDays`). */
  media: {
    enabled: true,
    /** Days a copy is kept (0 = for ever). */
    retentionDays: 365,
    /** Largest copy, bytes. */
    maxBytes: MEDIA_SETTINGS.maxBytes,
    /** One download, redirects included, ms. */
    fetchTimeoutMs: MEDIA_SETTINGS.fetchTimeoutMs,
    /** A download is held in memory before it is stored: room for the largest one and the SDK. */
    memorySize: 512,
    /** A batch's downloads run one after another: batchSize x (fetch timeout + storing). */
    timeout: Duration.minutes(5),
    batchSize: STREAM_CONSUMER_SETTINGS.media.batchSize,
    retryAttempts: STREAM_CONSUMER_SETTINGS.media.retryAttempts,
  },
  /** The contacts ledger's stream consumer (docs/table-design.md "Contacts"), and pre-flight's opt-out rule. */
  contacts: {
    batchSize: STREAM_CONSUMER_SETTINGS.contacts.batchSize,
    retryAttempts: STREAM_CONSUMER_SETTINGS.contacts.retryAttempts,
    /**
     * Sends reaching opted-out members (context `optedOutMembers`): undefined = refuse a new group
     * given by numbers, send to an existing group_id with a warning (sending/preflight.ts).
     */
    optedOutMembers: undefined as OptedOutMembersPolicy | undefined,
  },
  /** Both stream consumers: a change not handled within a day goes to the consumer's failure queue. */
  streamMaxRecordAge: Duration.seconds(STREAM_CONSUMER_SETTINGS.maxRecordAgeSeconds),
  /** Failure queues keep their pointers for SQS's maximum (the stream itself keeps records a day). */
  streamFailureRetention: Duration.days(14),
  /**
   * The scheduled backfill (missed webhooks, unknown commands whose queue message is gone). Numbers
   * shared with the sandbox come from BACKFILL_SETTINGS (lambdas/contract/backfill-settings.ts).
   */
  backfill: {
    /** Minutes between runs (context `backfillIntervalMinutes`; 0 = no schedule). */
    intervalMinutes: BACKFILL_SETTINGS.intervalMinutes,
    /** Upper bound for `backfillIntervalMinutes`: one run a day. */
    intervalMinutesLimit: 1_440,
    /** Lines read besides `fromNumber` (context `backfillLines`). */
    extraLines: [] as readonly string[],
    /** Each run re-reads this far before the watermark, minutes. */
    overlapMinutes: BACKFILL_SETTINGS.overlapMinutes,
    /** The first run reads this far back, minutes. */
    lookbackMinutes: BACKFILL_SETTINGS.lookbackMinutes,
    /** An unknown command is swept after this long unwritten, minutes (longer than the queue path's backoff). */
    unsettledMinAgeMinutes: BACKFILL_SETTINGS.unsettledMinAgeMinutes,
    /** Above the run's own budget (100 s) plus one slow Sendblue call. */
    timeout: Duration.seconds(BACKFILL_SETTINGS.timeoutSeconds),
    /** Scheduler retries of an invocation it could not deliver (a late run is harmless; the next one comes anyway). */
    schedulerRetryAttempts: 2,
  },
  /**
   * Alarms with their SNS topic, and the dashboard (docs/operations.md; contexts `alarms`,
   * `dashboard`, `alarmEmail`, `commandAgeAlarmSeconds`, `inboundSilenceHours`).
   */
  operations: {
    alarms: true,
    dashboard: true,
    /**
     * A command this old on the queue alarms, seconds. Pacing makes commands wait legitimately (a
     * line sends about one a second, so 3,600 commands for one line take an hour), and so do 429s
     * and retries: an hour is a backlog worth knowing about, or a command stuck.
     */
    commandAgeAlarmSeconds: 3_600,
    /** Upper bound of `commandAgeAlarmSeconds`: the queue's retention (14 days). */
    commandAgeAlarmSecondsLimit: COMMAND_QUEUE_SETTINGS.retentionSeconds,
    /** No new inbound message on a line for this many hours alarms, one alarm per line (0 = none). */
    inboundSilenceHours: 24,
    /** Upper bound of `inboundSilenceHours`: CloudWatch evaluates at most 7 days of hourly periods. */
    inboundSilenceHoursLimit: 168,
    /** Period of the count alarms (errors, 401s, 5xx, 429s, queue age). */
    period: Duration.minutes(5),
    /** Queue depths (DLQ, stream failure queues) are looked at every minute: one message alarms. */
    queueDepthPeriod: Duration.minutes(1),
    /** 401s in one period: a wrong secret in Sendblue fails every webhook; one odd request from a scanner does not alarm. */
    webhookUnauthorizedThreshold: 5,
    /** 5xx answers of the HTTP API in one period: by design only when storage failed (docs/contract.md §3). */
    serverErrorThreshold: 1,
    /** Sendblue 429s in one period, in `sendblueThrottledPeriods` periods in a row: a few are back-pressure, a steady stream is not. */
    sendblueThrottledThreshold: 5,
    sendblueThrottledPeriods: 3,
    /**
     * A line paused by an outage this long alarms, seconds (context `linePausedAlarmSeconds`; 0 = no
     * such alarm). Commands on it wait and nothing fails before the outage budget; five minutes of
     * Sendblue unreachable is worth a look (its status page, your network, DNS).
     */
    linePausedAlarmSeconds: 300,
    /** Period of the line-paused alarm: each failed probe writes the paused seconds, at least every few seconds. */
    linePausedPeriod: Duration.minutes(1),
  },
} as const;
