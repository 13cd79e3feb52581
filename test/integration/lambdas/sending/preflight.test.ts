import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambdas/contract/dead-letters.js';
import { LINE, startHarness, type Harness } from '../../../support/sandbox-harness.js';

/**
 * Every pre-flight rule through the whole command path (SQS emulator, sender, DynamoDB Local, the
 * simulator over HTTP): the command ends `failed` with the rule's reason on the DLQ, and Sendblue
 * got no call for it. Opt-outs are written through the contacts ledger's port (the projection that
 * fills it from the stream is tested in test/integration/lambdas/contacts/).
 */
let h: Harness;
const LINE_2 = '+15550000002';
beforeAll(async () => {
  h = await startHarness({ simulator: { extraLines: [LINE_2] } });
});
afterAll(() => h?.stop());
beforeEach(() => h.sim.clearFaults());

const uid = () => Math.random().toString(36).slice(2, 10);
let next = 100;
/** Numbers no other case uses (the simulator keeps groups by member set). */
const fresh = (count: number) => Array.from({ length: count }, () => `+1555777${String((next += 1)).padStart(4, '0')}`);

async function groupFromSend(numbers: string[]): Promise<string> {
  const id = `create-${uid()}`;
  await h.push({ type: 'send_group_message', command_id: id, numbers, content: 'hello' });
  const done = await h.waitForCommand(id, ['sent']);
  await h.sim.idle();
  return String(done.group_id);
}

const optOut = (number: string) =>
  h.sandbox.store.recordOptChange({ number, at: new Date().toISOString(), optedOut: true, by: 'cli' });

/** Sendblue calls that named this group or these numbers. */
const callsAbout = (match: { groupId?: string; numbers?: string[] }) =>
  h.sim.requests.filter((request) => {
    const body = (request.body ?? {}) as { group_id?: string; numbers?: string[] };
    if (match.groupId && body.group_id === match.groupId) return true;
    return match.numbers !== undefined && body.numbers?.some((n) => match.numbers!.includes(n)) === true;
  });

