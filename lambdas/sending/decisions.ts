import {
  COMMAND_ID,
  type GroupCommand,
  type ModifyGroupCommand,
  type SendGroupMessageCommand,
} from '../contract/commands.js';
import type { ClaimResult, SendblueMessage } from './ports.js';

/**
 * The sender's decisions before an attempt, free of I/O so they are tested without AWS or
 * Sendblue: what a claim result means, and how an unclear send or change is recognised in what
 * Sendblue reports. What happens after an attempt is in attempt-outcome.ts.
 */

export type ClaimDecision =
  /** Run an attempt; `mustCheck`: an earlier attempt may have reached Sendblue, ask it before any call. */
  | { action: 'proceed'; mustCheck: boolean }
  /** The entry is `failed` (nothing was sent): take it over with a fresh budget. */
  | { action: 'restart'; sameCommandAllowed: boolean }
  | { action: 'skip'; why: 'already-sent' | 'already-failed' }
  /** The id belongs to a different command: this one is refused, never sent. */
  | { action: 'conflict' }
  | { action: 'wait'; seconds: number };

/**
 * @param isRedrive the delivery came back from the DLQ on purpose: a failed command may run again.
 */
export function decideOnClaim(
  result: ClaimResult,
  fingerprint: string,
  nowMs: number,
  isRedrive: boolean,
): ClaimDecision {
  if (result.claimed) {
    const previous = result.restarted ? undefined : result.previous;
    // `unknown`: an earlier attempt may have reached Sendblue. `sending` with an expired lease: an
    // earlier attempt stopped mid-way (timeout, crash), maybe after its call. Ask before sending again.
    return { action: 'proceed', mustCheck: previous?.state === 'unknown' || previous?.state === 'sending' };
  }
  const current = result.current;
  const sameCommand = current.fingerprint === fingerprint;
  if (current.state === 'failed') {
    // A failed entry never reached Sendblue: a corrected command may take its id; the very same
    // command runs again only when redriven on purpose (a plain duplicate is ignored).
    if (!sameCommand) return { action: 'restart', sameCommandAllowed: false };
    return isRedrive ? { action: 'restart', sameCommandAllowed: true } : { action: 'skip', why: 'already-failed' };
  }
  if (current.fingerprint && !sameCommand) return { action: 'conflict' };
  if (current.state === 'sent') return { action: 'skip', why: 'already-sent' };
  // Another delivery of this command holds a live lease: come back once it has ended.
  const remainingMs = Math.max(0, (current.lease_until ?? nowMs) - nowMs);
  return { action: 'wait', seconds: Math.min(900, Math.ceil(remainingMs / 1000) + 1) };
}

const sameText = (a: string | undefined, b: string | undefined) => (a ?? '') === (b ?? '');

/**
 * The outbound messages, among those Sendblue created since the first call, that an unclear
 * attempt could have produced: same line, same group (or the same members for a new group), same
 * content and media, oldest first. The caller drops those another command already owns (the same
 * text sent twice in a row), so the first one left is ours.
 */
export function matchingSends(
  candidates: SendblueMessage[],
  command: SendGroupMessageCommand,
  fromNumber: string,
): SendblueMessage[] {
  const wanted = command.numbers ? [...command.numbers].sort().join(',') : undefined;
  return candidates.filter((message) => {
    if (!message.message_handle || message.is_outbound === false) return false;
    if (message.from_number && message.from_number !== fromNumber) return false;
    if (!sameText(message.content, command.content) || !sameText(message.media_url, command.media_url)) return false;
    if (command.group_id) return message.group_id === command.group_id;
    if (!message.participants?.length || !wanted) return true;
    return (
      [...message.participants]
        .filter((p) => p !== fromNumber)
        .sort()
        .join(',') === wanted
    );
  });
}

/** Members of a sent message as Sendblue's webhooks report them: the recipients and our line. */
export function sentParticipants(recipients: readonly string[] | undefined, line: string): string[] | undefined {
  return recipients?.length ? [...new Set([...recipients, line])] : undefined;
}

/** Whether Sendblue's view of the group already shows what the change asked for. */
export function isChangeApplied(command: ModifyGroupCommand, group: { members: string[]; name?: string }): boolean {
  switch (command.modify_type) {
    case 'add_recipient':
      return group.members.includes(command.number!);
    case 'remove_recipient':
      return !group.members.includes(command.number!);
    case 'rename':
      return group.name === command.name;
  }
}

/** New members after an accepted change, from the members we knew. */
export function membersAfter(command: ModifyGroupCommand, members: string[]): string[] | undefined {
  if (command.modify_type === 'add_recipient') return [...new Set([...members, command.number!])].sort();
  if (command.modify_type === 'remove_recipient') return members.filter((m) => m !== command.number);
  return undefined;
}

/**
 * The idempotency key: the command's own id; else the `command_id` attribute a command keeps when
 * it goes through the DLQ and back (its body may have none, and a redrive needs a new
 * deduplication id); else the SQS deduplication id; else the SQS message id.
 */
export function commandIdOf(
  body: unknown,
  attributeId: string | undefined,
  dedupId: string | undefined,
  messageId: string,
): string {
  const given = (body as { command_id?: unknown } | null)?.command_id;
  if (typeof given === 'string' && COMMAND_ID.test(given)) return given;
  if (attributeId && COMMAND_ID.test(attributeId)) return attributeId;
  return dedupId || messageId;
}

export const commandTypeOf = (body: unknown): string => {
  const type = (body as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.length <= 40 ? type : 'invalid';
};

export type { GroupCommand };
