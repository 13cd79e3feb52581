import type { Attempt } from './attempt.js';
import type { AttemptOutcome } from './attempt-outcome.js';
import { decideContactOpt, staleNote } from './contact-opt.js';
import type { SetContactOptCommand } from '../contract/commands.js';
import type { Logger } from '../platform/logger.js';
import type { ContactOptWrites } from './ports.js';
import type { PreflightSettings } from './preflight.js';

export interface ContactOptAttemptDeps {
  store: ContactOptWrites;
  logger: Logger;
  settings: { fromNumber: string; preflight?: Pick<PreflightSettings, 'lines'> };
}

/**
 * One attempt at a set_contact_opt (contact-opt.ts decides): no Sendblue call, no line slot, no
 * pre-flight; one conditional write of the contact's record, dated when the command was queued.
 * Nothing is ever unclear (the write is the whole effect, and writing it again changes nothing), so
 * the attempt never ends `unknown` and the sweep of unknown commands never sees one. A storage
 * error throws: the processor records `not-recorded` and the queue brings it back.
 */
export function createContactOptAttempt(deps: ContactOptAttemptDeps) {
  const { store, settings } = deps;
  return async function attemptContactOpt(
    command: SetContactOptCommand,
    attempt: Attempt,
    queuedAt: string,
  ): Promise<AttemptOutcome> {
    // An earlier attempt that stopped mid-way made no call: there is nothing in Sendblue to check.
    attempt.state.maybeSent = false;
    const ourLines = new Set([settings.fromNumber, ...(settings.preflight?.lines ?? [])]);
    const decision = decideContactOpt(command, { ourLines, queuedAt });
    if (decision.action === 'refuse') return { kind: 'rejected', reason: decision.reason };
    const { change } = decision;
    const result = await store.recordOptChange(change);
    if (result === 'written') {
      deps.logger.info('contact opt state set by a command', {
        command_id: attempt.commandId,
        number: change.number,
        opted_out: change.optedOut,
        at: change.at,
      });
      return { kind: 'sent', how: 'sent' };
    }
    const note = staleNote(change, await store.getContact(change.number));
    deps.logger.info(note ? 'contact opt command not applied: newer evidence' : 'contact opt already recorded', {
      command_id: attempt.commandId,
      number: change.number,
      opted_out: change.optedOut,
      at: change.at,
    });
    return note ? { kind: 'sent', how: 'sent', note } : { kind: 'sent', how: 'found' };
  };
}
