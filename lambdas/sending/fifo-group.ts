import { createHash } from 'node:crypto';
import { COMMAND_ID, type GroupCommand } from '../contract/commands.js';

/** SQS ids: 1-128 characters, alphanumeric or punctuation. Longer (or other) values are hashed. */
export const sqsId = (value: string, prefix: string) =>
  COMMAND_ID.test(value) ? value : `${prefix}-${createHash('sha256').update(value).digest('base64url')}`;

/**
 * The FIFO group a command belongs to: its group_id, or for a new group its sorted numbers. The
 * producer client sends with it, and the sweep of unknown commands dead-letters with it (a redrive
 * keeps it, so the command rejoins its group's order).
 */
export function messageGroupIdFor(command: GroupCommand): string {
  if (command.group_id) return sqsId(command.group_id, 'group');
  const numbers = command.type === 'send_group_message' ? [...(command.numbers ?? [])].sort() : [];
  return sqsId(numbers.join(','), 'numbers');
}
