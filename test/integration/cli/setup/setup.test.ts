/**
 * `cli setup` in the sandbox, end to end: a whole sandbox (the harness: DynamoDB Local, SQS
 * emulator, sender, the Sendblue simulator over HTTP), with another app's webhooks already on the
 * simulated account. Registration, what it makes Sendblue deliver (member replies stored; status
 * events twice, as callback and outbound webhook, stored once), --show, --remove; never a PUT and
 * never a secret in the output or the logs. Nothing is mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../cli/main.js';
import { DEFAULT_SANDBOX_CONFIG } from '../../../../sandbox/config.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../../sandbox/sendblue-simulator/receiver.js';
import { MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';

const { apiKeyId, apiSecretKey, webhookSecret } = DEFAULT_SANDBOX_CONFIG;
const NEVER_SHOWN = [apiSecretKey, webhookSecret, 'their-token', 'their-secret'];

let h: Harness;
/** Another app on the same Sendblue account, with its own receive webhook (on this machine: no traffic leaves it). */
let otherApp: WebhookReceiver;
let foreign: { url: string; secret: string };
let env: NodeJS.ProcessEnv;
let receiveUrl: string;
let statusUrl: string;
const outputs: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  otherApp = await startWebhookReceiver();
  foreign = { url: `${otherApp.url}/hooks/sendblue?key=their-token`, secret: 'their-secret' };
  env = {
    SANDBOX_PORT: new URL(h.sandbox.urls.api).port,
    SANDBOX_SQS_PORT: new URL(h.sandbox.urls.sqs).port,
    SANDBOX_SIMULATOR_PORT: new URL(h.sim.url).port,
  };
  ({ receiveWebhook: receiveUrl, statusWebhook: statusUrl } = h.sandbox.urls);
  await sendblue('POST', { type: 'receive', webhooks: [foreign] });
  await sendblue('POST', { type: 'typing_indicator', webhooks: ['https://typing.example.org/t'] });
});
afterAll(async () => {
  await h?.stop();
  await otherApp?.stop();
});

/** A call to the simulated Sendblue account, as another app would make it. */
const sendblue = (method: string, body: unknown) =>
  fetch(`${h.sim.url}/api/account/webhooks`, {
    method,
    headers: { 'sb-api-key-id': apiKeyId, 'sb-api-secret-key': apiSecretKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env });
  outputs.push(...out, ...err);
  return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) };
}

type Entry = string | { url: string; secret?: string };
const registrations = () => h.sim.accountWebhooks() as Record<string, Entry[]>;
const urlOf = (entry: Entry) => (typeof entry === 'string' ? entry : entry.url);
const ours = () => ({
  receive: (registrations().receive ?? []).filter((entry) => urlOf(entry) === receiveUrl),
  outbound: (registrations().outbound ?? []).filter((entry) => urlOf(entry) === statusUrl),
});
const foreignIntact = () => {
  expect(registrations().receive).toContainEqual(foreign);
  expect(registrations().typing_indicator).toEqual(['https://typing.example.org/t']);
};

