/** Human output: status marks, times and commands states. */
import { classifyDeadLetter } from '../lambdas/contract/dead-letters.js';
import { STATUS_MARKS } from '../lambdas/contract/status.js';
import { isCommandSettled, type CommandView } from '../lambdas/contract/views.js';

export const statusMark = (status: string) => `${STATUS_MARKS[status] ?? '?'} ${status}`.trim();

/** `2026-11-28T20:51:10.123Z` -> `2026-11-28 20:51:10` (UTC). */
export const shortTime = (iso: string | null | undefined) =>
  iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '-';

export type { CommandView };

/**
 * What a command is, in words (the ledger keeps its type only: a modify_group does not say which
 * change). The command that queued it knows better and says so (`rename group`, `add member`).
 */
export const COMMAND_KINDS: Record<string, string> = {
  send_group_message: 'group message',
  modify_group: 'group change',
  send_reaction: 'tapback',
};
export const commandKind = (type: string) => COMMAND_KINDS[type] ?? type;

/**
 * `hint`: the context's (ctx.hint), so the DLQ commands it names work against the same target.
 * `kind`: what the command is, when the caller knows more than its type (default: commandKind).
 */
export function commandLines(view: CommandView, hint: (...args: string[]) => string, kind?: string): string[] {
  const lines = [
    `command ${view.command_id}: ${view.state}${view.state === 'sent' ? ' ✓' : view.state === 'failed' ? ' ✗' : isCommandSettled(view) ? ' ? (for good: not repeated)' : ''} (${kind ?? commandKind(view.type)})`,
  ];
  if (view.group_id) lines.push(`  group    ${view.group_id}`);
  if (view.message_handle) lines.push(`  message  ${view.message_handle}`);
  if (view.error) lines.push(`  error    ${view.error}`);
  if (view.next_attempt_at) lines.push(`  next     ${shortTime(view.next_attempt_at)}`);
  if (view.outage_since)
    lines.push(
      `  outage   Sendblue unreachable since ${shortTime(view.outage_since)}: not counted as failures; past the outage budget (1 h by default) it fails, unless Sendblue may have it`,
    );
  if (view.refused_reuses?.length)
    lines.push(`  refused  ${view.refused_reuses.length} other command(s) that reused this command_id (not sent)`);
  if (view.state === 'failed') {
    // Whether a redrive can help, from the reason the ledger keeps (contract/dead-letters.ts).
    const failure = classifyDeadLetter({ reason: view.error });
    // Credentials refused: nothing wrong with the command; it is redriven once they are fixed.
    const next =
      failure.redriveHelps || failure.kind === 'credentials'
        ? hint('dlq', '--redrive', '--id', view.command_id)
        : hint('dlq', '--delete', '--id', view.command_id);
    lines.push(`  it is on the DLQ (${failure.label}): ${failure.advice}: \`${next}\``);
  }
  return lines;
}
