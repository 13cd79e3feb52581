/**
 * The central promise under a randomized fault mix (seeded, reproducible: FAULT_SEED=<n> npm test
 * -- fault-mix): about 30% of Sendblue calls fail (500, 429, 400, hang, cut before or after Sendblue
 * accepted), checks included; DynamoDB fails some requests before or after writing; batches run
 * concurrently. Over 200 commands in 20 groups (sends, group changes and tapbacks on members'
 * messages): nothing is sent twice, nothing is lost, each group keeps its order, and the only
 * commands that end failed (on the DLQ) are those Sendblue refused for good (HTTP 4xx): bad luck on
 * the way to Sendblue (5xx, no answer, a cut) is never the command's failure, however often it
 * strikes one command (issue 16). A tapback is accepted at most once per command, exactly once when
 * `sent`, never when `failed`; one whose call may have reached Sendblue ends `unknown` for good
 * (nothing can check it). Run over seeds 20261201, 1, 2, 3 and 4 when the sender changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupCommand } from '../../../../lambdas/contract/commands.js';
import { ownReactionId } from '../../../../lambdas/contract/reactions.js';
import { REACTIONS } from '../../../../lambdas/contract/sendblue-rules.js';
import { LINE } from '../../../support/sandbox-harness.js';
import { messageGroupIdFor } from '../../../../lambdas/sending/fifo-group.js';
import { seededRandom } from '../../../../sandbox/sendblue-simulator/faults.js';
import { startHarness, type Harness } from '../../../support/sandbox-harness.js';
import { injectStorageFaults, type StorageFaults } from '../../../support/storage-faults.js';

const SEED = Number(process.env.FAULT_SEED) || 20261201;
const COMMANDS = 200;
const GROUPS = 20;

let h: Harness;
let storage: StorageFaults;
beforeAll(async () => {
  h = await startHarness({
    sender: {
      maxAttempts: 5,
      retry: { baseSeconds: 0, maxSeconds: 0 },
      settleDelaySeconds: 0,
      sendblueTimeoutMs: 300,
      leaseMs: 3_000,
      concurrency: 3,
    },
    onDocumentClient: (client) => {
      storage = injectStorageFaults(client, { seed: SEED, rate: 0.04 });
    },
  });
});
afterAll(() => h?.stop());

interface Planned {
  id: string;
  command: GroupCommand;
  stream: number;
  content?: string;
  /** A tapback: the FIFO group it is queued in (its message's group). */
  reactionGroup?: string;
}

const number = (n: number) => `+1555${String(7_000_000 + n).padStart(7, '0')}`;

/**
 * 200 commands over 18 existing groups and 2 new ones (by numbers); each valid for the group as
 * planned. Each existing group has two members' messages to tap back on (stored by the webhook).
 */
async function plan(random: () => number): Promise<{ planned: Planned[]; initial: Map<string, string[]> }> {
  let fresh = 0;
  const initial = new Map<string, string[]>();
  const streams: Array<{ groupId?: string; numbers?: string[]; members: Set<string>; targets: string[] }> = [];
  for (let stream = 0; stream < GROUPS; stream += 1) {
    const members = Array.from({ length: 3 + Math.floor(random() * 3) }, () => number(fresh++));
    if (stream >= GROUPS - 2) {
      streams.push({ numbers: members, members: new Set(members), targets: [] });
      continue;
    }
    const group = h.sim.createGroup(members);
    initial.set(group.group_id, [...members]);
    const targets: string[] = [];
    for (const text of ['tap me', 'or me'])
      targets.push((await h.sim.memberReply(group.group_id, text)).message_handle);
    streams.push({ groupId: group.group_id, members: new Set(members), targets });
  }
  await h.sim.idle();
  const planned: Planned[] = [];
  for (let i = 0; i < COMMANDS; i += 1) {
    const stream = Math.floor(random() * GROUPS);
    const target = streams[stream]!;
    const id = `fm-${SEED}-${i}`;
    if (target.groupId && random() < 0.15) {
      // A tapback on one of the group's messages; its part_index is the command's number, so the
      // simulator's record tells each command's tapbacks apart.
      planned.push({
        id,
        stream,
        reactionGroup: target.groupId,
        command: {
          type: 'send_reaction',
          command_id: id,
          message_handle: target.targets[Math.floor(random() * target.targets.length)]!,
          reaction: REACTIONS[Math.floor(random() * REACTIONS.length)]!,
          part_index: i,
        },
      });
      continue;
    }
    if (target.groupId && random() < 0.15) {
      const members = [...target.members];
      const roll = random();
      if (roll < 0.4 && members.length < 20) {
        const added = number(fresh++);
        target.members.add(added);
        planned.push({
          id,
          stream,
          command: {
            type: 'modify_group',
            command_id: id,
            group_id: target.groupId,
            modify_type: 'add_recipient',
            number: added,
          },
        });
      } else if (roll < 0.8 && members.length >= 4) {
        const removed = members[Math.floor(random() * members.length)]!;
        target.members.delete(removed);
        planned.push({
          id,
          stream,
          command: {
            type: 'modify_group',
            command_id: id,
            group_id: target.groupId,
            modify_type: 'remove_recipient',
            number: removed,
          },
        });
      } else {
        planned.push({
          id,
          stream,
          command: {
            type: 'modify_group',
            command_id: id,
            group_id: target.groupId,
            modify_type: 'rename',
            name: `Group ${stream} v${i}`,
          },
        });
      }
      continue;
    }
    // Some text is emoji and right-to-left, to take the whole path too.
    const content = i % 7 === 0 ? `مرحبا 👋🏽 ${id}` : `message ${id}`;
    planned.push({
      id,
      stream,
      content,
      command: {
        type: 'send_group_message',
        command_id: id,
        content,
        ...(target.groupId ? { group_id: target.groupId } : { numbers: target.numbers }),
      },
    });
  }
  return { planned, initial };
}

