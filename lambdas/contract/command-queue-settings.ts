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
  /**
   * The command's own failed attempts (Sendblue answered 408/409 about it, or no API credentials;
   * never 429s, waits for a line slot, or failures of the way to Sendblue) before the sender gives
   * it up and moves it to the DLQ itself, with the reason.
   */
  maxAttempts: 5,
  /**
   * How long a command may ride out failures of the way to Sendblue (unreachable, no answer, 5xx)
   * and waits on a line paused by an outage, from the first of a streak, seconds; past it, failed
   * with the reason (docs/sending.md "When Sendblue is down: an outage, not a failure"). Context
   * `outageBudgetSeconds`.
   */
  outageBudgetSeconds: 3_600,
  /**
   * Receives before SQS itself moves a command to the DLQ: only a safety net for a sender that
   * crashes on every delivery. Commands waiting for a slot, for a 429 to pass, for a check in
   * Sendblue or for an outage to pass are received again and again, so this is SQS's maximum, not
   * the failure budget (an hour's outage costs a waiting command about 450 receives, at most one per
   * probe gap: line-breaker.ts `receivesToRideOut`).
   */
  maxReceiveCount: 1_000,
  /** How long a command may wait on the queue, seconds (SQS's maximum, 14 days). */
  retentionSeconds: 1_209_600,
  /** Records per sender invocation (Lambda's maximum for FIFO sources is 10). */
  batchSize: 10,
  /** Concurrent sender invocations (per-line pacing, not this, keeps sends within Sendblue's limits). */
  maxConcurrency: 5,
  /** Timeout of one Sendblue call, ms: several attempts fit in one sender invocation. */
  sendblueTimeoutMs: 10_000,
  /** Retry delay after a failed attempt (or a failed check): base * 2^(n-1), capped, seconds. */
  retryBaseDelaySeconds: 5,
  retryMaxDelaySeconds: 300,
  /** After an unclear attempt, wait at least this long before asking Sendblue: its message list may lag. */
  settleDelaySeconds: 30,
  /** How long command ledger entries are kept, days (TTL). */
  ledgerRetentionDays: 30,
} as const;

/** How long one attempt owns a command: longer than the sender can run, so leases never overlap. */
export const SENDER_LEASE_MS = (COMMAND_QUEUE_SETTINGS.senderTimeoutSeconds + 10) * 1000;
