import type { OptChange } from '../contacts/ports.js';
import type { SetContactOptCommand } from '../contract/commands.js';
import type { ContactItem } from '../contract/items.js';

/**
 * An operator's `set_contact_opt` (docs/sending.md "Contact opt-outs"), decided without I/O: which
 * opt change it writes to the contacts ledger, or why it is refused, and what a write that changed
 * nothing means. There is no Sendblue call (Sendblue has no opt-out API): the sender writes one
 * conditional update of the contact's record (contacts/ports.ts `recordOptChange`).
 *
 * **When the operator's word is dated.** `at` is when the producer queued the command: the SQS
 * message's `SentTimestamp` (SQS's clock, set once per message). So
 * - every delivery of the message carries the same `at`: a redelivery (or an attempt that stopped
 *   after the write and before the ledger said `sent`) writes the same evidence again, and the
 *   ledger's `opt_changed_at < :at` condition makes that write change nothing;
 * - a STOP or START the number texts after the command was queued is newer and wins, even when the
 *   sender gets to the command later (a command that waited behind others in its FIFO group, or
 *   a sender that was down); one texted before it is older, and the operator's later word wins;
 * - the time the sender happened to run never decides anything.
 * A producer repeating a command_id is dropped by SQS within 5 minutes and by the ledger after it
 * is `sent`. Evidence from members is dated by Sendblue's clock (`date_sent`), an operator's by
 * SQS's: two changes within their skew (seconds at most) may be ordered by it.
 */

/** What an operator's opt change is recorded as (`opted_out_by` / `opted_in_by`, the event's `by`). */
export const COMMAND_OPT_SOURCE = 'command' as const;

export type ContactOptDecision = { action: 'write'; change: OptChange } | { action: 'refuse'; reason: string };

/**
 * The command's time from the SQS record (`SentTimestamp`, epoch ms as text), as an ISO date; `fallbackIso`
 * when it is missing or not a sane time (SQS always sets it; a hand-made record may not).
 */
export function queuedAtOf(sentTimestamp: string | undefined, fallbackIso: string): string {
  const ms = Number(sentTimestamp);
  if (!sentTimestamp || !Number.isSafeInteger(ms) || ms <= 0) return fallbackIso;
  return new Date(ms).toISOString();
}

/**
 * The write a valid command asks for, or a refusal: one of our own lines is not a contact and cannot
 * be opted out or in (the contacts ledger never records our lines: contacts/contact-projection.ts).
 * @param ourLines the stack's line and the other lines it knows (`backfillLines`)
 */
export function decideContactOpt(
  command: SetContactOptCommand,
  facts: { ourLines: ReadonlySet<string>; queuedAt: string },
): ContactOptDecision {
  if (facts.ourLines.has(command.number)) {
    return {
      action: 'refuse',
      reason: `refused: ${command.number} is one of our Sendblue lines, not a contact; a line cannot be opted ${command.opted_out ? 'out' : 'in'} (nothing was written)`,
    };
  }
  return {
    action: 'write',
    change: { number: command.number, at: facts.queuedAt, optedOut: command.opted_out, by: COMMAND_OPT_SOURCE },
  };
}

/**
 * After a write that changed nothing (`stale`): `undefined` when the record already holds this very
 * change (a redelivery, or the write of an attempt that stopped before the ledger said so; also
 * when an eventually consistent read does not show the newer write yet), else the note kept on the
 * `sent` command: the record holds newer evidence, which wins.
 */
export function staleNote(change: OptChange, current: ContactItem | undefined): string | undefined {
  const since = current?.opt_changed_at;
  if (!current || !since || since < change.at) return undefined;
  const optedOut = current.opted_out === true;
  if (since === change.at && optedOut === change.optedOut) return undefined;
  const by = (optedOut ? current.opted_out_by : current.opted_in_by) ?? 'unknown';
  const newer = `opted ${optedOut ? 'out' : 'in'} by ${by} at ${since}, after this command was queued at ${change.at}`;
  if (optedOut === change.optedOut) return `nothing to change: the contact is already ${newer}`;
  return `not applied: the contact has newer evidence (${newer}), and newer evidence wins; it stays opted ${optedOut ? 'out' : 'in'}`;
}
