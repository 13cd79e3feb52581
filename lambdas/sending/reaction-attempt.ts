import { answered, callFailed, type Attempt, type AttemptDeps, type AttemptMode } from './attempt-calls.js';
import { givingUpReason, type AttemptOutcome } from './attempt-outcome.js';
import { passLine } from './line-gate.js';
import type { SendReactionCommand } from '../contract/commands.js';
import { ownReactionId } from '../contract/reactions.js';

/**
 * Why an unclear tapback is never sent again. Sendblue answers `POST /api/send-reaction` without a
 * handle, posts no status for it, and neither `GET /api/v2/messages/{handle}` nor the message
 * list shows a message's reactions (docs.sendblue.com/api-v2/reactions; the simulator likewise), so
 * no check can prove it was not taken, and the exactly-once rule forbids a call without one. A
 * lost tapback is a small gap you can see (the command says so); a repeated one notifies the
 * whole group again, and phones that cannot show tapbacks get a second "Loved “…”" text.
 */
export const NOT_REPEATED =
  'may have been sent; not repeated: Sendblue cannot be asked whether it took a reaction (it returns no handle and lists none); queue a new command to react again';

/**
 * One attempt at a send_reaction: the same path as a send (the line's send slot: a tapback takes a
 * token of the line's rate; the failure budget; 429 as back-pressure), but the check before a
 * resend has nothing in Sendblue to ask. So, when an earlier call may have reached it: accepted
 * and not recorded (its handle is on the ledger), or recorded on the message but the command not
 * marked -> `sent`, no call; any other doubt -> `unverifiable`, the command ends `unknown` for good.
 */
export function createReactionAttempt(deps: AttemptDeps) {
  const { store, sendblue, settings } = deps;

  return async function attemptReaction(
    command: SendReactionCommand,
    attempt: Attempt,
    mode: AttemptMode = 'full',
  ): Promise<AttemptOutcome> {
    const line = command.from_number ?? settings.fromNumber;
    if (attempt.state.maybeSent || mode === 'check-only') {
      if (attempt.knownHandle) return recordReacted(command, attempt, line, 'found');
      // Our own record is written only after Sendblue took it: an attempt that stopped after
      // recording (before marking the command) leaves the proof here.
      if (await isRecorded(command, attempt)) return recordReacted(command, attempt, line, 'found');
      // An earlier attempt stopped mid-way (its lease expired): its failure was never counted.
      const stopped = attempt.previousState === 'sending';
      const why = stopped
        ? 'an earlier attempt stopped before it recorded what Sendblue answered'
        : attempt.state.lastFailure;
      return { kind: 'unverifiable', reason: why ? `${why}; ${NOT_REPEATED}` : NOT_REPEATED, counted: stopped };
    }
    const spent = givingUpReason(attempt.state, settings.policy, deps.now().getTime());
    if (spent) return { kind: 'gave-up', reason: spent };
    // The line's slot and its breaker, as a send: a paused line holds tapbacks too.
    const waiting = await passLine(deps, line, attempt, true);
    if (waiting) return waiting;

    const calledAt = deps.now().toISOString();
    try {
      await sendblue.sendReaction({
        from_number: line,
        message_handle: command.message_handle,
        reaction: command.reaction,
        ...(command.part_index === undefined ? {} : { part_index: command.part_index }),
      });
    } catch (error) {
      const outcome = await callFailed(deps, error, 'send the reaction', calledAt, attempt, line, true);
      if (outcome.kind !== 'unclear') return outcome;
      return { kind: 'unverifiable', reason: `${outcome.reason}; ${NOT_REPEATED}`, counted: true, calledAt };
    }
    await answered(deps, line, attempt);
    return recordReacted(command, attempt, line, 'sent');
  };

  async function isRecorded(command: SendReactionCommand, attempt: Attempt): Promise<boolean> {
    const stored = await store.getMessageWithHistory(command.message_handle);
    return stored?.reactions.some((entry) => entry.id === ownReactionId(attempt.commandId)) === true;
  }

  /**
   * Keeps the tapback on the message it is on (the command's id makes it one), and names the
   * message's group on the command when the table has the message. A storage failure keeps the
   * handle on the ledger: the next attempt records it without calling Sendblue again.
   */
  async function recordReacted(
    command: SendReactionCommand,
    attempt: Attempt,
    line: string,
    how: 'sent' | 'found',
  ): Promise<AttemptOutcome> {
    const handle = command.message_handle;
    try {
      const target = await store.getMessageWithHistory(handle);
      const groupId = target?.message.group_id;
      const kept = await store.addReaction({
        targetHandle: handle,
        groupId,
        entry: {
          id: ownReactionId(attempt.commandId),
          reaction: command.reaction,
          from_number: line,
          date_sent: deps.now().toISOString(),
          part_index: command.part_index ?? 0,
          direction: 'outbound',
        },
      });
      return {
        kind: 'sent',
        how,
        groupId,
        messageHandle: handle,
        note: kept === 'full' ? 'sent; not shown on the message, which holds the most reactions kept' : undefined,
      };
    } catch (error) {
      deps.logger.error('reaction accepted by Sendblue but not recorded; will record it', {
        command_id: attempt.commandId,
        error,
      });
      return { kind: 'not-recorded', reason: 'accepted by Sendblue; recording it failed', messageHandle: handle };
    }
  }
}
