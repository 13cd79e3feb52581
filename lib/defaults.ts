import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_MAX_BODY_BYTES } from '../lambdas/shared/http';

/**
 * Every default of the stack in one place. Constructs take these as their `@default`s and the
 * config parser (lib/config.ts) falls back to them, so a secure value is written down exactly once.
 */
export const DEFAULTS = {
  /** CloudFormation stack name (context `stackName`). */
  stackName: 'SendblueGroups',
  /**
   * Placeholder for the Sendblue line (context `fromNumber`). It is not a real line: set your own
   * in cdk.json or with `-c fromNumber=+1...` before sending. Synth warns while it is in use.
   */
  fromNumber: '+15550000000',
  /** Sendblue API base URL (context `sendblueBaseUrl`). */
  sendblueBaseUrl: 'https://api.sendblue.co',
  /** Largest webhook body the ingest Lambda accepts, in bytes (context `maxBodyBytes`); larger answers 413. */
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  /** Upper bound for `maxBodyBytes`: Lambda's synchronous invocation payload limit (6 MB). */
  maxBodyBytesLimit: 6 * 1024 * 1024,
  /** Stage-wide steady-state request rate, requests per second (context `throttleRateLimit`). */
  throttleRateLimit: 50,
  /** Stage-wide burst, requests (context `throttleBurstLimit`). */
  throttleBurstLimit: 100,
  /** Retention of Lambda logs and API access logs, days (context `logRetentionDays`). */
  logRetention: RetentionDays.ONE_MONTH,
  lambda: {
    /** Enough CPU for a fast cold start of a bundle with SDK clients, still cheap. */
    memorySize: 256,
    /** Well under API Gateway's 30 s integration timeout, so a slow call fails inside the handler's control. */
    timeout: Duration.seconds(10),
  },
} as const;
