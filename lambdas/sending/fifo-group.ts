import { createHash } from 'node:crypto';
import { COMMAND_ID, type GroupCommand } from '../contract/commands.js';

/** SQS ids: 1-128 characters, alphanumeric or punctuation. Longer (or other) values are hashed. */
export const sqsId = (value: string, prefix: string) =>
  COMMAND_ID.test(value) ? value : `${prefix}-${createHash('sha256').update(value).digest('base64url')}`;

/**
 * The FIFO group a command belongs to: its group_id, or for a new group its sorted numbers. The
 * producer client sends with it, and the sweep of unknown commands dead-letters with it (a redrive
 * keeps it, so the command rejoins its group's order).
 *
 * A send_reaction names a message, not a group: `knownGroupId` is that message's group when the
 * producer knows it (the CLI reads it from GET /messages/{handle}), so the tapback keeps its place
 * among the group's commands; else the message handle itself (it then runs beside the group's
 * commands, in order with other tapbacks on the same message). A set_contact_opt: `contact:<number>`.
 */
export function messageGroupIdFor(command: GroupCommand, knownGroupId?: string): string {
  // A contact's opt changes keep their order among themselves; they name no group.
  if (command.type === 'set_contact_opt') return sqsId(`contact:${command.number}`, 'contact');
  if (command.type === 'send_reaction') {
    return knownGroupId ? sqsId(knownGroupId, 'group') : sqsId(command.message_handle, 'message');
  }
  if (command.group_id) return sqsId(command.group_id, 'group');
  const numbers = command.type === 'send_group_message' ? [...(command.numbers ?? [])].sort() : [];
  return sqsId(numbers.join(','), 'numbers');
}
