/**
 * `npm run cli -- setup --aws` as a real process asking for the API credentials: in a
 * pseudo-terminal (util-linux `script`), where nothing typed may be echoed, and from piped stdin.
 * Sendblue is the simulator over HTTP; CloudFormation and Secrets Manager have no local stand-in,
 * so the process's real AWS SDK clients reach a recording MOCK of both through AWS_ENDPOINT_URL.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSendblueSimulator, type RunningSimulator } from '../../../../sandbox/sendblue-simulator/index.js';
import { startAwsStandIn, type AwsStandIn } from '../../../support/aws-stand-in.js';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const KEY_ID = 'typed-key-id-7d2e';
const SECRET_KEY = 'typed-secret-key-c41f';
const CREDENTIALS_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ApiCredentials-AbCdEf';
const WEBHOOK_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:WebhookSecret-GhIjKl';
const WEBHOOK_SECRET = 'GeneratedWebhookSecretForThePromptTest';
const RECEIVE_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/receive';
const KEY_PROMPT = 'Sendblue API key id (typing is not shown): ';
const SECRET_PROMPT = 'Sendblue API secret key (typing is not shown): ';

let aws: AwsStandIn;
let sim: RunningSimulator;

beforeAll(async () => {
  aws = await startAwsStandIn();
  sim = await startSendblueSimulator({ apiKeyId: KEY_ID, apiSecretKey: SECRET_KEY, lines: ['+15550000000'] });
});
afterAll(async () => {
  await sim?.stop();
  await aws?.stop();
});
beforeEach(() => {
  sim.reset();
  aws.requests.length = 0;
  aws.stacks.set('SendblueGroups', {
    ReceiveWebhookUrl: RECEIVE_URL,
    StatusWebhookUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/status',
    ApiCredentialsSecretArn: CREDENTIALS_ARN,
    WebhookSecretArn: WEBHOOK_SECRET_ARN,
    SendblueBaseUrl: sim.url,
  });
  aws.secrets.set(CREDENTIALS_ARN, '{"apiKeyId":"","apiSecretKey":""}');
  aws.secrets.set(WEBHOOK_SECRET_ARN, WEBHOOK_SECRET);
});

const childEnv = () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  delete env.SENDBLUE_API_KEY_ID;
  delete env.SENDBLUE_API_SECRET_KEY;
  delete env.SENDBLUE_GROUPS_STACK;
  return env;
};

/**
 * Runs the CLI; `script` gives it a pseudo-terminal whose whole screen is `out`. `keys` are typed
 * one after another, each once its prompt is on the screen.
 */
function run(options: { tty: boolean; keys?: Array<{ after: string; type: string }>; stdin?: string }) {
  const cli = `${process.execPath} --import tsx bin/cli.ts setup --aws`;
  const child = options.tty
    ? spawn('script', ['-q', '-e', '-c', cli, '/dev/null'], { cwd: ROOT, env: childEnv() })
    : spawn(process.execPath, ['--import', 'tsx', 'bin/cli.ts', 'setup', '--aws'], { cwd: ROOT, env: childEnv() });
  let out = '';
  let err = '';
  const pending = [...(options.keys ?? [])];
  let seen = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    // Type the next value once its prompt appeared after the previous one.
    while (pending.length && out.indexOf(pending[0]!.after, seen) !== -1) {
      seen = out.indexOf(pending[0]!.after, seen) + pending[0]!.after.length;
      child.stdin.write(pending.shift()!.type);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  if (options.stdin !== undefined) child.stdin.end(options.stdin);
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (options.tty) child.stdin.destroy();
      resolve({ code, out, err });
    });
  });
}

const stored = () => aws.secrets.get(CREDENTIALS_ARN);

describe('setup --aws asks for the credentials', () => {
  it('in a terminal: both prompts, nothing typed is echoed (Backspace works), the values are stored and the webhooks registered', async () => {
    const result = await run({
      tty: true,
      keys: [
        { after: KEY_PROMPT, type: `${KEY_ID}\r` },
        { after: SECRET_PROMPT, type: `${SECRET_KEY}xy\u007f\u007f\r` },
      ],
    });
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain(KEY_PROMPT);
    expect(result.out).toContain(SECRET_PROMPT);
    expect(result.out).toContain(`Sendblue API keys (as typed) stored in ${CREDENTIALS_ARN}`);
    for (const value of [KEY_ID, SECRET_KEY, WEBHOOK_SECRET]) expect(result.out).not.toContain(value);
    expect(JSON.parse(stored()!)).toEqual({ apiKeyId: KEY_ID, apiSecretKey: SECRET_KEY });
    expect(sim.accountWebhooks().receive as unknown[]).toEqual([{ url: RECEIVE_URL, secret: WEBHOOK_SECRET }]);
  });

  it('in a terminal, Ctrl-C at a prompt cancels: exit 1, nothing stored, nothing registered', async () => {
    const result = await run({
      tty: true,
      keys: [
        { after: KEY_PROMPT, type: `${KEY_ID}\r` },
        { after: SECRET_PROMPT, type: 'half\u0003' },
      ],
    });
    expect(result.code).toBe(1);
    expect(result.out).toContain('error: cancelled: nothing was stored');
    expect(result.out).not.toContain(KEY_ID);
    expect(result.out).not.toContain('half');
    expect(aws.requests.filter((r) => r.action === 'PutSecretValue')).toEqual([]);
    expect(sim.accountWebhooks()).toEqual({});
  });

  it('from piped stdin: one line each; stderr says what it reads, never the values', async () => {
    const result = await run({ tty: false, stdin: `${KEY_ID}\r\n${SECRET_KEY}\n` });
    expect(result.code, result.err).toBe(0);
    expect(`${result.out}${result.err}`).not.toContain(KEY_ID);
    expect(`${result.out}${result.err}`).not.toContain(SECRET_KEY);
    expect(result.err).toBe(
      'reading Sendblue API key id from stdin (one line)\nreading Sendblue API secret key from stdin (one line)\n',
    );
    expect(JSON.parse(stored()!)).toEqual({ apiKeyId: KEY_ID, apiSecretKey: SECRET_KEY });
  });

  it('from an empty stdin: a clear usage error, nothing stored', async () => {
    const result = await run({ tty: false, stdin: '' });
    expect(result.code).toBe(1);
    expect(result.err.trim().split('\n')).toEqual([
      'reading Sendblue API key id from stdin (one line)',
      'error: no value given for Sendblue API key id: nothing was stored',
    ]);
    expect(stored()).toBe('{"apiKeyId":"","apiSecretKey":""}');
  });
});
