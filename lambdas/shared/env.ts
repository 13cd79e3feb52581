/** Environment variable names the Lambdas read; the stack sets them, the sandbox passes adapters instead. */
export const ENV = {
  tableName: 'TABLE_NAME',
  webhookSecretArn: 'WEBHOOK_SECRET_ARN',
  maxBodyBytes: 'MAX_BODY_BYTES',
  logLevel: 'LOG_LEVEL',
} as const;

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing required environment variable ${name}`);
  return value;
}