describe('cli setup (sandbox)', () => {
  it("--remove first: the receive webhook the sandbox starts with goes, the other app's stay; a member reply then no longer reaches the sandbox", async () => {
    expect(ours().receive).toEqual([{ url: receiveUrl, secret: webhookSecret }]); // as `npm start` configures it
    const removed = await cli('setup', '--remove');
    expect(removed.code, removed.err).toBe(0);
    expect(ours()).toEqual({ receive: [], outbound: [] });
    foreignIntact();

    const group = h.sim.createGroup([MEMBERS[0]!, MEMBERS[1]!]);
    const reply = await h.sim.memberReply(group.group_id, 'nobody hears this');
    expect((await h.get(`/messages/${reply.message_handle}`)).status).toBe(404);
  });

  it('setup registers exactly our two; run twice, still exactly two; the credentials step says the sandbox has no store', async () => {
    const first = await cli('setup');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain(
      'Sendblue API keys: the sandbox has no secret store; it uses its own (SENDBLUE_API_KEY_ID, SENDBLUE_API_SECRET_KEY)',
    );
    expect(first.out).toMatch(new RegExp(`receive +${receiveUrl} +added\\noutbound +${statusUrl} +added`));
    const second = await cli('setup', '--json');
    expect(second.json()).toMatchObject({
      credentials: { action: 'sandbox' },
      changes: [
        { type: 'receive', action: 'unchanged' },
        { type: 'outbound', action: 'unchanged' },
      ],
    });
    expect(ours()).toEqual({
      receive: [{ url: receiveUrl, secret: webhookSecret }],
      outbound: [{ url: statusUrl, secret: webhookSecret }],
    });
    foreignIntact();
  });

  it('the registered receive webhook delivers a member reply, and it is stored', async () => {
    const group = h.sim.createGroup([MEMBERS[0]!, MEMBERS[1]!]);
    const reply = await h.sim.memberReply(group.group_id, 'heard through setup');
    const stored = await h.get(`/messages/${reply.message_handle}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({
      group_id: group.group_id,
      direction: 'inbound',
      content: 'heard through setup',
    });
    const deliveries = h.sim.callbacks.filter(
      (c) => c.kind === 'reply' && c.payload.message_handle === reply.message_handle,
    );
    expect(deliveries.map((c) => [c.url, c.lastStatus]).sort()).toEqual(
      [
        [receiveUrl, 200],
        [foreign.url, 200],
      ].sort(),
    );
    // Like Sendblue, every receive webhook of the account gets it: the other app too, with its own secret.
    expect(
      otherApp.received
        .filter((r) => (r.body as { message_handle: string }).message_handle === reply.message_handle)
        .map((r) => r.headers['sb-signing-secret']),
    ).toEqual(['their-secret']);
  });

  it('statuses now come twice (status_callback and the outbound webhook): stored once each', async () => {
    h.sim.callbacks.length = 0;
    await h.push({
      type: 'send_group_message',
      command_id: 'setup-double-1',
      numbers: [MEMBERS[0], MEMBERS[1]],
      content: 'counted once',
    });
    const command = await h.waitForCommand('setup-double-1', ['sent']);
    await h.sim.idle();
    const handle = command.message_handle as string;
    const deliveries = h.sim.callbacks.filter((c) => c.payload.message_handle === handle);
    expect(deliveries.map((c) => `${c.kind} ${c.payload.status} ${c.lastStatus}`).sort()).toEqual([
      'outbound DELIVERED 200',
      'outbound SENT 200',
      'status DELIVERED 200',
      'status SENT 200',
    ]);
    const message = await h.get(`/messages/${handle}`);
    expect(message.body.status).toBe('DELIVERED');
    expect(message.body.status_history.map((s: { status: string }) => s.status).sort()).toEqual(['DELIVERED', 'SENT']);
    // Each status advanced the message once; the second copy changed nothing (logged as a duplicate, or
    // as history when the two copies raced).
    const changed = h.logs
      .filter((line) => line.includes('"status changed"') && line.includes(handle))
      .map((line) => JSON.parse(line).status);
    expect(changed).toEqual(['SENT', 'DELIVERED']);
  });

  it("--show lists ours in full and the other app's by type and host only", async () => {
    const shown = await cli('setup', '--show');
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out.split('\n')).toEqual([
      `Webhooks on the Sendblue account (${h.sim.url}):`,
      `  ✓ receive           ${receiveUrl}  ours, with our webhook secret`,
      `  ✓ outbound          ${statusUrl}  ours, with our webhook secret`,
      `    receive           ${new URL(otherApp.url).host}  not ours: left as it is`,
      '    typing_indicator  typing.example.org  not ours: left as it is',
      // Pasted, it reaches this sandbox and this simulator: setup reads the simulator's port too.
      `to remove ours: SANDBOX_PORT=${env.SANDBOX_PORT} SANDBOX_SQS_PORT=${env.SANDBOX_SQS_PORT} SANDBOX_SIMULATOR_PORT=${env.SANDBOX_SIMULATOR_PORT} npm run cli -- setup --remove`,
    ]);
  });

  it('--remove leaves none of ours and every other webhook; replies stop reaching us', async () => {
    const removed = await cli('setup', '--remove', '--json');
    expect(removed.json().changes).toEqual([
      { type: 'receive', url: receiveUrl, action: 'deleted' },
      { type: 'outbound', url: statusUrl, action: 'deleted' },
    ]);
    expect(ours()).toEqual({ receive: [], outbound: [] });
    foreignIntact();
    expect((await cli('setup', '--remove')).out).toContain('none of our webhooks is registered');
    const group = h.sim.createGroup([MEMBERS[0]!, MEMBERS[1]!]);
    const reply = await h.sim.memberReply(group.group_id, 'after removal');
    expect((await h.get(`/messages/${reply.message_handle}`)).status).toBe(404);
  });

  it('never PUT; no secret in any output line or log line', () => {
    const methods = h.sim.requests.filter((r) => r.path === '/api/account/webhooks').map((r) => r.method);
    expect(new Set(methods)).toEqual(new Set(['GET', 'POST', 'DELETE']));
    for (const value of NEVER_SHOWN) {
      expect(outputs.join('\n')).not.toContain(value);
      expect(h.logs.join('\n')).not.toContain(value);
    }
    // The simulator's request log (/__simulator/requests) keeps the other app's URL, but no secret.
    const recorded = JSON.stringify(h.sim.requests);
    for (const value of [apiSecretKey, webhookSecret, 'their-secret']) expect(recorded).not.toContain(value);
  });

  it('a SENDBLUE_BASE_URL that is not this machine is refused before any call (its 127.0.0.1 URLs would be useless there)', async () => {
    const saved = env;
    env = { ...env, SENDBLUE_BASE_URL: 'https://api.sendblue.co' };
    try {
      const refused = await cli('setup');
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(
        /^error: SENDBLUE_BASE_URL points the sandbox at api\.sendblue\.co: setup would register/,
      );
    } finally {
      env = saved;
    }
  });
});
