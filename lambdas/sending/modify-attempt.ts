import {
  answered,
  callFailed,
  checkFailed,
  type Attempt,
  type AttemptDeps,
  type AttemptMode,
} from './attempt-calls.js';
import { givingUpReason, type AttemptOutcome } from './attempt-outcome.js';
import { passLine } from './line-gate.js';
import type { ModifyGroupCommand } from '../contract/commands.js';
import { isChangeApplied, membersAfter } from './decisions.js';
import { GROUP_SUMMARY_WINDOW, groupView } from '../contract/views.js';
import { preflightModify } from './preflight-facts.js';

/**
 * One attempt at a modify_group (add, remove, rename): if an earlier call may have reached
 * Sendblue, read the group there first (and stop if the change shows); else call. Not paced:
 * Sendblue's per-line limit is on messages; but held while its line is paused by an outage (its
 * `from_number`, else the stack's line). `check-only` reads and never calls.
 */
export function createModifyAttempt(deps: AttemptDeps) {
  const { store, sendblue, settings } = deps;

  return async function attemptModify(
    command: ModifyGroupCommand,
    attempt: Attempt,
    mode: AttemptMode = 'full',
  ): Promise<AttemptOutcome> {
    const line = command.from_number ?? settings.fromNumber;
    if (attempt.state.maybeSent || mode === 'check-only') {
      const held = await passLine(deps, line, attempt, false);
      if (held) return held;
      let seen: { members: string[]; name?: string } | undefined;
      try {
        seen = await sendblue.getGroup(command.group_id);
      } catch (error) {
        return checkFailed(deps, error, 'look up the group', attempt, line);
      }
      await answered(deps, line, attempt);
      if (seen && isChangeApplied(command, seen)) return recordApplied(command, attempt, 'found');
      attempt.state.maybeSent = false;
      if (mode === 'check-only') {
        return {
          kind: 'never-sent',
          reason: `not applied: the group in Sendblue does not show the ${command.modify_type.replace('_', ' ')} and its queue message was gone; moved to the DLQ (redrive it to apply it)`,
        };
      }
    }
    const spent = givingUpReason(attempt.state, settings.policy, deps.now().getTime());
    if (spent) return { kind: 'gave-up', reason: spent };
    const preflight = await preflightModify(deps, command, line);
    if (preflight.action === 'refuse') return { kind: 'rejected', reason: preflight.reason };
    const held = await passLine(deps, line, attempt, false);
    if (held) return held;

    const calledAt = deps.now().toISOString();
    try {
      if (command.modify_type === 'rename') await sendblue.renameGroup(command.group_id, command.name!, line);
      else
        await sendblue.modifyGroup({
          group_id: command.group_id,
          modify_type: command.modify_type,
          number: command.number!,
          from_number: line,
        });
    } catch (error) {
      return callFailed(deps, error, 'change the group', calledAt, attempt, line, false);
    }
    await answered(deps, line, attempt);
    return recordApplied(command, attempt, 'sent');
  };

  async function recordApplied(
    command: ModifyGroupCommand,
    attempt: Attempt,
    how: 'sent' | 'found',
  ): Promise<AttemptOutcome> {
    try {
      const asOf = deps.now().toISOString();
      if (command.modify_type === 'rename') {
        await store.syncGroup({ groupId: command.group_id, name: command.name, asOf });
      } else {
        const [record, recent] = await Promise.all([
          store.getGroup(command.group_id),
          store.listGroupMessages(command.group_id, { limit: GROUP_SUMMARY_WINDOW, order: 'desc' }),
        ]);
        const known = groupView(command.group_id, record, recent.items).members;
        // Members we never saw cannot be updated by a delta; the next webhook carries them all.
        if (known.length)
          await store.syncGroup({ groupId: command.group_id, members: membersAfter(command, known), asOf });
      }
      return { kind: 'sent', how, groupId: command.group_id };
    } catch (error) {
      deps.logger.error('group change applied by Sendblue but not recorded; will settle it', {
        command_id: attempt.commandId,
        error,
      });
      attempt.state.maybeSent = true;
      return { kind: 'not-recorded', reason: 'applied by Sendblue; recording it failed' };
    }
  }
}
