/**
 * The seeded fault mix of the in-memory loop (test/unit/lambdas/sending/fault-mix.test.ts): a plan
 * of commands over many groups, pushed with duplicates and reused ids, and the oracles that judge
 * a run. The oracles hold for any correct failure policy (how many attempts, how long): nothing
 * sent twice, nothing lost, each group's order kept, the DLQ only for commands Sendblue refused or
 * that provably never reached it, no command Sendblue accepted ends failed, and the ledger agrees
 * with Sendblue's record. `judge` answers every violation it finds (empty: the run passed).
 */
import { groupIdOf, type GroupCommand, type ModifyGroupCommand } from '../../../lambdas/contract/commands.js';
import { DEAD_LETTER_ATTRIBUTES } from '../../../lambdas/contract/dead-letters.js';
import type { CommandItem } from '../../../lambdas/contract/items.js';
import { MAX_GROUP_MEMBERS, MIN_MEMBERS_FOR_REMOVE, REACTIONS } from '../../../lambdas/contract/sendblue-rules.js';
import { messageGroupIdFor } from '../../../lambdas/sending/fifo-group.js';
import type { SenderLoop } from './sender-loop.js';

export interface PlannedCommand {
  id: string;
  command: GroupCommand;
  /** The conversation it belongs to (an index into the plan's streams). */
  stream: number;
  /** Sends only: the text, unique to this command (how Sendblue's copies are told apart). */
  content?: string;
  /** Pushed again, in another message group as a second producer would: its order is not promised. */
  crossGroupDuplicate?: boolean;
  /** A different command that reuses this one's id (pushed after it; at most one of the two is sent). */
  reuse?: PlannedCommand;
  /** Tapbacks only: the part index, unique to this command (how Sendblue's copies are told apart). */
  partIndex?: number;
}

export interface Push {
  command: GroupCommand;
  groupId: string;
  dedupId: string;
}

export interface FaultMixPlan {
  commands: PlannedCommand[];
  /** In the order they go on the queue. */
  pushes: Push[];
  /** Existing groups and their members before the run. */
  initial: Map<string, string[]>;
}

export interface PlanOptions {
  commands: number;
  groups: number;
  /** Groups made by a first send to numbers (no group_id). */
  newGroups: number;
  /** Shares of commands pushed twice in their own message group, twice in another, and whose id is reused. */
  duplicates: number;
  crossGroupDuplicates: number;
  reusedIds: number;
  /** Share of commands that are tapbacks on a member's message in an existing group. @default 0 */
  reactions?: number;
}

const number = (n: number) => `+1555${String(7_000_000 + n).padStart(7, '0')}`;
const messageGroupOf = (command: GroupCommand, groupOfTarget?: string) =>
  command.type === 'send_reaction'
    ? messageGroupIdFor(command, groupOfTarget)
    : (groupIdOf(command) ?? [...(command as { numbers: string[] }).numbers].sort().join(','));