/** Sent or failed; for a tapback also `unknown` with no attempt due (for good: nothing can check it). */
async function settle(planned: Planned[], timeoutMs: number): Promise<Map<string, Record<string, any>>> {
  const settled = new Map<string, Record<string, any>>();
  const deadline = Date.now() + timeoutMs;
  while (settled.size < planned.length && Date.now() < deadline) {
    for (const { id, command } of planned) {
      if (settled.has(id)) continue;
      const item = await h.sandbox.store.getCommand(id).catch(() => undefined);
      const finalUnknown =
        command.type === 'send_reaction' && item?.state === 'unknown' && item.next_attempt_at === undefined;
      if (item && (item.state === 'sent' || item.state === 'failed' || finalUnknown)) settled.set(id, item);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return settled;
}

describe(`randomized fault mix (seed ${SEED})`, () => {
  it('200 commands: 0 duplicates, 0 lost, order kept, failed (and on the DLQ) only when Sendblue refused (4xx)', async () => {
    const random = seededRandom(SEED);
    const { planned, initial } = await plan(random);
    h.sim.setFaultMix({
      seed: SEED,
      rate: 0.3,
      routes: ['send', 'modify', 'rename', 'react', 'read'],
      kinds: { '500': 3, '429': 3, hang: 2, cut: 2, 'accept-then-cut': 3, 'accept-then-hang': 1, '400': 0.3 },
    });
    storage.on = true;
    for (const { command, reactionGroup } of planned) {
      await h.push(command as unknown as Record<string, unknown>, {
        groupId: messageGroupIdFor(command, reactionGroup),
      });
    }
    const settled = await settle(planned, 150_000);
    storage.on = false;
    h.sim.clearFaults();
    const unsettled = planned.filter(({ id }) => !settled.has(id));
    expect(
      unsettled.map(({ id }) => id),
      `seed ${SEED}: commands that never settled`,
    ).toEqual([]);

    const faulted = h.sim.requests.filter((request) => request.fault).length;
    expect(faulted, 'the mix really injected faults').toBeGreaterThan(0.15 * h.sim.requests.length);
    const sent = h.sim.sentMessages();
    const byContent = new Map<string, typeof sent>();
    for (const message of sent) byContent.set(message.content, [...(byContent.get(message.content) ?? []), message]);
    const deadLetters = await h.deadLetters();
    const deadIds = deadLetters.map((letter) => letter.attributes.command_id);
    // Tapbacks as Sendblue's side keeps them: our line's, per message and part (= per command).
    const simMessages = h.sim.messages();
    const tapbacksOf = (handle: string, part: number) =>
      (simMessages.find((m) => m.message_handle === handle)?.reactions ?? []).filter(
        (r) => r.from_number === LINE && r.part_index === part,
      );
    const reactCalls = (handle: string, part: number) =>
      h.sim.requests.filter((r) => {
        const body = r.body as { message_handle?: string; part_index?: number } | undefined;
        return r.path === '/api/send-reaction' && body?.message_handle === handle && body.part_index === part;
      });
    const stored = new Map(simMessages.map((m) => [m.message_handle, m.group_id]));
    const tally = { sent: 0, failed: 0, unknown: 0 };

    for (const { id, command, content } of planned) {
      const item = settled.get(id)!;
      const where = `seed ${SEED}, ${id} (${command.type}): ${JSON.stringify({ state: item.state, error: item.error })}`;
      if (command.type === 'send_group_message') {
        const copies = byContent.get(content!) ?? [];
        if (item.state === 'sent') {
          expect(copies.length, `${where}: sent once`).toBe(1);
          expect(item.message_handle, where).toBe(copies[0]!.message_handle);
          const stored = await h.sandbox.store.getMessageWithHistory(item.message_handle);
          expect(stored?.message.group_id, `${where}: in the group's timeline`).toBe(copies[0]!.group_id);
        } else {
          expect(copies.length, `${where}: failed, so never accepted`).toBe(0);
        }
      }
      if (command.type === 'send_reaction') {
        const accepted = tapbacksOf(command.message_handle, command.part_index!);
        const kept = (await h.sandbox.store.getMessageWithHistory(command.message_handle))?.reactions ?? [];
        const recorded = kept.filter((entry) => entry.id === ownReactionId(id));
        tally[item.state as keyof typeof tally] += 1;
        expect(accepted.length, `${where}: at most one accepted tapback`).toBeLessThanOrEqual(1);
        if (item.state === 'sent') {
          expect(accepted, `${where}: sent once`).toHaveLength(1);
          expect(accepted[0]!.reaction, where).toBe(command.reaction);
          expect(recorded, `${where}: shown once on its message`).toHaveLength(1);
          expect(item.group_id, where).toBe(stored.get(command.message_handle));
        } else if (item.state === 'failed') {
          expect(accepted, `${where}: failed, so never accepted`).toHaveLength(0);
        } else {
          expect(item.error, where).toMatch(/may have been sent; not repeated/);
          expect(recorded, `${where}: unknown is not shown as sent`).toHaveLength(0);
        }
        // Never called again once a call may have reached Sendblue: at most one call that was not
        // plainly refused (429) before the command settled.
        const calls = reactCalls(command.message_handle, command.part_index!);
        expect(
          calls.filter((r) => r.status !== 429).length,
          `${where}: calls ${JSON.stringify(calls.map((r) => r.status))}`,
        ).toBeLessThanOrEqual(1);
      }
      if (item.state === 'failed') {
        // A permanent refusal, with Sendblue's answer: never "gave up" after failures on the way.
        expect(item.error, where).toMatch(/^Sendblue refused to .*: HTTP 4\d\d: /);
        expect(item.error, where).not.toMatch(/HTTP 4(08|09|29)/);
        expect(deadIds, `${where}: on the DLQ`).toContain(id);
      }
    }
    expect(tally.sent, `seed ${SEED}: some tapbacks were sent`).toBeGreaterThan(0);
    const notFailed = deadIds.filter((id) => settled.get(id ?? '')?.state !== 'failed');
    expect(
      notFailed.map((id) => ({ id, ...settled.get(id ?? '') })),
      `seed ${SEED}: on the DLQ but not failed`,
    ).toEqual([]);
    expect(deadLetters.length, 'only failed commands are on the DLQ, each once').toBe(
      planned.filter(({ id }) => settled.get(id)!.state === 'failed').length,
    );

    // Order: each group's accepted sends are in the order they were queued.
    for (let stream = 0; stream < GROUPS; stream += 1) {
      const queued = planned
        .filter((p) => p.stream === stream && p.content && settled.get(p.id)!.state === 'sent')
        .map((p) => p.content);
      const groupId = settled.get(
        planned.find((p) => p.stream === stream && p.content && settled.get(p.id)!.state === 'sent')?.id ?? '',
      )?.group_id;
      if (!groupId) continue;
      const accepted = sent
        .filter((message) => message.group_id === groupId)
        .sort((a, b) => a.seq - b.seq)
        .map((m) => m.content);
      expect(accepted, `seed ${SEED}: order in group ${stream}`).toEqual(queued);
    }

    // Group changes: applied exactly as the sent ones say, in order (a refused one changed nothing).
    for (const [groupId, members] of initial) {
      const expected = new Set(members);
      let name: string | null = null;
      for (const { id, command } of planned) {
        if (command.type !== 'modify_group' || command.group_id !== groupId || settled.get(id)!.state !== 'sent')
          continue;
        if (command.modify_type === 'add_recipient') expected.add(command.number!);
        if (command.modify_type === 'remove_recipient') expected.delete(command.number!);
        if (command.modify_type === 'rename') name = command.name!;
      }
      const group = h.sim.group(groupId)!;
      expect([...group.members].sort(), `seed ${SEED}: members of ${groupId}`).toEqual([...expected].sort());
      if (name !== null) expect(group.name, `seed ${SEED}: name of ${groupId}`).toBe(name);
    }
    console.log(
      `fault mix seed ${SEED}: ${h.sim.requests.length} Sendblue calls, ${faulted} faulted; storage faults ${JSON.stringify(storage.injected)}; ` +
        `${[...settled.values()].filter((i) => i.state === 'failed').length} failed (refused: HTTP 4xx); ` +
        `tapbacks ${JSON.stringify(tally)}`,
    );
  }, 200_000);
});
