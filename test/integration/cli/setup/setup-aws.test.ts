/**
 * `cli setup --aws` against a deployed stack's stand-ins: the Sendblue simulator over real HTTP
 * plays Sendblue (with another app's webhooks already on the account); CloudFormation and Secrets
 * Manager have no local stand-in, so a recording MOCK of both (test/support/aws-stand-in.ts)
 * answers the real AWS SDK clients through AWS_ENDPOINT_URL. Run in-process through runCli
 * (the terminal prompt itself: setup-prompt.test.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../../cli/main.js';
import { startSendblueSimulator, type RunningSimulator } from '../../../../sandbox/sendblue-simulator/index.js';
import { startAwsStandIn, type AwsStandIn } from '../../../support/aws-stand-in.js';

const KEY_ID = 'live-key-id-4f1c-do-not-print';
const SECRET_KEY = 'live-secret-key-93ab-do-not-print';
const WEBHOOK_SECRET = 'GeneratedWebhookSecret0123456789abcdefDoNotPrint';
const CREDENTIALS_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ApiCredentials-AbCdEf';
const WEBHOOK_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:WebhookSecret-GhIjKl';
const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const RECEIVE_URL = `${API}/webhooks/receive`;
const STATUS_URL = `${API}/webhooks/status`;
const PLACEHOLDER = '{"apiKeyId":"","apiSecretKey":""}';
const FOREIGN = {
  receive: { url: 'https://crm.example.com/hooks/sendblue?key=their-token', secret: 'their-secret' },
  typing: 'https://typing.example.org/t',
};
const NEVER_SHOWN = [KEY_ID, SECRET_KEY, WEBHOOK_SECRET, 'their-token', 'their-secret'];

let aws: AwsStandIn;
let sim: RunningSimulator;
const savedEnv = { ...process.env };

beforeAll(async () => {
  aws = await startAwsStandIn();
  sim = await startSendblueSimulator({ apiKeyId: KEY_ID, apiSecretKey: SECRET_KEY, lines: ['+15550000000'] });
  // The SDK reads these from the process: endpoints of the mock, and dummy AWS credentials.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterAll(async () => {
  process.env = savedEnv;
  await sim?.stop();
  await aws?.stop();
});
beforeEach(async () => {
  sim.reset();
  aws.requests.length = 0;
  aws.denied.clear();
  aws.stacks.set('SendblueGroups', {
    ApiUrl: `${API}/`,
    ReceiveWebhookUrl: RECEIVE_URL,
    StatusWebhookUrl: STATUS_URL,
    ApiCredentialsSecretArn: CREDENTIALS_ARN,
    WebhookSecretArn: WEBHOOK_SECRET_ARN,
    SendblueBaseUrl: sim.url,
  });
  aws.secrets.set(CREDENTIALS_ARN, PLACEHOLDER); // as the stack creates it
  aws.secrets.set(WEBHOOK_SECRET_ARN, WEBHOOK_SECRET);
  // Another app's webhooks on the same Sendblue account.
  const headers = { 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET_KEY, 'content-type': 'application/json' };
  await fetch(`${sim.url}/api/account/webhooks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'receive', webhooks: [FOREIGN.receive] }),
  });
  await fetch(`${sim.url}/api/account/webhooks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'typing_indicator', webhooks: [FOREIGN.typing] }),
  });
  sim.requests.length = 0;
});

interface Run {
  code: number;
  out: string;
  err: string;
  asked: string[];
  json: () => any;
}

async function cli(argv: string[], options: { env?: NodeJS.ProcessEnv; answers?: string[] } = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const asked: string[] = [];
  const answers = [...(options.answers ?? [])];
  const code = await runCli(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { AWS_REGION: 'eu-west-1', ...options.env },
    ...(options.answers ? { readSecret: async (label: string) => (asked.push(label), answers.shift() ?? '') } : {}),
  });
  const run = { code, out: out.join('\n'), err: err.join('\n'), asked, json: () => JSON.parse(out.join('\n')) };
  for (const value of NEVER_SHOWN) {
    expect(run.out, 'stdout shows a secret').not.toContain(value);
    expect(run.err, 'stderr shows a secret').not.toContain(value);
  }
  return run;
}

const ENV_CREDENTIALS = { SENDBLUE_API_KEY_ID: KEY_ID, SENDBLUE_API_SECRET_KEY: SECRET_KEY };
const ours = () => {
  const account = sim.accountWebhooks() as Record<string, Array<string | { url: string; secret?: string }>>;
  return {
    receive: (account.receive ?? []).filter((w) => typeof w === 'object' && w.url === RECEIVE_URL),
    outbound: (account.outbound ?? []).filter((w) => typeof w === 'object' && w.url === STATUS_URL),
  };
};
const foreignIntact = () => {
  const account = sim.accountWebhooks();
  expect(account.receive).toContainEqual(FOREIGN.receive);
  expect(account.typing_indicator).toEqual([FOREIGN.typing]);
};
const webhookCalls = () => sim.requests.filter((r) => r.path === '/api/account/webhooks').map((r) => r.method);
const puts = () => aws.requests.filter((r) => r.action === 'PutSecretValue');

describe('cli setup --aws', () => {
  it("stores the credentials from the environment and registers both webhooks with the stack's secret; run twice, still exactly two of ours", async () => {
    const first = await cli(['setup', '--aws'], { env: ENV_CREDENTIALS });
    expect(first.code, first.err).toBe(0);
    expect(puts()).toEqual([
      {
        action: 'PutSecretValue',
        params: expect.objectContaining({
          SecretId: CREDENTIALS_ARN,
          SecretString: JSON.stringify({ apiKeyId: KEY_ID, apiSecretKey: SECRET_KEY }),
        }),
      },
    ]);
    expect(aws.requests.filter((r) => r.action === 'GetSecretValue').map((r) => r.params.SecretId)).toEqual([
      WEBHOOK_SECRET_ARN,
    ]);
    expect(ours()).toEqual({
      receive: [{ url: RECEIVE_URL, secret: WEBHOOK_SECRET }],
      outbound: [{ url: STATUS_URL, secret: WEBHOOK_SECRET }],
    });
    expect(first.out).toContain(`Sendblue API keys (from the environment) stored in ${CREDENTIALS_ARN}`);
    expect(first.out).toMatch(new RegExp(`receive +${RECEIVE_URL} +added`));
    expect(first.out).toMatch(new RegExp(`✓ receive +${RECEIVE_URL} +ours, with our webhook secret`));
    expect(first.out).toMatch(/ {4}receive +crm\.example\.com +not ours: left as it is/);
    expect(first.out).toMatch(/ {4}typing_indicator +typing\.example\.org +not ours/);
    expect(first.out).toContain('to remove ours: npm run cli -- setup --remove --aws');

    const second = await cli(['setup', '--aws', '--json'], { env: ENV_CREDENTIALS });
    expect(second.json().changes.map((c: { action: string }) => c.action)).toEqual(['unchanged', 'unchanged']);
    expect(ours().receive).toHaveLength(1);
    expect(ours().outbound).toHaveLength(1);
    foreignIntact();
    expect(webhookCalls()).toEqual(['GET', 'POST', 'POST', 'GET', 'GET', 'GET']); // list, add two, list; second run: list, list
  });

  it('asks for the credentials when the environment has none (values never shown), checks them with Sendblue, then stores them', async () => {
    const run = await cli(['setup', '--aws'], { answers: [KEY_ID, ` ${SECRET_KEY}\n`] });
    expect(run.code, run.err).toBe(0);
    expect(run.asked).toEqual(['Sendblue API key id', 'Sendblue API secret key']);
    expect(run.out).toContain('Sendblue API keys (as typed) stored in');
    expect(JSON.parse(aws.secrets.get(CREDENTIALS_ARN)!)).toEqual({ apiKeyId: KEY_ID, apiSecretKey: SECRET_KEY });
  });

  it('wrong credentials: Sendblue refuses them (401), nothing is stored or registered, exit 2, and the message shows no secret', async () => {
    const run = await cli(['setup', '--aws'], {
      env: { SENDBLUE_API_KEY_ID: KEY_ID, SENDBLUE_API_SECRET_KEY: 'wrong-secret-do-not-print' },
    });
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^error: Sendblue refused to list the account webhooks: HTTP 401/);
    expect(run.err).not.toContain('wrong-secret-do-not-print');
    expect(puts()).toEqual([]);
    expect(aws.secrets.get(CREDENTIALS_ARN)).toBe(PLACEHOLDER);
    expect(ours()).toEqual({ receive: [], outbound: [] });
  });

  it('--keep-credentials: uses what the secret holds (no prompt, no write); an empty secret is still asked for and stored', async () => {
    const empty = await cli(['setup', '--aws', '--keep-credentials'], { answers: [KEY_ID, SECRET_KEY] });
    expect(empty.code, empty.err).toBe(0);
    expect(empty.asked).toHaveLength(2);
    expect(puts()).toHaveLength(1);

    aws.requests.length = 0;
    const kept = await cli(['setup', '--aws', '--keep-credentials', '--json'], { answers: [] });
    expect(kept.code, kept.err).toBe(0);
    expect(kept.asked).toEqual([]);
    expect(puts()).toEqual([]);
    expect(kept.json().credentials).toEqual({ action: 'kept', source: 'secret', secret_arn: CREDENTIALS_ARN });
  });

  it('re-registers our webhook when it carries another secret (DELETE, then POST), never PUT', async () => {
    await cli(['setup', '--aws'], { env: ENV_CREDENTIALS });
    aws.secrets.set(WEBHOOK_SECRET_ARN, 'RotatedWebhookSecret');
    sim.requests.length = 0;
    const run = await cli(['setup', '--aws', '--keep-credentials'], {});
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/re-registered \(it was registered with another secret\)/);
    expect(ours()).toEqual({
      receive: [{ url: RECEIVE_URL, secret: 'RotatedWebhookSecret' }],
      outbound: [{ url: STATUS_URL, secret: 'RotatedWebhookSecret' }],
    });
    expect(webhookCalls()).toEqual(['GET', 'DELETE', 'POST', 'DELETE', 'POST', 'GET']);
    foreignIntact();
  });

  it('--show lists with the stored credentials; --remove deletes only ours (by exact URL), twice is harmless', async () => {
    await cli(['setup', '--aws'], { env: ENV_CREDENTIALS });
    const shown = await cli(['setup', '--show', '--stack', 'SendblueGroups', '--json']);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.json().webhooks).toEqual([
      {
        type: 'receive',
        ours: true,
        url: RECEIVE_URL,
        host: 'abc123.execute-api.eu-west-1.amazonaws.com',
        secret: 'ours',
      },
      {
        type: 'outbound',
        ours: true,
        url: STATUS_URL,
        host: 'abc123.execute-api.eu-west-1.amazonaws.com',
        secret: 'ours',
      },
      { type: 'receive', ours: false, host: 'crm.example.com' },
      { type: 'typing_indicator', ours: false, host: 'typing.example.org' },
    ]);
    expect(puts()).toHaveLength(1); // only the first setup wrote

    const removed = await cli(['setup', '--remove', '--aws']);
    expect(removed.code, removed.err).toBe(0);
    expect(removed.out).toMatch(new RegExp(`receive +${RECEIVE_URL} +deleted`));
    expect(ours()).toEqual({ receive: [], outbound: [] });
    foreignIntact();
    const again = await cli(['setup', '--remove', '--aws', '--json']);
    expect(again.json().changes).toEqual([]);
    expect(sim.requests.filter((r) => r.method === 'DELETE').map((r) => r.body)).toEqual([
      { type: 'receive', webhooks: [RECEIVE_URL] },
      { type: 'outbound', webhooks: [STATUS_URL] },
    ]);
    expect(sim.requests.some((r) => r.method === 'PUT')).toBe(false);
  });

  it('AWS errors name the permission needed and never a value; a stack without the outputs is a usage error', async () => {
    aws.denied.add('PutSecretValue');
    const denied = await cli(['setup', '--aws'], { env: ENV_CREDENTIALS });
    expect(denied.code).toBe(2);
    expect(denied.err).toBe(
      `error: could not write the secret ApiCredentials (AccessDeniedException): your AWS credentials need secretsmanager:PutSecretValue on ${CREDENTIALS_ARN}`,
    );
    expect(ours()).toEqual({ receive: [], outbound: [] });

    aws.stacks.set('Other', { ApiUrl: API });
    const other = await cli(['setup', '--stack', 'Other'], { env: ENV_CREDENTIALS });
    expect(other.code).toBe(1);
    expect(other.err).toBe(
      'error: stack Other has no output ReceiveWebhookUrl: is it a sendblue-groups stack, fully deployed?',
    );
    expect((await cli(['setup', '--stack', 'Missing'])).code).toBe(2);
  });

  it('usage errors: half a credential pair, no way to ask, mixed modes, arguments', async () => {
    expect((await cli(['setup', '--aws'], { env: { SENDBLUE_API_KEY_ID: KEY_ID } })).err).toBe(
      'error: only SENDBLUE_API_KEY_ID is set: set both, or neither to be asked',
    );
    expect((await cli(['setup', '--aws'])).err).toMatch(
      /no Sendblue API credentials: set SENDBLUE_API_KEY_ID and SENDBLUE_API_SECRET_KEY, or run setup in a terminal/,
    );
    const empty = await cli(['setup', '--aws'], { answers: ['   ', 'x'] });
    expect([empty.code, empty.err]).toEqual([1, 'error: the API key id is empty: nothing was stored']);
    expect((await cli(['setup', '--show', '--remove'])).err).toBe(
      'error: --show and --remove cannot be combined (see: npm run cli -- setup --help)',
    );
    expect((await cli(['setup', 'now'])).code).toBe(1);
    expect(puts()).toEqual([]);
  });
});