/** Commands valid for their group as planned (a refused earlier change may make a later one invalid: then Sendblue refuses it). */
export function planFaultMix(
  loop: Pick<SenderLoop, 'sendblue'>,
  random: () => number,
  tag: string,
  options: PlanOptions,
): FaultMixPlan {
  let fresh = 0;
  const initial = new Map<string, string[]>();
  const streams = Array.from({ length: options.groups }, (_, stream) => {
    const members = Array.from({ length: 3 + Math.floor(random() * 3) }, () => number(fresh++));
    if (stream >= options.groups - options.newGroups) return { numbers: members, members: new Set(members) };
    const group = loop.sendblue.createGroup(members);
    initial.set(group.group_id, [...members]);
    // A member's message for tapbacks to land on (Sendblue holds it; no webhook brings it here).
    const target = loop.sendblue.receiveMessage(group.group_id, members[0]!, `target ${tag} ${stream}`);
    return { groupId: group.group_id, members: new Set(members), target };
  });
  let partIndex = 0;
  const commands: PlannedCommand[] = [];
  for (let i = 0; i < options.commands; i += 1) {
    const stream = Math.floor(random() * options.groups);
    const target = streams[stream]!;
    const id = `fm-${tag}-${i}`;
    if (target.target && random() < (options.reactions ?? 0)) {
      const command: GroupCommand = {
        type: 'send_reaction',
        command_id: id,
        message_handle: target.target,
        reaction: REACTIONS[Math.floor(random() * REACTIONS.length)]!,
        part_index: partIndex,
      };
      const planned: PlannedCommand = { id, stream, command, partIndex: partIndex++ };
      if (random() < options.crossGroupDuplicates) planned.crossGroupDuplicate = true;
      commands.push(planned);
      continue;
    }
    if (target.groupId && random() < 0.15) {
      commands.push({ id, stream, command: groupChange(id, target, stream, i, random, () => number(fresh++)) });
      continue;
    }
    // Some text is emoji and right-to-left, to take the whole path too.
    const content = i % 7 === 0 ? `مرحبا 👋🏽 ${id}` : `message ${id}`;
    const command: GroupCommand = {
      type: 'send_group_message',
      command_id: id,
      content,
      ...(target.groupId ? { group_id: target.groupId } : { numbers: target.numbers }),
    };
    const planned: PlannedCommand = { id, stream, content, command };
    const roll = random();
    if (roll < options.crossGroupDuplicates) planned.crossGroupDuplicate = true;
    else if (roll < options.crossGroupDuplicates + options.reusedIds) {
      const other = `reused ${content}`;
      planned.reuse = { id, stream, content: other, command: { ...command, content: other } };
    }
    commands.push(planned);
  }

  // The queue: each command in turn; duplicates and reuses go in later, at a random place.
  // A tapback goes in its message's group, as the CLI sends it (it knows the group).
  const fifoGroupOf = (planned: PlannedCommand) => messageGroupOf(planned.command, streams[planned.stream]?.groupId);
  const pushes: Push[] = commands.map((planned) => ({
    command: planned.command,
    groupId: fifoGroupOf(planned),
    dedupId: `${planned.id}-first`,
  }));
  const later = (push: Push, after: number) => {
    const at = after + 1 + Math.floor(random() * (pushes.length - after));
    pushes.splice(at, 0, push);
  };
  for (const planned of commands) {
    const at = pushes.findIndex((push) => push.command === planned.command);
    if (planned.crossGroupDuplicate)
      later({ command: planned.command, groupId: `second-producer-${planned.id}`, dedupId: `${planned.id}-x` }, at);
    else if (planned.reuse)
      later({ command: planned.reuse.command, groupId: fifoGroupOf(planned), dedupId: `${planned.id}-r` }, at);
    else if (random() < options.duplicates)
      later({ command: planned.command, groupId: fifoGroupOf(planned), dedupId: `${planned.id}-again` }, at);
  }
  return { commands, pushes, initial };
}

function groupChange(
  id: string,
  target: { groupId?: string; members: Set<string> },
  stream: number,
  i: number,
  random: () => number,
  freshNumber: () => string,
): ModifyGroupCommand {
  const groupId = target.groupId!;
  const members = [...target.members];
  const roll = random();
  if (roll < 0.4 && members.length < MAX_GROUP_MEMBERS) {
    const added = freshNumber();
    target.members.add(added);
    return { type: 'modify_group', command_id: id, group_id: groupId, modify_type: 'add_recipient', number: added };
  }
  // The line counts as a member for Sendblue's minimum.
  if (roll < 0.8 && members.length + 1 > MIN_MEMBERS_FOR_REMOVE) {
    const removed = members[Math.floor(random() * members.length)]!;
    target.members.delete(removed);
    return {
      type: 'modify_group',
      command_id: id,
      group_id: groupId,
      modify_type: 'remove_recipient',
      number: removed,
    };
  }
  return {
    type: 'modify_group',
    command_id: id,
    group_id: groupId,
    modify_type: 'rename',
    name: `Group ${stream} v${i}`,
  };
}

