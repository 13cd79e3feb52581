/**
 * The backfill's settings, shared by the stack (lib/defaults.ts, the Backfill construct) and the
 * sandbox, as plain numbers (the sandbox must not load aws-cdk-lib). docs/backfill.md.
 */
export const BACKFILL_SETTINGS = {
  /** How often the scheduled run starts, minutes (context `backfillIntervalMinutes`; 0 = no schedule). */
  intervalMinutes: 5,
  /** Each run reads from the watermark minus this: clock skew, and records that show up late in Sendblue's list. */
  overlapMinutes: 10,
  /** The first run on a line (no watermark yet) reads this far back. */
  lookbackMinutes: 10,
  /** Sendblue's list allows about 100 requests per 10 s per account: 8/s leaves room for the sender's checks. */
  listCallsPerSecond: 8,
  /** Records per list page (Sendblue's largest). */
  pageSize: 100,
  /** Pages one run may read, all lines together (40,000 records); the rest is read by the next runs. */
  maxPagesPerRun: 400,
  /** The run stops starting new pages after this, seconds; then the sweep runs. */
  listBudgetSeconds: 60,
  /** The sweep stops starting new checks this long after the run began, seconds. */
  runBudgetSeconds: 100,
  /** Function timeout, seconds: above runBudgetSeconds plus one slow call. */
  timeoutSeconds: 120,
  /** An unknown command is swept when not written for this long: longer than the queue path's check backoff. */
  unsettledMinAgeMinutes: 60,
  /** Unknown commands settled per run at most. */
  sweepMaxPerRun: 25,
  /** Timeout of one Sendblue call, ms. */
  sendblueTimeoutMs: 10_000,
} as const;

/** Environment variables of the backfill Lambda besides the shared ones in env.ts. */
export const BACKFILL_ENV = {
  /** Comma-separated E.164 lines to read. */
  lines: 'BACKFILL_LINES',
  overlapMinutes: 'BACKFILL_OVERLAP_MINUTES',
  lookbackMinutes: 'BACKFILL_LOOKBACK_MINUTES',
  unsettledMinAgeMinutes: 'UNSETTLED_MIN_AGE_MINUTES',
} as const;
