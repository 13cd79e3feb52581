/**
 * The schemas against a whole running sandbox (DynamoDB Local and its stream, the SQS emulator,
 * the Sendblue simulator over HTTP): the Python producer example (examples/python/producer.py,
 * Debian's boto3 speaking SQS's Query protocol) sends a command that reaches `sent` with exactly one
 * send; then real traffic (sends, replies with media, changes, a failure) and every answer of the
 * read API and of the sandbox's own routes, and every event in its event log, match their schemas'
 * closed copies (a field the code writes but the schema does not describe fails).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadHandler } from '../../../lambdas/reads/read-handler.js';
import { silentLogger } from '../../../lambdas/platform/logger.js';
import { SIGNING_HEADER } from '../../../lambdas/webhooks/webhook-auth.js';
import type { EventEnvelope } from '../../../lambdas/contract/sandbox.js';
import { apiEvent, inboundPayload } from '../../support/http-events.js';
import { pythonMissing, runPython } from '../../support/python.js';
import { MEMBERS, startHarness, type Harness } from '../../support/sandbox-harness.js';
import { expectValid, validatorFor } from '../../support/schemas.js';

const SEND = '/api/send-group-message';
const PRODUCER = fileURLToPath(new URL('../../../examples/python/producer.py', import.meta.url));

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ streams: { pollIntervalMs: 50 } });
});
afterAll(async () => {
  await h?.stop();
});

/** Runs the example against this sandbox's SQS port. */
function producer(args: string[]) {
  return runPython([PRODUCER, ...args], {
    env: { ...process.env, SANDBOX_SQS_PORT: new URL(h.sandbox.urls.sqs).port, AWS_ACCESS_KEY_ID: '' },
  });
}

/** Everything published, once every command, callback and stream record has been handled. */
async function settled(): Promise<void> {
  await h.sim.idle();
  await h.sandbox.poller.drained();
  await h.sandbox.streams.caughtUp();
}

const missing = pythonMissing(['boto3', 'jsonschema']);
if (missing) console.warn(`sandbox-shapes.test.ts: the Python producer test is skipped: ${missing}`);

