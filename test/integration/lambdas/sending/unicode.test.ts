/**
 * Text as people write it, through the whole path: the producer client, the SQS emulator, the
 * sender, the simulator, the status webhooks and the read API, and back byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandValidationError,
  createGroupsProducer,
  sandboxTarget,
  type GroupsProducer,
} from '../../../../client/index.js';
import { MAX_CONTENT_CHARS } from '../../../../lambdas/contract/sendblue-rules.js';
import { LINE, MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';

let h: Harness;
let producer: GroupsProducer;
const port = (url: string) => new URL(url).port;
beforeAll(async () => {
  h = await startHarness();
  producer = createGroupsProducer(
    sandboxTarget({ SANDBOX_PORT: port(h.sandbox.urls.api), SANDBOX_SQS_PORT: port(h.sandbox.urls.sqs) }),
  );
});
afterAll(async () => {
  producer?.close();
  await h?.stop();
});

const TEXTS: Array<[string, string]> = [
  ['an emoji', 'hello 👋'],
  ['right-to-left text and marks', 'שלום עולם — مرحبا بالعالم ‏(RTL)‎ e\u0301'],
  ['emoji sequences', '👩🏽‍💻🏳️‍🌈🇺🇸 ok'],
  [`${MAX_CONTENT_CHARS - 1} emoji (the limit)`, '😀'.repeat(MAX_CONTENT_CHARS - 1)],
  [`${MAX_CONTENT_CHARS - 1} letters (the limit)`, 'a'.repeat(MAX_CONTENT_CHARS - 1)],
];

describe('unicode through the whole path', () => {
  it.each(TEXTS)('%s: queued, sent once, stored and read back exactly, statuses included', async (_name, content) => {
    const queued = await producer.sendGroupMessage({ numbers: MEMBERS, content });
    const done = await h.waitForCommand(queued.command_id, ['sent', 'failed']);
    expect(done.state).toBe('sent');
    const accepted = h.sim.sentMessages().filter((m) => m.message_handle === done.message_handle);
    expect(accepted.map((m) => m.content)).toEqual([content]);
    await h.sim.idle(); // SENT and DELIVERED webhooks (they carry the content too) are stored
    const page = await h.get(`/groups/${encodeURIComponent(String(done.group_id))}/messages?limit=100`);
    const stored = page.body.messages.find((m: { message_handle: string }) => m.message_handle === done.message_handle);
    expect(stored).toMatchObject({ content, status: 'DELIVERED' });
    expect((await h.get(`/messages/${encodeURIComponent(String(done.message_handle))}`)).body.content).toBe(content);
  });

  it(`${MAX_CONTENT_CHARS} characters is over the limit: refused by the client, and by the sender when pushed raw`, async () => {
    const content = '😀'.repeat(MAX_CONTENT_CHARS);
    await expect(producer.sendGroupMessage({ numbers: MEMBERS, content })).rejects.toThrow(CommandValidationError);
    const id = `too-long-${Date.now()}`;
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content });
    const done = await h.waitForCommand(id, ['failed', 'sent']);
    expect(done).toMatchObject({
      state: 'failed',
      error: expect.stringContaining(`content must be under ${MAX_CONTENT_CHARS} characters`),
    });
    expect(h.sim.sentMessages().filter((m) => m.content === content)).toEqual([]);
  });

  it('a lone surrogate is not text: the client refuses it before anything is queued', async () => {
    await expect(producer.sendGroupMessage({ numbers: MEMBERS, content: 'broken \ud83d' })).rejects.toThrow(
      /valid Unicode text/,
    );
  });
});

describe('a send by group_id', () => {
  it('takes the members Sendblue lists in its answer, so GET /groups/{id} shows them', async () => {
    const group = h.sim.createGroup(MEMBERS);
    const queued = await producer.sendGroupMessage({ group_id: group.group_id, content: 'to the group' });
    const done = await h.waitForCommand(queued.command_id, ['sent']);
    expect(done.group_id).toBe(group.group_id);
    const view = (await h.get(`/groups/${group.group_id}`)).body;
    expect(view.members).toEqual([...MEMBERS, LINE].sort());
  });
});
