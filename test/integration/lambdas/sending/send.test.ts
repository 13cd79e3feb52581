import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandFingerprint, type GroupCommand } from '../../../../lambdas/contract/commands.js';
import { countRequests } from '../../../support/table-for-test.js';
import { LINE, MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());
beforeEach(() => h.sim.clearFaults());

const SEND = '/api/send-group-message';
const uid = () => Math.random().toString(36).slice(2, 10);

describe('send_group_message through the queue', () => {
  it('makes exactly one correct Sendblue request, stores the message under its group and reaches DELIVERED', async () => {
    const id = `send-${uid()}`;
    const before = h.calls(SEND);
    await h.push({
      type: 'send_group_message',
      command_id: id,
      numbers: MEMBERS,
      content: 'Hello group',
      send_style: 'confetti',
    });
    const done = await h.waitForCommand(id, ['sent', 'failed', 'unknown']);
    expect(done).toMatchObject({ command_id: id, type: 'send_group_message', state: 'sent', error: null });

    expect(h.calls(SEND)).toBe(before + 1);
    const request = h.sim.requests.filter((r) => r.path === SEND).at(-1)!;
    expect(request.headers['sb-api-key-id']).toBe('sandbox-key');
    expect(request.headers['sb-api-secret-key']).toBe('[redacted]'); // present; the simulator never records its value
    const callback = new URL((request.body as { status_callback: string }).status_callback);
    expect(`${callback.origin}${callback.pathname}`).toBe(h.sandbox.urls.statusWebhook);
    expect(callback.searchParams.get('token')).toBe('[redacted]'); // recorded redacted; DELIVERED below shows it worked
    expect(request.body).toMatchObject({
      numbers: MEMBERS,
      content: 'Hello group',
      send_style: 'confetti',
      from_number: LINE,
    });

    const groupId = String(done.group_id);
    const handle = String(done.message_handle);
    expect(h.sim.sentMessages().find((m) => m.message_handle === handle)?.group_id).toBe(groupId);
    await h.sim.idle();
    const history = await h.get(`/groups/${groupId}/messages`);
    expect(history.body.messages).toEqual([
      expect.objectContaining({
        message_handle: handle,
        group_id: groupId,
        direction: 'outbound',
        status: 'DELIVERED',
        content: 'Hello group',
        from_number: LINE,
        send_style: 'confetti',
      }),
    ]);
    const detail = await h.get(`/messages/${handle}`);
    expect(detail.body.status_history.map((s: { status: string }) => s.status).sort()).toEqual(['DELIVERED', 'SENT']);
    const group = await h.get(`/groups/${groupId}`);
    expect(group.body.members).toEqual([...MEMBERS, LINE].sort());
  });

  it('a group we created keeps the date of its first message once a member reply writes its record', async () => {
    const id = `created-${uid()}`;
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS.slice(0, 2), content: 'first' });
    const done = await h.waitForCommand(id, ['sent']);
    const groupId = String(done.group_id);
    const first = (await h.get(`/messages/${done.message_handle}`)).body.date_sent;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const reply = await h.sim.memberReply(groupId, 'later');
    await h.sim.idle();
    const group = (await h.get(`/groups/${groupId}`)).body;
    expect(group.created_at).toBe(first);
    expect(group.last_message_at).toBe(reply.date_sent);
    expect(group.created_at < group.last_message_at).toBe(true);
  });

  it("costs 4 DynamoDB write requests per successful send (one of them the line's send slot)", async () => {
    // Status callbacks held back, so that only the sender's own writes are counted.
    let counted: string[] = [];
    const quiet = await startHarness({
      simulator: { statusDelaysMs: { sent: 60_000, delivered: 60_000 } },
      onDocumentClient: (client) => {
        counted = countRequests(client);
      },
    });
    try {
      for (const [i, command] of [
        { numbers: MEMBERS, content: 'new group' },
        { group_id: quiet.sim.createGroup(MEMBERS).group_id, content: 'existing group' },
      ].entries()) {
        counted.length = 0;
        const id = `cost-${i}-${uid()}`;
        await quiet.push({ type: 'send_group_message', command_id: id, ...command });
        await quiet.waitForCommand(id, ['sent']);
        // Claim the command, take a send slot on the line, store the message, mark the command sent.
        expect(counted).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
      }
    } finally {
      await quiet.stop();
    }
  });

  it('sends to an existing group_id and defaults from_number to the stack line', async () => {
    const group = h.sim.createGroup(MEMBERS.slice(0, 2));
    const id = `existing-${uid()}`;
    await h.push({
      type: 'send_group_message',
      command_id: id,
      group_id: group.group_id,
      media_url: 'https://cdn.example.com/cat.png',
    });
    const done = await h.waitForCommand(id, ['sent']);
    expect(done.group_id).toBe(group.group_id);
    const request = h.sim.requests.filter((r) => r.path === SEND).at(-1)!;
    expect(request.body).toMatchObject({
      group_id: group.group_id,
      media_url: 'https://cdn.example.com/cat.png',
      from_number: LINE,
    });
    expect((request.body as Record<string, unknown>).content).toBeUndefined();
  });

  it('never sends a command twice: SQS redelivery of a sent command, a producer repeat, a reused id', async () => {
    const group = h.sim.createGroup(MEMBERS);
    const id = `dup-${uid()}`;
    const command = { type: 'send_group_message', command_id: id, group_id: group.group_id, content: 'once only' };
    const before = h.calls(SEND);
    await h.push(command, { dedupId: `${id}-a` });
    await h.waitForCommand(id, ['sent']);
    await h.push(command, { dedupId: `${id}-b` }); // the producer repeats it past SQS's dedup window
    await h.push({ ...command, content: 'something else' }, { dedupId: `${id}-c` }); // same id, other command
    await h.sandbox.poller.drained();
    await h.sandbox.poller.drained();
    expect(h.calls(SEND)).toBe(before + 1);
    expect(h.sim.sentMessages().filter((m) => m.content === 'something else')).toEqual([]);
    expect(h.logs.some((line) => line.includes('command refused: its command_id belongs to a different command'))).toBe(
      true,
    );
    // The repeat is a plain duplicate; the different command is refused, visibly: on the DLQ with
    // the reason, and in the ledger as a refused reuse (the first command's state is untouched).
    const dead = await h.deadLetters();
    expect(dead.map((letter) => JSON.parse(letter.body).content)).toEqual(['something else']);
    expect(dead[0]!.attributes.failure_reason).toMatch(/already used by a different command/);
    const view = (await h.command(id)).body;
    expect(view).toMatchObject({ state: 'sent', fingerprint: commandFingerprint(command as GroupCommand) });
    expect(view.refused_reuses).toEqual([
      commandFingerprint({ ...command, content: 'something else' } as GroupCommand),
    ]);
  });

  it('resolves the group from Sendblue when the send answer lacks group_id', async () => {
    const noGroupId = await startHarness({ simulator: { omitGroupIdInSendResponse: true } });
    try {
      const id = `resolve-${uid()}`;
      await noGroupId.push({
        type: 'send_group_message',
        command_id: id,
        numbers: MEMBERS.slice(0, 2),
        content: 'where am I',
      });
      const done = await noGroupId.waitForCommand(id, ['sent']);
      const simMessage = noGroupId.sim.sentMessages()[0]!;
      expect(done.group_id).toBe(simMessage.group_id);
      expect(noGroupId.calls(`/api/v2/messages/${simMessage.message_handle}`)).toBe(1);
      const history = await noGroupId.get(`/groups/${simMessage.group_id}/messages`);
      expect(history.body.messages.map((m: { message_handle: string }) => m.message_handle)).toEqual([
        simMessage.message_handle,
      ]);
    } finally {
      await noGroupId.stop();
    }
  });
});

