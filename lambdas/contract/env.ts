/** Environment variable names the Lambdas read; the stack sets them, the sandbox passes adapters instead. */
export const ENV = {
  tableName: 'TABLE_NAME',
  webhookSecretArn: 'WEBHOOK_SECRET_ARN',
  maxBodyBytes: 'MAX_BODY_BYTES',
  logLevel: 'LOG_LEVEL',
  // The sender's settings (lib/constructs/sender.ts sets them).
  apiCredentialsSecretArn: 'API_CREDENTIALS_SECRET_ARN',
  callbackTokenSecretArn: 'CALLBACK_TOKEN_SECRET_ARN',
  statusWebhookUrl: 'STATUS_WEBHOOK_URL',
  fromNumber: 'FROM_NUMBER',
  sendblueBaseUrl: 'SENDBLUE_BASE_URL',
  sendblueTimeoutMs: 'SENDBLUE_TIMEOUT_MS',
  commandQueueUrl: 'COMMAND_QUEUE_URL',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  maxAttempts: 'MAX_ATTEMPTS',
  outageBudgetSeconds: 'OUTAGE_BUDGET_SECONDS',
  lineRatePerSecond: 'LINE_RATE_PER_SECOND',
  lineBurst: 'LINE_BURST',
  newContactsPerHour: 'NEW_CONTACTS_PER_HOUR',
  newContactsPerDay: 'NEW_CONTACTS_PER_DAY',
  /** Sends that reach opted-out members: `refuse` or `send` (unset: the default, sending/preflight.ts). */
  optedOutMembers: 'OPTED_OUT_MEMBERS',
  /** The stack's lines, comma-separated: never contacts, never members (contacts and pre-flight). */
  ourLines: 'OUR_LINES',
  // Events and media (lib/constructs/domain-events.ts, media-archive.ts).
  eventBusName: 'EVENT_BUS_NAME',
  mediaBucketName: 'MEDIA_BUCKET_NAME',
  mediaMaxBytes: 'MEDIA_MAX_BYTES',
  mediaFetchTimeoutMs: 'MEDIA_FETCH_TIMEOUT_MS',
  /**
   * SANDBOX ONLY, never set by the stack: `allow` lets the media Lambda fetch plain http from
   * 127.0.0.1 (the simulator's media), and only while AWS_ENDPOINT_URL is on 127.0.0.1 too (the
   * sandbox's bundles mode); a Lambda in AWS ignores it.
   */
  sandboxLoopbackMedia: 'SANDBOX_MEDIA_LOOPBACK',
} as const;

/**
 * A numeric setting the stack may set: its value when it is a number `isValid` accepts, else the
 * default (unset, empty or nonsense never becomes 0 or NaN).
 */
export function numberFromEnv(name: string, fallback: number, isValid = (value: number) => value > 0): number {
  const raw = process.env[name];
  const value = Number(raw);
  return raw !== undefined && raw.trim() !== '' && Number.isFinite(value) && isValid(value) ? value : fallback;
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing required environment variable ${name}`);
  return value;
}
