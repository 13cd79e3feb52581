/** Environment variable names the Lambdas read; the stack sets them, the sandbox passes adapters instead. */
export const ENV = {
  tableName: 'TABLE_NAME',
  webhookSecretArn: 'WEBHOOK_SECRET_ARN',
  apiCredentialsSecretArn: 'API_CREDENTIALS_SECRET_ARN',
  maxBodyBytes: 'MAX_BODY_BYTES',
  logLevel: 'LOG_LEVEL',
  fromNumber: 'SENDBLUE_FROM_NUMBER',
  sendblueBaseUrl: 'SENDBLUE_BASE_URL',
  statusWebhookUrl: 'STATUS_WEBHOOK_URL',
  commandTtlDays: 'COMMAND_TTL_DAYS',
} as const;

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing required environment variable ${name}`);
  return value;
}
