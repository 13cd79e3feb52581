/**
 * Settings shared by the stack (the SQS queue, the event source, the sender Lambda) and the
 * sandbox (fauxqs and its poller), so both deliver commands the same way. Plain numbers: the
 * sandbox must not load aws-cdk-lib to read them.
 */
export const COMMAND_QUEUE_SETTINGS = {
  /** Sender Lambda timeout, seconds. */
  senderTimeoutSeconds: 30,
  /** Visibility timeout, seconds: AWS advises at least 6x the function timeout for SQS sources. */
  visibilityTimeoutSeconds: 180,
  /** Receives before SQS moves a command to the DLQ (the sender moves it itself on its last attempt, with the reason). */
  maxReceiveCount: 5,
  /** Records per sender invocation (Lambda's maximum for FIFO sources is 10). */
  batchSize: 10,
  /** Concurrent sender invocations: bounds the rate at which we call Sendblue (~1 msg/s per line, bursts of 10). */
  maxConcurrency: 5,
  /** Timeout of one Sendblue call, ms: several attempts fit in one sender invocation. */
  sendblueTimeoutMs: 10_000,
  /** Retry delay for 429/5xx/network errors: base * 2^(attempt-1), capped, seconds. */
  retryBaseDelaySeconds: 5,
  retryMaxDelaySeconds: 300,
  /** How long command ledger entries are kept, days (TTL). */
  ledgerRetentionDays: 30,
} as const;
