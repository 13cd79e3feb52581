import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandFingerprint, type GroupCommand } from '../../../../lambdas/contract/commands.js';
import { LINE, MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sender: { retry: { baseSeconds: 1, maxSeconds: 1 } } });
});
afterAll(() => h?.stop());
beforeEach(() => h.sim.clearFaults());

const SEND = '/api/send-group-message';
const uid = () => Math.random().toString(36).slice(2, 10);
const sendBodies = () =>
  h.sim.requests.filter((r) => r.path === SEND).map((r) => (r.body as { content: string }).content);

describe('order within a group', () => {
  it("runs a group's commands in the order they were queued", async () => {
    const group = h.sim.createGroup(MEMBERS);
    const tag = uid();
    const ids = [1, 2, 3, 4, 5].map((n) => `order-${tag}-${n}`);
    for (const id of ids)
      await h.push({ type: 'send_group_message', command_id: id, group_id: group.group_id, content: id });
    for (const id of ids) await h.waitForCommand(id, ['sent']);
    expect(sendBodies().filter((c) => c.startsWith(`order-${tag}`))).toEqual(ids);
  });

  it('a command being retried holds back its own group, not other groups', async () => {
    const groupA = h.sim.createGroup(MEMBERS);
    const groupB = h.sim.createGroup(MEMBERS.slice(0, 2));
    const tag = uid();
    const rename = `a-rename-${tag}`;
    const afterRename = `a-send-${tag}`;
    const other = `b-send-${tag}`;
    h.sim.injectFault({ kind: '500', route: 'rename' });
    await h.push({
      type: 'modify_group',
      command_id: rename,
      group_id: groupA.group_id,
      modify_type: 'rename',
      name: 'Renamed',
    });
    await h.push({
      type: 'send_group_message',
      command_id: afterRename,
      group_id: groupA.group_id,
      content: afterRename,
    });
    await h.push({ type: 'send_group_message', command_id: other, group_id: groupB.group_id, content: other });
    await h.waitForCommand(afterRename, ['sent']);
    await h.waitForCommand(rename, ['sent']);
    const log = h.sim.requests
      .filter((r) => r.status !== 'hang')
      .map((r) => (r.path === SEND ? (r.body as { content: string }).content : `${r.path}:${r.status}`))
      .filter((entry) => entry.includes(tag) || entry.includes(groupA.group_id));
    const renameCalls = log.filter((entry) => entry.includes('/name'));
    expect(renameCalls).toEqual([
      `/api/v2/groups/${groupA.group_id}/name:500`,
      `/api/v2/groups/${groupA.group_id}/name:200`,
    ]);
    // Group B did not wait for A's retry; A's send waited for A's rename.
    expect(log.indexOf(other)).toBeLessThan(log.indexOf(renameCalls[1]!));
    expect(log.indexOf(afterRename)).toBeGreaterThan(log.indexOf(renameCalls[1]!));
  });
});

describe('concurrent and interrupted deliveries', () => {
  it('the same command delivered twice at once (two message groups) is sent once', async () => {
    const group = h.sim.createGroup(MEMBERS);
    const id = `twice-${uid()}`;
    const command = { type: 'send_group_message', command_id: id, group_id: group.group_id, content: id };
    const before = h.calls(SEND);
    await Promise.all([
      h.push(command, { groupId: 'producer-1', dedupId: `${id}-1` }),
      h.push(command, { groupId: 'producer-2', dedupId: `${id}-2` }),
    ]);
    await h.waitForCommand(id, ['sent']);
    await h.sandbox.poller.drained();
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // the loser comes back after 1 s
    await h.sandbox.poller.drained();
    expect(h.calls(SEND)).toBe(before + 1);
    expect(h.sim.sentMessages().filter((m) => m.content === id)).toHaveLength(1);
    // The second delivery really ran: it met the first one's lease, or its finished result.
    const second = h.logs.filter(
      (line) => line.includes(id) && /command busy in another delivery|duplicate command ignored/.test(line),
    );
    expect(second.length).toBeGreaterThan(0);
  });

  it('an attempt that died after Sendblue accepted (its lease ran out) is found, not sent again', async () => {
    const group = h.sim.createGroup(MEMBERS);
    const id = `crashed-${uid()}`;
    const command: GroupCommand = { type: 'send_group_message', command_id: id, group_id: group.group_id, content: id };
    // A sender that claimed the command and reached Sendblue, then died before recording anything:
    const claim = await h.sandbox.store.claimCommand({
      commandId: id,
      type: command.type,
      fingerprint: commandFingerprint(command),
      groupId: group.group_id,
      leaseMs: -1,
    });
    expect(claim.claimed).toBe(true);
    const response = await fetch(`${h.sandbox.urls.sendblue}/api/send-group-message`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'sb-api-key-id': 'sandbox-key',
        'sb-api-secret-key': 'sandbox-secret',
      },
      body: JSON.stringify({ group_id: group.group_id, content: id, from_number: LINE }),
    });
    expect(response.status).toBe(200);
    const before = h.calls(SEND);
    await h.push(command as unknown as Record<string, unknown>);
    const done = await h.waitForCommand(id, ['sent', 'failed']);
    expect(done.state).toBe('sent');
    expect(h.calls(SEND)).toBe(before);
    expect(h.sim.sentMessages().filter((m) => m.content === id)).toHaveLength(1);
    expect(h.logs.some((line) => line.includes('command found already sent') && line.includes(id))).toBe(true);
  });
});
