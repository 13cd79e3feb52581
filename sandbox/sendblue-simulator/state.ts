/**
 * The simulator's memory: groups and messages, as Sendblue would keep them for one account.
 */
import { randomUUID } from 'node:crypto';
import type { Reaction, SimGroup, SimMessage, SimReaction } from './types.js';

const sameMembers = (a: readonly string[], b: readonly string[]): boolean => {
  if (a.length !== b.length) return false;
  const sortedB = [...b].sort();
  return [...a].sort().every((value, index) => value === sortedB[index]);
};

export const copyGroup = (group: SimGroup): SimGroup => ({
  ...group,
  members: [...group.members],
  lines: [...group.lines],
});
export const copyMessage = (message: SimMessage): SimMessage => ({
  ...message,
  participants: [...message.participants],
  lines: [...message.lines],
  status_history: message.status_history.map((entry) => ({ ...entry })),
  ...(message.reply_to ? { reply_to: { ...message.reply_to } } : {}),
  ...(message.reaction_to ? { reaction_to: { ...message.reaction_to } } : {}),
  ...(message.declined ? { declined: [...message.declined] } : {}),
  ...(message.reactions ? { reactions: message.reactions.map((reaction) => ({ ...reaction })) } : {}),
});

export interface NewMessage {
  group: SimGroup;
  isOutbound: boolean;
  status: string;
  content: string;
  mediaUrl: string;
  sendStyle: string;
  fromNumber: string;
  statusCallback?: string;
  replyTo?: { message_handle: string; part_index?: number };
  optedOut?: boolean;
  declined?: string[];
  reaction?: { reaction: Reaction; to: { message_handle: string; part_index: number } };
}

export class SimState {
  private readonly groups = new Map<string, SimGroup>();
  private readonly byHandle = new Map<string, SimMessage>();
  private seq = 0;
  /** Accepted outbound sends, for `replyEvery`. */
  acceptedSends = 0;
  /** Per group: how many member replies so far (picks the next member in turn). */
  private readonly replyTurns = new Map<string, number>();

  /** `now`: the clock its dates are read from (a test's virtual clock, test/support/in-memory/). */
  constructor(private readonly now: () => number = Date.now) {}

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  clear(): void {
    this.groups.clear();
    this.byHandle.clear();
    this.replyTurns.clear();
    this.seq = 0;
    this.acceptedSends = 0;
  }

  group(id: string): SimGroup | undefined {
    return this.groups.get(id);
  }

  /** The oldest group whose members are exactly this set. */
  findByMembers(members: readonly string[]): SimGroup | undefined {
    for (const group of this.groups.values()) if (sameMembers(group.members, members)) return group;
    return undefined;
  }

  /** A new group served by the first of `lines` (the account's lines in it, at least one). */
  createGroup(members: readonly string[], lines: readonly [string, ...string[]], name: string | null = null): SimGroup {
    const now = this.isoNow();
    const group: SimGroup = {
      group_id: `sb_group_${randomUUID()}`,
      members: [...new Set(members)],
      name,
      line: lines[0],
      lines: [...new Set(lines)],
      created_at: now,
      updated_at: now,
    };
    this.groups.set(group.group_id, group);
    return group;
  }

  touch(group: SimGroup): void {
    group.updated_at = this.isoNow();
  }

  addMessage(input: NewMessage): SimMessage {
    const now = this.isoNow();
    const message: SimMessage = {
      message_handle: randomUUID(),
      group_id: input.group.group_id,
      is_outbound: input.isOutbound,
      status: input.status,
      status_history: [{ status: input.status, date_updated: now }],
      content: input.content,
      media_url: input.mediaUrl,
      send_style: input.sendStyle,
      from_number: input.fromNumber,
      line: input.group.line,
      participants: [...input.group.members],
      lines: [...input.group.lines],
      group_display_name: input.group.name ?? '',
      ...(input.statusCallback ? { status_callback: input.statusCallback } : {}),
      ...(input.replyTo ? { reply_to: input.replyTo } : {}),
      ...(input.optedOut !== undefined ? { opted_out: input.optedOut } : {}),
      ...(input.declined?.length ? { declined: [...input.declined] } : {}),
      ...(input.reaction ? { reaction: input.reaction.reaction, reaction_to: { ...input.reaction.to } } : {}),
      date_created: now,
      date_sent: now,
      date_updated: now,
      seq: this.seq++,
    };
    this.byHandle.set(message.message_handle, message);
    return message;
  }

  /** Moves a stored message to a new status (no-op when it was forgotten by reset). */
  setStatus(handle: string, status: string): SimMessage | undefined {
    const message = this.byHandle.get(handle);
    if (!message) return undefined;
    const now = this.isoNow();
    message.status = status;
    message.date_updated = now;
    message.status_history.push({ status, date_updated: now });
    return message;
  }

  message(handle: string): SimMessage | undefined {
    return this.byHandle.get(handle);
  }

  allMessages(): SimMessage[] {
    return [...this.byHandle.values()].sort((a, b) => a.seq - b.seq);
  }

  latestInGroup(groupId: string): SimMessage | undefined {
    return this.allMessages()
      .filter((message) => message.group_id === groupId)
      .pop();
  }

  /**
   * The member whose turn it is to write in this group (deterministic rotation); `not` skips one
   * (a member does not tap back on their own message), `chosen` takes that member out of turn.
   */
  nextReplier(
    group: SimGroup,
    options: { not?: string; chosen?: string } = {},
  ): { member: string; turn: number } | undefined {
    const turn = this.replyTurns.get(group.group_id) ?? 0;
    const candidates = group.members.filter((member) => member !== options.not);
    const member = options.chosen ?? candidates[turn % Math.max(1, candidates.length)];
    if (member === undefined) return undefined;
    this.replyTurns.set(group.group_id, turn + 1);
    return { member, turn };
  }

  /** Adds a tapback to a stored message. */
  addReaction(handle: string, reaction: SimReaction): void {
    const message = this.byHandle.get(handle);
    if (!message) return;
    message.reactions = [...(message.reactions ?? []), reaction];
  }
}