/** Every violation of the promises, as readable lines (empty when the run kept them all). */
export async function judge(
  loop: SenderLoop,
  plan: FaultMixPlan,
  settled: Map<string, CommandItem>,
): Promise<string[]> {
  const problems: string[] = [];
  const sent = loop.sendblue.sentMessages();
  const byContent = new Map<string, typeof sent>();
  for (const message of sent) byContent.set(message.content, [...(byContent.get(message.content) ?? []), message]);
  const letters = loop.deadLetters();
  const describe = (item: CommandItem | undefined) =>
    JSON.stringify({ state: item?.state, error: item?.error, handle: item?.message_handle });

  // Nothing lost: every command ended, sent or failed, and nothing is left on the queue.
  for (const { id } of plan.commands)
    if (!settled.has(id)) problems.push(`${id}: never settled: ${describe(loop.table.command(id))}`);
  if (loop.sqs.depth(loop.queueUrl) > 0) problems.push(`${loop.sqs.depth(loop.queueUrl)} messages left on the queue`);

  // Nothing sent twice; the ledger names the one copy Sendblue holds, and the table stored it.
  const bodies = new Map<string, PlannedCommand>();
  for (const planned of plan.commands) {
    for (const body of [planned, planned.reuse]) if (body?.content) bodies.set(body.content, body);
  }
  for (const planned of plan.commands) {
    const item = settled.get(planned.id);
    if (!item || planned.command.type !== 'send_group_message') continue;
    const copies = [planned, planned.reuse].flatMap((body) => (body ? (byContent.get(body.content!) ?? []) : []));
    const where = `${planned.id}: ${describe(item)}`;
    if (copies.length > 1) problems.push(`${where}: sent ${copies.length} times`);
    if (item.state === 'sent') {
      const copy = copies[0];
      if (!copy) problems.push(`${where}: sent in the ledger, but Sendblue has no copy`);
      else if (item.message_handle !== copy.message_handle)
        problems.push(`${where}: the ledger names ${item.message_handle}, Sendblue holds ${copy.message_handle}`);
      else {
        const stored = await loop.table.getMessageWithHistory(copy.message_handle);
        if (stored?.message.group_id !== copy.group_id || stored?.message.command_id !== planned.id)
          problems.push(`${where}: not stored in the group's timeline (${JSON.stringify(stored?.message ?? null)})`);
      }
    } else if (copies.length) problems.push(`${where}: failed, yet Sendblue accepted it`);
  }
  // No accepted send that the ledger does not know as sent (a copy of no plan is a stray send).
  for (const message of sent) {
    const body = bodies.get(message.content);
    const item = body && settled.get(body.id);
    if (!body) problems.push(`Sendblue holds a message no command asked for: ${message.content}`);
    else if (item?.state !== 'sent')
      problems.push(`${body.id}: Sendblue accepted it, the ledger says ${describe(item)}`);
  }

  // The DLQ: every failed command is on it, and only failed commands that were refused or never sent.
  const deadIds = new Set(letters.map((letter) => letter.attributes[DEAD_LETTER_ATTRIBUTES.commandId] ?? ''));
  for (const planned of plan.commands) {
    const item = settled.get(planned.id);
    if (item?.state === 'failed' && !deadIds.has(planned.id))
      problems.push(`${planned.id}: failed but not on the DLQ: ${describe(item)}`);
  }
  for (const letter of letters) {
    const id = letter.attributes[DEAD_LETTER_ATTRIBUTES.commandId] ?? '';
    const reason = letter.attributes[DEAD_LETTER_ATTRIBUTES.reason] ?? '';
    const planned = plan.commands.find((candidate) => candidate.id === id);
    const content = (JSON.parse(letter.body) as { content?: string }).content;
    const where = `${id} on the DLQ (${reason})`;
    if (!planned) problems.push(`the DLQ holds a command that was never planned: ${id}`);
    else if (content !== undefined && byContent.has(content)) problems.push(`${where}, though Sendblue accepted it`);
    else if (reason.includes('already used by a different command')) {
      if (!planned.reuse) problems.push(`${where}: refused as a reused id, but its id was not reused`);
    } else if (!planned.reuse && settled.get(id)?.state !== 'failed')
      problems.push(`${where}, but the ledger says ${describe(settled.get(id))}`);
  }

  problems.push(...(await reactionProblems(loop, plan, settled)));
  problems.push(...orderProblems(plan, sent));
  problems.push(...groupProblems(loop, plan, settled));
  return problems;
}

/**
 * Tapbacks: Sendblue holds at most one copy of each (told apart by part index); `sent` means it
 * holds exactly one and the table keeps it on the message; `failed` means it holds none; a final
 * `unknown` may hold one or none (nothing in Sendblue can tell), and says so. No copy of no plan.
 */
