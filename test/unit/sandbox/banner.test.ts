/**
 * `npm start`'s banner (sandbox/banner.ts) for a sandbox on other ports: its CLI commands carry
 * every env var the CLI reaches this sandbox with (the simulator's port too: `setup` calls it), it
 * prints the docs' `$API`/`$SIM` for these ports, and it never prints a secret the user chose.
 */
import { describe, expect, it } from 'vitest';
import { sandboxBanner, type BannerSandbox } from '../../../sandbox/banner.js';
import { DEFAULT_SANDBOX_CONFIG, type SandboxConfig } from '../../../sandbox/config.js';

const api = 'http://127.0.0.1:3100';
const sandbox = (sendblue: string, simulator: boolean) =>
  ({
    urls: {
      api,
      page: `${api}/`,
      health: `${api}/health`,
      receiveWebhook: `${api}/webhooks/receive`,
      statusWebhook: `${api}/webhooks/status`,
      dynamoDb: 'http://127.0.0.1:8100',
      sqs: 'http://127.0.0.1:9400',
      commandQueue: 'http://127.0.0.1:9400/000000000000/sendblue-group-commands.fifo',
      deadLetterQueue: 'http://127.0.0.1:9400/000000000000/sendblue-group-commands-dlq.fifo',
      sendblue,
    },
    tableName: 'sendblue-groups',
    simulator: simulator ? {} : undefined,
    streams: { feed: {}, mediaBucket: 'sendblue-groups-media' },
  }) as unknown as BannerSandbox;
const config: SandboxConfig = {
  ...DEFAULT_SANDBOX_CONFIG,
  port: 3100,
  sqsPort: 9400,
  dynamoDbPort: 8100,
  simulatorPort: 4110,
};

describe('the banner', () => {
  it("on other ports: every command starts with the CLI's env vars, and $API/$SIM are these ports'", () => {
    const text = sandboxBanner(sandbox('http://127.0.0.1:4110', true), config);
    const prefix = 'SANDBOX_PORT=3100 SANDBOX_SQS_PORT=9400 SANDBOX_SIMULATOR_PORT=4110 npm run cli --';
    expect(text).toContain(`  ${prefix} send --to +15551230001,+15551230002 "Hello group" --wait\n`);
    expect(text).toContain(`  ${prefix} history <group_id from the line above>\n`);
    expect(text).toContain(`(${prefix} events --follow)`);
    expect(text).not.toContain('SANDBOX_DYNAMODB_PORT=');
    expect(text).toContain(
      "The docs' examples use $API and $SIM; for this sandbox: API=http://127.0.0.1:3100 SIM=http://127.0.0.1:4110\n",
    );
    expect(text).not.toContain('setup also needs');
  });

  it('with SENDBLUE_BASE_URL: the prefix carries it (no simulator port, no $SIM), never its credentials', () => {
    const local = sandboxBanner(sandbox('http://127.0.0.1:5000', false), {
      ...config,
      sendblueBaseUrl: 'http://127.0.0.1:5000',
    });
    expect(local).toContain(
      '  SANDBOX_PORT=3100 SANDBOX_SQS_PORT=9400 SENDBLUE_BASE_URL=http://127.0.0.1:5000 npm run cli -- send ',
    );
    expect(local).toContain("The docs' examples use $API; for this sandbox: API=http://127.0.0.1:3100\n");
    const secretUrl = 'https://user:s3cret@sb.example';
    const withCredentials = sandboxBanner(sandbox(secretUrl, false), { ...config, sendblueBaseUrl: secretUrl });
    expect(withCredentials).not.toContain('s3cret');
    expect(withCredentials).toContain('SENDBLUE_BASE_URL="$SENDBLUE_BASE_URL" npm run cli -- send ');
  });

  it('chosen credentials and webhook secret: named for setup, never printed', () => {
    const text = sandboxBanner(sandbox('http://127.0.0.1:4110', true), {
      ...config,
      apiKeyId: 'my-key-id',
      apiSecretKey: 'my-secret-key',
      webhookSecret: 'my-webhook-secret',
    });
    expect(text).toContain(
      'setup also needs SENDBLUE_API_KEY_ID, SENDBLUE_API_SECRET_KEY, SENDBLUE_WEBHOOK_SECRET as this sandbox has them',
    );
    for (const secret of ['my-key-id', 'my-secret-key', 'my-webhook-secret']) expect(text).not.toContain(secret);
  });
});
