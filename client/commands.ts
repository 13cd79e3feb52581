/**
 * Turning a command into the SQS message a producer sends: validated by the sender's own rules
 * (`validateCommand`, one definition), with a `command_id` (generated when absent), the FIFO
 * `MessageGroupId` (the group, or a new group's sorted numbers; for a tapback its message's group,
 * else the message; for a contact opt `contact:<number>`) and the deduplication id.
 */
import { randomUUID } from 'node:crypto';
import { commandFingerprint, validateCommand, type GroupCommand } from '../lambdas/contract/commands.js';
import { messageGroupIdFor } from '../lambdas/sending/fifo-group.js';
import type { CommandView } from '../lambdas/contract/views.js';

export class CommandValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandValidationError';
  }
}

export interface PreparedCommand {
  commandId: string;
  command: GroupCommand;
  /** What the command asks for (the sender's commandFingerprint): tells whose command an id's state is. */
  fingerprint: string;
  /** What goes into SendMessage. */
  message: { MessageBody: string; MessageGroupId: string; MessageDeduplicationId: string };
}

/** The FIFO group a command belongs to: its group_id, or for a new group its sorted numbers. */
export { messageGroupIdFor };

/**
 * Validates (throws CommandValidationError with the sender's wording) and builds the message.
 * `groupId`: for a send_reaction, the group of the message it reacts to, when the producer knows
 * it (its FIFO group then is that group's; else the message handle: messageGroupIdFor).
 */
export function prepareCommand(input: GroupCommand, options: { groupId?: string } = {}): PreparedCommand {
  // Fields left undefined are dropped, as JSON would drop them.
  const body = Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== undefined),
  ) as unknown as GroupCommand;
  const commandId = body.command_id ?? randomUUID();
  const result = validateCommand({ ...body, command_id: commandId });
  if (!result.ok) throw new CommandValidationError(result.error);
  const command = result.command;
  return {
    commandId,
    command,
    fingerprint: commandFingerprint(command),
    message: {
      MessageBody: JSON.stringify(command),
      MessageGroupId: messageGroupIdFor(command, options.groupId),
      // The command_id: a producer repeating a command within SQS's 5-minute window is dropped by
      // SQS; after that the sender's ledger still never sends it twice.
      MessageDeduplicationId: commandId,
    },
  };
}

/** GET /commands/{id}, as far as the producer needs it. */
export type CommandStateView = Pick<CommandView, 'command_id' | 'state' | 'error'> &
  Partial<Pick<CommandView, 'fingerprint' | 'refused_reuses'>>;

/**
 * What a command state means for the producer of one particular command (its fingerprint): its
 * own state; `refused` when the id belongs to a different command (the sender refused this one,
 * or SQS dropped it as a duplicate id within its 5-minute window); `pending` while it is not decided.
 */
export type OwnOutcome = { kind: 'own'; state: string } | { kind: 'refused'; reason: string } | { kind: 'pending' };

export function ownOutcome(view: CommandStateView, fingerprint: string): OwnOutcome {
  const refusal = `command_id ${view.command_id} is already used by a different command; this one was not sent (use a new command_id)`;
  if (view.refused_reuses?.includes(fingerprint)) return { kind: 'refused', reason: refusal };
  // An entry without a fingerprint is an invalid command's: a valid command may still take the id.
  if (!view.fingerprint || view.fingerprint === fingerprint)
    return view.fingerprint ? { kind: 'own', state: view.state } : { kind: 'pending' };
  // Another command owns the id. Once it is sent, ours can never run (the sender refuses it, or
  // SQS dropped it as a duplicate id); while it runs or after it failed, ours may still take the id.
  return view.state === 'sent' ? { kind: 'refused', reason: refusal } : { kind: 'pending' };
}