describe.skipIf(missing !== undefined)('the Python producer example (Debian boto3 and jsonschema)', () => {
  it('validates, queues a send_group_message, and the command is sent once', async () => {
    const before = h.calls(SEND);
    const run = await producer(['--to', `${MEMBERS[1]},${MEMBERS[0]}`, 'Hello from Python 🐍']);
    expect(run.status, run.stderr).toBe(0);
    const commandId = run.stdout.trim();
    expect(commandId).toMatch(/^[0-9a-f-]{36}$/);
    // The FIFO group of a new group is its sorted numbers, as the shipped client does it.
    expect(run.stderr).toContain(`MessageGroupId ${MEMBERS[0]},${MEMBERS[1]}`);
    const done = await h.waitForCommand(commandId, ['sent']);
    expect(done).toMatchObject({ type: 'send_group_message', state: 'sent', error: null });
    await settled();
    expect(h.calls(SEND)).toBe(before + 1);
    const page = await h.get(`/groups/${encodeURIComponent(String(done.group_id))}/messages`);
    expect(page.body.messages.map((message: { content: string }) => message.content)).toContain('Hello from Python 🐍');
  });

  it('refuses a command the schema refuses, names the field, and sends nothing', async () => {
    const before = h.calls(SEND);
    const numbers = Array.from({ length: 26 }, (_, i) => `+1555777${String(i).padStart(4, '0')}`).join(',');
    const run = await producer(['--id', 'py-refused-1', '--to', numbers, '--style', 'sparkles', 'hi']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('numbers:');
    expect(run.stderr).toContain('send_style:');
    await settled();
    expect(h.calls(SEND)).toBe(before);
    expect((await h.command('py-refused-1')).status).toBe(404);
  });
});

describe('answers and events of a running sandbox match their schemas', () => {
  const closed = (path: string) => validatorFor(path, { closed: true });
  let groupId = '';
  let outboundHandle = '';
  let replyHandle = '';
  let refusedMediaHandle = '';

  beforeAll(async () => {
    await h.push(
      { type: 'send_group_message', command_id: 'shape-send-1', numbers: MEMBERS.slice(0, 2), content: 'Hello shapes' },
      { groupId: 'shape-new' },
    );
    const sent = await h.waitForCommand('shape-send-1', ['sent']);
    groupId = String(sent.group_id);
    outboundHandle = String(sent.message_handle);
    replyHandle = (await h.sim.memberReply(groupId, undefined, h.sim.mediaUrlFor('photo.png'))).message_handle;
    for (const command of [
      {
        type: 'modify_group',
        command_id: 'shape-add-1',
        group_id: groupId,
        modify_type: 'add_recipient',
        number: MEMBERS[2],
      },
      {
        type: 'modify_group',
        command_id: 'shape-rename-1',
        group_id: groupId,
        modify_type: 'rename',
        name: 'Weekend plans',
      },
      {
        type: 'send_group_message',
        command_id: 'shape-send-2',
        group_id: groupId,
        content: 'After the changes',
        send_style: 'confetti',
      },
    ])
      await h.push(command, { groupId });
    await h.push(
      { type: 'send_group_message', command_id: 'shape-bad-1', group_id: groupId, content: ' ' },
      { groupId },
    );
    for (const id of ['shape-add-1', 'shape-rename-1', 'shape-send-2']) await h.waitForCommand(id, ['sent']);
    await h.waitForCommand('shape-bad-1', ['failed']);
    // Tapbacks: a member's on our message, ours on the member's reply, and one Sendblue refuses.
    await h.sim.memberReacts(outboundHandle, 'love');
    await h.push(
      { type: 'send_reaction', command_id: 'shape-react-1', message_handle: replyHandle, reaction: 'laugh' },
      { groupId },
    );
    await h.push(
      { type: 'send_reaction', command_id: 'shape-react-bad', message_handle: 'no-such-message', reaction: 'like' },
      { groupId: 'no-such-message' },
    );
    await h.waitForCommand('shape-react-1', ['sent']);
    await h.waitForCommand('shape-react-bad', ['failed']);
    // A reply whose media points inside the network: its copy is refused and recorded.
    const refused = inboundPayload({ group_id: groupId, media_url: 'http://169.254.169.254/latest/meta-data/x.png' });
    refusedMediaHandle = String(refused.message_handle);
    const response = await fetch(h.sandbox.urls.receiveWebhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNING_HEADER]: 'sandbox-webhook-secret' },
      body: JSON.stringify(refused),
    });
    expect(response.status).toBe(200);
    await settled();
  });

  it('the read API: group, every page of the timeline, messages, commands, health', async () => {
    const get = async (path: string, schema: string) => {
      const { status, body } = await h.get(path);
      expect(status, path).toBe(200);
      expectValid(closed(schema), body, `GET ${path}`);
      return body;
    };
    expectValid(closed('reads/health.json'), (await h.get('/health')).body, 'GET /health');
    const group = await get(`/groups/${groupId}`, 'reads/group.json');
    expect(group).toMatchObject({ name: 'Weekend plans', members: expect.arrayContaining([MEMBERS[2]]) });
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await get(
        `/groups/${groupId}/messages?limit=2&order=asc${cursor ? `&cursor=${cursor}` : ''}`,
        'reads/messages-page.json',
      );
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBeGreaterThan(1);
    const reply = await get(`/messages/${encodeURIComponent(replyHandle)}`, 'reads/message.json');
    expect(reply.media_archive).toMatchObject({ content_type: 'image/png' });
    expect(reply.reactions).toMatchObject([{ reaction: 'laugh', direction: 'outbound' }]);
    const refused = await get(`/messages/${encodeURIComponent(refusedMediaHandle)}`, 'reads/message.json');
    expect(refused.media_archive).toMatchObject({ error: expect.any(String) });
    const outbound = await get(`/messages/${encodeURIComponent(outboundHandle)}`, 'reads/message.json');
    expect(outbound.status_history.length).toBeGreaterThan(1);
    expect(outbound.reactions).toMatchObject([{ reaction: 'love', direction: 'inbound' }]);
    for (const id of [
      'shape-send-1',
      'shape-add-1',
      'shape-rename-1',
      'shape-bad-1',
      'shape-react-1',
      'shape-react-bad',
    ])
      await get(`/commands/${id}`, 'reads/command.json');
  });

  it('errors: 404 and 400 from the handler, 404 from the gateway stand-in, 503 from a failing store', async () => {
    const error = closed('reads/error.json');
    for (const [path, status] of [
      ['/commands/no-such-command', 404],
      ['/groups/no-such-group', 404],
      [`/groups/${groupId}/messages?limit=0`, 400],
      [`/groups/${groupId}/messages?cursor=forged`, 400],
      ['/groups/%20', 400],
      ['/no/such/route', 404],
    ] as const) {
      const answer = await h.get(path);
      expect(answer.status, path).toBe(status);
      expectValid(error, answer.body, `GET ${path}`);
    }
    // The read handler itself with storage that fails (no local stand-in can be made to fail on cue).
    const down = async () => {
      throw new Error('storage down');
    };
    const read = createReadHandler({
      store: { ...h.sandbox.store, getCommand: down },
      logger: silentLogger,
      checkHealth: down,
    });
    const health = await read(apiEvent({ method: 'GET', path: '/health' }));
    expect(health.statusCode).toBe(503);
    expectValid(closed('reads/health.json'), JSON.parse(String(health.body)), 'GET /health (503)');
    const command = await read(apiEvent({ method: 'GET', path: '/commands/x' }));
    expect(command.statusCode).toBe(503);
    expectValid(error, JSON.parse(String(command.body)), 'GET /commands/x (503)');
  });

  it("the sandbox's own routes: the group list with failed commands, a group's changes, the event log", async () => {
    const groups = await h.get('/__sandbox/groups');
    expectValid(closed('reads/sandbox-groups.json'), groups.body, 'GET /__sandbox/groups');
    expect(groups.body.failed.map((failed: { command_id: string }) => failed.command_id)).toContain('shape-bad-1');
    expect(groups.body.failed).toContainEqual(
      expect.objectContaining({ command_id: 'shape-react-bad', message_handle: 'no-such-message', reaction: 'like' }),
    );
    const changes = await h.get(`/__sandbox/groups/${groupId}/changes`);
    expectValid(closed('reads/sandbox-group-changes.json'), changes.body, 'GET /__sandbox/groups/{id}/changes');
    expect(changes.body.changes.length).toBeGreaterThan(0);

    const log = await h.get('/__sandbox/events');
    expectValid(closed('reads/sandbox-events.json'), log.body, 'GET /__sandbox/events');
    const union = closed('events/event.json');
    const byType: Record<string, ReturnType<typeof closed>> = {
      'Group Message Received': closed('events/group-message-received.json'),
      'Message Status Changed': closed('events/message-status-changed.json'),
      'Command Settled': closed('events/command-settled.json'),
      'Group Changed': closed('events/group-changed.json'),
      'Group Reaction Received': closed('events/group-reaction-received.json'),
    };
    const events = log.body.events as EventEnvelope[];
    expect(new Set(events.map((event) => event['detail-type']))).toEqual(new Set(Object.keys(byType)));
    for (const event of events) {
      expectValid(union, event, `${event['detail-type']} (event.json)`);
      expectValid(byType[event['detail-type']]!, event, event['detail-type']);
    }
  });
});