async function reactionProblems(
  loop: SenderLoop,
  plan: FaultMixPlan,
  settled: Map<string, CommandItem>,
): Promise<string[]> {
  const problems: string[] = [];
  const planned = plan.commands.filter((p) => p.command.type === 'send_reaction');
  const targets = new Set(planned.map((p) => (p.command as { message_handle: string }).message_handle));
  const copies = new Map<number, number>();
  for (const handle of targets)
    for (const reaction of loop.sendblue.reactionsOn(handle))
      copies.set(reaction.part_index, (copies.get(reaction.part_index) ?? 0) + 1);
  const kept = await loop.table.getReactions([...targets]);
  for (const p of planned) {
    const item = settled.get(p.id);
    const count = copies.get(p.partIndex!) ?? 0;
    copies.delete(p.partIndex!);
    const where = `${p.id} (tapback ${p.partIndex}): ${JSON.stringify({ state: item?.state, error: item?.error })}`;
    if (count > 1) problems.push(`${where}: sent ${count} times`);
    const handle = (p.command as { message_handle: string }).message_handle;
    const onMessage = kept.get(handle)?.some((entry) => entry.id === `command:${p.id}`) === true;
    if (item?.state === 'sent' && (count !== 1 || !onMessage))
      problems.push(`${where}: sent in the ledger; Sendblue holds ${count}, on the message: ${onMessage}`);
    if (item?.state === 'failed' && count !== 0) problems.push(`${where}: failed, yet Sendblue holds it`);
    if (item?.state === 'unknown' && !/not repeated/.test(String(item.error)))
      problems.push(`${where}: unknown for good without saying it is not repeated`);
  }
  for (const [partIndex, count] of copies)
    problems.push(`Sendblue holds ${count} tapback(s) no command asked for (part ${partIndex})`);
  return problems;
}

/** Each group's accepted sends are in the order they were queued (second producers' copies aside). */
function orderProblems(plan: FaultMixPlan, sent: ReturnType<SenderLoop['sendblue']['sentMessages']>): string[] {
  const problems: string[] = [];
  const unordered = new Set(plan.commands.filter((p) => p.crossGroupDuplicate).map((p) => p.content));
  const streamOf = new Map<string, number>();
  for (const planned of plan.commands) {
    for (const body of [planned, planned.reuse]) if (body?.content) streamOf.set(body.content, planned.stream);
  }
  const streams = new Set(plan.commands.map((planned) => planned.stream));
  for (const stream of streams) {
    // First time each body was queued, in queue order.
    const queued: string[] = [];
    for (const push of plan.pushes) {
      const content = push.command.type === 'send_group_message' ? push.command.content : undefined;
      if (!content || streamOf.get(content) !== stream || unordered.has(content) || queued.includes(content)) continue;
      queued.push(content);
    }
    const accepted = sent
      .filter((message) => streamOf.get(message.content) === stream && !unordered.has(message.content))
      .sort((a, b) => a.seq - b.seq)
      .map((message) => message.content);
    const expected = queued.filter((content) => accepted.includes(content));
    if (JSON.stringify(accepted) !== JSON.stringify(expected))
      problems.push(`group ${stream}: accepted in the order ${accepted.join(' | ')}; queued ${expected.join(' | ')}`);
  }
  return problems;
}

/** Group changes: Sendblue's groups are exactly what the initial members and the sent changes make, in order. */
function groupProblems(loop: SenderLoop, plan: FaultMixPlan, settled: Map<string, CommandItem>): string[] {
  const problems: string[] = [];
  for (const [groupId, members] of plan.initial) {
    const expected = new Set(members);
    let name: string | null = null;
    for (const { id, command } of plan.commands) {
      if (command.type !== 'modify_group' || command.group_id !== groupId || settled.get(id)?.state !== 'sent')
        continue;
      if (command.modify_type === 'add_recipient') expected.add(command.number!);
      if (command.modify_type === 'remove_recipient') expected.delete(command.number!);
      if (command.modify_type === 'rename') name = command.name!;
    }
    const group = loop.sendblue.group(groupId)!;
    const actual = [...group.members].sort();
    if (JSON.stringify(actual) !== JSON.stringify([...expected].sort()))
      problems.push(
        `members of ${groupId}: ${actual.join(',')}; the sent changes make ${[...expected].sort().join(',')}`,
      );
    if (name !== null && group.name !== name)
      problems.push(`name of ${groupId}: ${group.name}; the last sent rename says ${name}`);
  }
  return problems;
}
