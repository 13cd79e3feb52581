import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SANDBOX_CONFIG,
  loadSandboxConfig,
  SANDBOX_DLQ_NAME,
  SANDBOX_QUEUE_NAME,
  SANDBOX_REGION,
  SANDBOX_TABLE,
  SandboxConfigError,
} from '../../../sandbox/config.js';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadSandboxConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(SandboxConfigError);
    return (error as SandboxConfigError).problems;
  }
  throw new Error('expected the configuration to be rejected');
};

describe('loadSandboxConfig', () => {
  it('uses the docs/contract.md §6 defaults when nothing is set', () => {
    expect(loadSandboxConfig({})).toEqual({
      port: 3000,
      sqsPort: 9324,
      dynamoDbPort: 8000,
      simulatorPort: 4010,
      sendblueBaseUrl: undefined,
      apiKeyId: 'sandbox-key',
      apiSecretKey: 'sandbox-secret',
      fromNumber: '+15550000000',
      webhookSecret: 'sandbox-webhook-secret',
      lineRatePerSecond: 1,
      lineBurst: 10,
      events: true,
      media: true,
      backfillSeconds: 60,
      code: 'source',
    });
    expect(DEFAULT_SANDBOX_CONFIG).toEqual(loadSandboxConfig({}));
  });

  it('SANDBOX_CODE chooses the source or the bundles in cdk.out, and refuses anything else', () => {
    expect(loadSandboxConfig({ SANDBOX_CODE: 'bundles' }).code).toBe('bundles');
    expect(loadSandboxConfig({ SANDBOX_CODE: ' Bundles ' }).code).toBe('bundles');
    expect(loadSandboxConfig({ SANDBOX_CODE: '' }).code).toBe('source');
    expect(problemsOf({ SANDBOX_CODE: 'dist' })).toEqual(['SANDBOX_CODE must be source or bundles (got "dist")']);
  });

  it('reads every variable', () => {
    const config = loadSandboxConfig({
      SANDBOX_PORT: '3100',
      SANDBOX_SQS_PORT: '9400',
      SANDBOX_DYNAMODB_PORT: '8100',
      SANDBOX_SIMULATOR_PORT: '4100',
      SENDBLUE_BASE_URL: 'https://api.sendblue.co',
      SENDBLUE_API_KEY_ID: 'key',
      SENDBLUE_API_SECRET_KEY: 'secret',
      SENDBLUE_FROM_NUMBER: '+14155550123',
      SENDBLUE_WEBHOOK_SECRET: 'whsec',
      SENDBLUE_LINE_RATE: '2.5',
      SENDBLUE_LINE_BURST: '4',
      SANDBOX_EVENTS: 'off',
      SANDBOX_MEDIA: 'OFF',
      SANDBOX_BACKFILL_SECONDS: '15',
      SANDBOX_CODE: 'bundles',
    });
    expect(config).toEqual({
      port: 3100,
      sqsPort: 9400,
      dynamoDbPort: 8100,
      simulatorPort: 4100,
      sendblueBaseUrl: 'https://api.sendblue.co',
      apiKeyId: 'key',
      apiSecretKey: 'secret',
      fromNumber: '+14155550123',
      webhookSecret: 'whsec',
      lineRatePerSecond: 2.5,
      lineBurst: 4,
      events: false,
      media: false,
      backfillSeconds: 15,
      code: 'bundles',
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadSandboxConfig({ SANDBOX_PORT: '', SENDBLUE_BASE_URL: ' ', SENDBLUE_WEBHOOK_SECRET: '' })).toEqual(
      DEFAULT_SANDBOX_CONFIG,
    );
  });

  it.each(['abc', '0', '65536', '3000.5', '-1', '80x'])('rejects SANDBOX_PORT=%s, naming the variable', (value) => {
    expect(problemsOf({ SANDBOX_PORT: value })).toEqual([
      `SANDBOX_PORT must be a port number from 1 to 65535 (got "${value}")`,
    ]);
  });

  it('rejects two services on one port', () => {
    expect(problemsOf({ SANDBOX_DYNAMODB_PORT: '3000' })).toEqual([
      'SANDBOX_PORT and SANDBOX_DYNAMODB_PORT are all set to port 3000: each needs its own',
    ]);
  });

  it('rejects a base URL that is not http(s) and a from number that is not E.164', () => {
    expect(problemsOf({ SENDBLUE_BASE_URL: 'api.sendblue.co', SENDBLUE_FROM_NUMBER: '555-0000' })).toEqual([
      'SENDBLUE_BASE_URL must be an http(s) URL (got "api.sendblue.co")',
      'SENDBLUE_FROM_NUMBER must be an E.164 number such as +15550000000 (got "555-0000")',
    ]);
  });

  it.each([
    ['SENDBLUE_LINE_RATE', '-1'],
    ['SENDBLUE_LINE_RATE', 'fast'],
    ['SENDBLUE_LINE_RATE', '1e3'],
    ['SENDBLUE_LINE_BURST', '0'],
    ['SENDBLUE_LINE_BURST', '2.5'],
    ['SANDBOX_EVENTS', 'maybe'],
    ['SANDBOX_MEDIA', 'yes please'],
  ])('rejects %s=%s, naming the variable', (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([expect.stringContaining(`${name} must be`)]);
  });

  it.each(['-1', '1.5', 'often', '86401'])('rejects SANDBOX_BACKFILL_SECONDS=%s, naming the variable', (value) => {
    expect(problemsOf({ SANDBOX_BACKFILL_SECONDS: value })).toEqual([
      `SANDBOX_BACKFILL_SECONDS must be whole seconds from 0 (no timer) to 86400 (got "${value}")`,
    ]);
  });

  it('takes SANDBOX_BACKFILL_SECONDS=0 as "no timer"', () => {
    expect(loadSandboxConfig({ SANDBOX_BACKFILL_SECONDS: '0' }).backfillSeconds).toBe(0);
  });

  it('takes SENDBLUE_LINE_RATE=0 as "no pacing"', () => {
    expect(loadSandboxConfig({ SENDBLUE_LINE_RATE: '0' }).lineRatePerSecond).toBe(0);
  });

  it('lists every problem in one error message', () => {
    expect(() => loadSandboxConfig({ SANDBOX_SQS_PORT: 'x', SENDBLUE_BASE_URL: 'ftp://example.com' })).toThrow(
      /Invalid sandbox configuration:\n {2}- SANDBOX_SQS_PORT .*\n {2}- SENDBLUE_BASE_URL /,
    );
  });
});

describe('fixed sandbox names', () => {
  it('match docs/contract.md §6', () => {
    expect(SANDBOX_QUEUE_NAME).toBe('sendblue-group-commands.fifo');
    expect(SANDBOX_DLQ_NAME).toBe('sendblue-group-commands-dlq.fifo');
    expect(SANDBOX_TABLE).toBe('sendblue-groups');
    expect(SANDBOX_REGION).toBe('us-east-1');
  });
});