describe("a command's own status_callback", () => {
  let receiver: Server;
  const received: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it("gets each status event after it is stored; Sendblue itself gets only the stack's URL", async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const id = `relay-${uid()}`;
    await h.push({
      type: 'send_group_message',
      command_id: id,
      numbers: MEMBERS.slice(1),
      content: 'tell me',
      status_callback: url,
    });
    const done = await h.waitForCommand(id, ['sent']);
    await h.sim.idle();
    const deadline = Date.now() + 5_000;
    while (received.filter((r) => r.message_handle === done.message_handle).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const statuses = received.filter((r) => r.message_handle === done.message_handle).map((r) => r.status);
    expect(statuses.sort()).toEqual(['DELIVERED', 'SENT']);
    const request = h.sim.requests.filter((r) => r.path === SEND).at(-1)!;
    expect((request.body as { status_callback: string }).status_callback).not.toContain('/hook');
  });
});

describe('logs', () => {
  it('carry no secret, token or full phone number', () => {
    const all = h.logs.join('\n');
    expect(h.logs.length).toBeGreaterThan(5);
    for (const secret of ['sandbox-secret', 'sandbox-webhook-secret']) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/token=/);
    for (const number of [...MEMBERS, LINE]) expect(all).not.toContain(number);
  });
});