async function expectRefused(command: Record<string, unknown>, reason: RegExp) {
  const id = String(command.command_id);
  await h.push(command);
  const done = await h.waitForCommand(id, ['failed', 'sent']);
  expect(done.state).toBe('failed');
  expect(done.error).toMatch(/^refused before calling Sendblue \(/);
  expect(done.error).toMatch(reason);
  // The ledger says failed first; the sender moves the message to the DLQ just after: look until it is there.
  const findDead = async () =>
    (await h.deadLetters()).find((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.commandId] === id);
  let dead = await findDead();
  for (const until = Date.now() + 10_000; !dead && Date.now() < until; dead = await findDead())
    await new Promise((resolve) => setTimeout(resolve, 200));
  expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toBe(done.error);
}

describe('pre-flight through the command path', () => {
  it('a new group with an opted-out member: refused, no call; without them it goes', async () => {
    const numbers = fresh(3);
    await optOut(numbers[1]!);
    await expectRefused(
      { type: 'send_group_message', command_id: `opted-${uid()}`, numbers, content: 'hi' },
      new RegExp(`recipient_opted_out\\): member \\${numbers[1]} opted out`),
    );
    expect(callsAbout({ numbers })).toEqual([]);
    const id = `without-${uid()}`;
    await h.push({ type: 'send_group_message', command_id: id, numbers: [numbers[0], numbers[2]], content: 'hi' });
    expect((await h.waitForCommand(id, ['sent', 'failed'])).state).toBe('sent');
  });

  it('an existing group_id with an opted-out member: sent, with the warning kept on the command', async () => {
    const numbers = fresh(3);
    const groupId = await groupFromSend(numbers);
    await optOut(numbers[0]!);
    h.sim.optOut(numbers[0]!);
    const id = `warned-${uid()}`;
    await h.push({ type: 'send_group_message', command_id: id, group_id: groupId, content: 'still on' });
    const done = await h.waitForCommand(id, ['sent', 'failed']);
    expect(done.state).toBe('sent');
    expect(done.error).toBe(
      `sent; member ${numbers[0]} opted out (texted STOP or were opted out): Sendblue skips a number that texted STOP`,
    );
    expect(callsAbout({ groupId }).filter((r) => r.path === '/api/send-group-message')).toHaveLength(1);
  });

  it('every member opted out: refused even for an existing group_id', async () => {
    const numbers = fresh(2);
    const groupId = await groupFromSend(numbers);
    await Promise.all(numbers.map(optOut));
    const before = callsAbout({ groupId }).length;
    await expectRefused(
      { type: 'send_group_message', command_id: `all-out-${uid()}`, group_id: groupId, content: 'hi' },
      /recipient_opted_out\): every member of the group opted out/,
    );
    expect(callsAbout({ groupId })).toHaveLength(before);
  });

  it('adding a member already in the group: refused, no call', async () => {
    const numbers = fresh(3);
    const groupId = await groupFromSend(numbers);
    await expectRefused(
      {
        type: 'modify_group',
        command_id: `again-${uid()}`,
        group_id: groupId,
        modify_type: 'add_recipient',
        number: numbers[2],
      },
      /already_a_member\): \+1555777\d{4} is already in the group/,
    );
    expect(callsAbout({ groupId }).filter((r) => r.path === '/api/modify-group')).toEqual([]);
  });

  it('adding a 26th member: refused, no call', async () => {
    const numbers = fresh(25);
    const groupId = await groupFromSend(numbers);
    await expectRefused(
      {
        type: 'modify_group',
        command_id: `full-${uid()}`,
        group_id: groupId,
        modify_type: 'add_recipient',
        number: fresh(1)[0],
      },
      /too_many_members\): the group has 25 members; Sendblue allows 25/,
    );
    expect(callsAbout({ groupId }).filter((r) => r.path === '/api/modify-group')).toEqual([]);
  });

  it('removing from a group of 3 (our line counted): refused, no call', async () => {
    const numbers = fresh(2);
    const groupId = await groupFromSend(numbers);
    await expectRefused(
      {
        type: 'modify_group',
        command_id: `small-${uid()}`,
        group_id: groupId,
        modify_type: 'remove_recipient',
        number: numbers[0],
      },
      /group_too_small\): the group has 3 in it \(our lines counted\)/,
    );
    expect(callsAbout({ groupId }).filter((r) => r.path === '/api/modify-group')).toEqual([]);
  });

  it('a group with two of our lines and no from_number: ambiguous_sending_line, no call; naming one goes', async () => {
    const numbers = fresh(3);
    const group = h.sim.createGroup(numbers, undefined, { lines: [LINE, LINE_2] });
    // A member writes: the receive webhook's participants (both lines among them) reach our table.
    await h.sim.memberReply(group.group_id, { content: 'hi all' });
    await h.sim.idle();
    const groupId = group.group_id;
    await expectRefused(
      { type: 'send_group_message', command_id: `which-${uid()}`, group_id: groupId, content: 'hi' },
      new RegExp(`ambiguous_sending_line\\): the group has several of our lines \\(\\${LINE}, \\${LINE_2}\\)`),
    );
    await expectRefused(
      {
        type: 'modify_group',
        command_id: `which-mod-${uid()}`,
        group_id: groupId,
        modify_type: 'add_recipient',
        number: fresh(1)[0],
      },
      /ambiguous_sending_line/,
    );
    expect(callsAbout({ groupId })).toEqual([]);
    const id = `named-${uid()}`;
    await h.push({ type: 'send_group_message', command_id: id, group_id: groupId, content: 'hi', from_number: LINE_2 });
    expect((await h.waitForCommand(id, ['sent', 'failed'])).state).toBe('sent');
  });
});
