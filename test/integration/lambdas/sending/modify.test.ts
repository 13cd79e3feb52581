import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambdas/contract/dead-letters.js';
import { countRequests } from '../../../support/table-for-test.js';
import { LINE, MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';

let h: Harness;
let writes: string[] = [];
beforeAll(async () => {
  h = await startHarness({
    onDocumentClient: (client) => {
      writes = countRequests(client);
    },
  });
});
afterAll(() => h?.stop());
beforeEach(() => h.sim.clearFaults());

const NEW_MEMBER = '+15551230009';
const uid = () => Math.random().toString(36).slice(2, 10);

/** A group created the way users do: a first send with numbers (so our table knows its members). */
async function groupFromSend(numbers: string[]): Promise<string> {
  const id = `create-${uid()}`;
  await h.push({ type: 'send_group_message', command_id: id, numbers, content: 'hello' });
  const done = await h.waitForCommand(id, ['sent']);
  return String(done.group_id);
}

describe('modify_group', () => {
  it("add_recipient: one Sendblue call, and the group's members include the new one", async () => {
    const groupId = await groupFromSend(MEMBERS);
    await h.sim.idle(); // the first send's status webhooks are in: from here on only the change writes
    writes.length = 0;
    const id = `add-${uid()}`;
    await h.push({
      type: 'modify_group',
      command_id: id,
      group_id: groupId,
      modify_type: 'add_recipient',
      number: NEW_MEMBER,
    });
    expect(await h.waitForCommand(id, ['sent', 'failed'])).toMatchObject({
      state: 'sent',
      group_id: groupId,
      type: 'modify_group',
    });
    // Claim, the group's new members, command sent: 3 write requests.
    expect(writes).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    const calls = h.sim.requests.filter(
      (r) => r.path === '/api/modify-group' && (r.body as { number: string }).number === NEW_MEMBER,
    );
    expect(calls.map((r) => r.body)).toEqual([
      { group_id: groupId, modify_type: 'add_recipient', number: NEW_MEMBER, from_number: LINE },
    ]);
    expect(h.sim.group(groupId)?.members).toContain(NEW_MEMBER);
    expect((await h.get(`/groups/${groupId}`)).body.members).toEqual([...MEMBERS, LINE, NEW_MEMBER].sort());
  });

  it('remove_recipient: the member leaves the group in Sendblue and in our record', async () => {
    const groupId = await groupFromSend(MEMBERS);
    const id = `remove-${uid()}`;
    await h.push({
      type: 'modify_group',
      command_id: id,
      group_id: groupId,
      modify_type: 'remove_recipient',
      number: MEMBERS[0],
    });
    expect((await h.waitForCommand(id, ['sent', 'failed'])).state).toBe('sent');
    expect(h.sim.group(groupId)?.members).not.toContain(MEMBERS[0]);
    expect((await h.get(`/groups/${groupId}`)).body.members).toEqual([MEMBERS[1], MEMBERS[2], LINE].sort());
  });

  it('rename: uses the v2 group-name endpoint and the group shows the name', async () => {
    const groupId = await groupFromSend(MEMBERS.slice(0, 2));
    const id = `rename-${uid()}`;
    await h.push({
      type: 'modify_group',
      command_id: id,
      group_id: groupId,
      modify_type: 'rename',
      name: 'Weekend trip',
    });
    expect((await h.waitForCommand(id, ['sent', 'failed'])).state).toBe('sent');
    expect(h.calls(`/api/v2/groups/${groupId}/name`)).toBe(1);
    expect(h.sim.group(groupId)?.name).toBe('Weekend trip');
    expect((await h.get(`/groups/${groupId}`)).body.name).toBe('Weekend trip');
  });

  it('a remove from a small group the table knows fails pre-flight, with no Sendblue call', async () => {
    const groupId = await groupFromSend(MEMBERS.slice(0, 2));
    const id = `small-known-${uid()}`;
    await h.push({
      type: 'modify_group',
      command_id: id,
      group_id: groupId,
      modify_type: 'remove_recipient',
      number: MEMBERS[0],
    });
    const done = await h.waitForCommand(id, ['failed']);
    expect(done.error).toMatch(/^refused before calling Sendblue \(group_too_small\): the group has 3 in it/);
    expect(
      h.sim.requests.filter(
        (r) => r.path === '/api/modify-group' && (r.body as { group_id: string }).group_id === groupId,
      ),
    ).toEqual([]);
    const dead = (await h.deadLetters()).find((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.commandId] === id);
    expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toMatch(/group_too_small/);
  });

  it('a change Sendblue refuses (remove from a small group the table never saw) fails with its reason and goes to the DLQ', async () => {
    // Seeded in the simulator only: pre-flight knows nothing of it, so Sendblue decides.
    const groupId = h.sim.createGroup(MEMBERS.slice(0, 2)).group_id;
    const id = `small-${uid()}`;
    await h.push({
      type: 'modify_group',
      command_id: id,
      group_id: groupId,
      modify_type: 'remove_recipient',
      number: MEMBERS[0],
    });
    const done = await h.waitForCommand(id, ['failed']);
    expect(done.error).toMatch(/HTTP 400.*at least 4/);
    expect(h.sim.group(groupId)?.members).toContain(MEMBERS[0]);
    const dead = (await h.deadLetters()).find((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.commandId] === id);
    expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toMatch(/at least 4/);
  });

  it("accepted but the connection was cut: Sendblue's group shows the change, so it is not sent again", async () => {
    const groupId = await groupFromSend(MEMBERS);
    const id = `add-cut-${uid()}`;
    h.sim.injectFault({ kind: 'accept-then-cut', route: 'modify' });
    await h.push({
      type: 'modify_group',
      command_id: id,
      group_id: groupId,
      modify_type: 'add_recipient',
      number: NEW_MEMBER,
    });
    expect((await h.waitForCommand(id, ['sent', 'failed'])).state).toBe('sent');
    expect(h.calls('/api/modify-group')).toBeGreaterThan(0);
    const calls = h.sim.requests.filter(
      (r) => r.path === '/api/modify-group' && (r.body as { group_id: string }).group_id === groupId,
    );
    expect(calls).toHaveLength(1);
    expect(h.calls(`/api/v2/groups/${groupId}`)).toBe(1);
    expect((await h.get(`/groups/${groupId}`)).body.members).toContain(NEW_MEMBER);
  });
});
