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
import { passNewContactQuota, rememberNewContacts } from './contact-gate.js';
import type { SendGroupMessageCommand } from '../contract/commands.js';
import { parseIsoDate } from '../contract/iso-date.js';
import type { SendblueMessage } from './ports.js';
import { matchingSends, sentParticipants } from './decisions.js';
import { preflightSend } from './preflight-facts.js';

const isoOrUndefined = (text: string | undefined) => {
  const parsed = text === undefined ? undefined : parseIsoDate(text);
  return parsed?.ok ? parsed.iso : undefined;
};

/** Sendblue's clock and ours differ a little: look this much before the first call. */
const CLOCK_SKEW_MS = 5_000;
const checkWindowStart = (attempt: Attempt) => new Date(Date.parse(attempt.checkSince) - CLOCK_SKEW_MS).toISOString();

/**
 * One attempt at a send_group_message: if an earlier call may have reached Sendblue, ask Sendblue
 * first (and stop there if it has the message); else take the line's send slot and call. While the
 * line is paused by an outage (line-gate.ts) neither is made, unless this attempt is the probe.
 * `check-only` asks and never calls: not found is then `never-sent`.
 */
export function createSendAttempt(deps: AttemptDeps) {
  const { store, sendblue, settings } = deps;

  return async function attemptSend(
    command: SendGroupMessageCommand,
    attempt: Attempt,
    mode: AttemptMode = 'full',
  ): Promise<AttemptOutcome> {
    const line = command.from_number ?? settings.fromNumber;
    if (attempt.state.maybeSent || mode === 'check-only') {
      // The sweep's checks ignore the breaker (its deps have none): a few per run, and a 429 ends it.
      const held = await passLine(deps, line, attempt, false);
      if (held) return held;
      let earlier: SendblueMessage | undefined;
      try {
        earlier = await findEarlierSend(command, attempt, line);
      } catch (error) {
        return checkFailed(deps, error, 'list messages', attempt, line);
      }
      await answered(deps, line, attempt);
      if (earlier) return recordAccepted(command, attempt, line, earlier, 'found');
      attempt.state.maybeSent = false; // asked, and Sendblue does not have it
      if (mode === 'check-only') {
        return {
          kind: 'never-sent',
          reason: `not sent: Sendblue's message list has no such message since ${checkWindowStart(attempt)}, and its queue message was gone; moved to the DLQ (redrive it to send it)`,
        };
      }
    }
    const spent = givingUpReason(attempt.state, settings.policy, deps.now().getTime());
    if (spent) return { kind: 'gave-up', reason: spent };
    // Before a slot or a quota is taken or anything is called: a known rule broken ends it here.
    const preflight = await preflightSend(deps, command, line);
    if (preflight.action === 'refuse') return { kind: 'rejected', reason: preflight.reason };
    // Only when counted: no extra await otherwise (the in-memory loop's interleavings stay as they were).
    const held = settings.newContacts ? await passNewContactQuota(deps, line, attempt, command) : undefined;
    if (held) return held;
    const waiting = await passLine(deps, line, attempt, true);
    if (waiting) return waiting;

    let statusCallback: string;
    try {
      statusCallback = await settings.statusCallbackUrl();
    } catch (error) {
      // The callback token is unavailable: nothing was called; counted like an unreachable Sendblue.
      return {
        kind: 'not-sent',
        reason: `could not send: ${error instanceof Error ? error.message : 'no status callback URL'}`,
      };
    }
    const calledAt = deps.now().toISOString();
    let accepted: SendblueMessage;
    try {
      accepted = await sendblue.sendGroupMessage({
        numbers: command.numbers,
        group_id: command.group_id,
        content: command.content,
        media_url: command.media_url,
        send_style: command.send_style,
        from_number: line,
        status_callback: statusCallback,
      });
    } catch (error) {
      return callFailed(deps, error, 'send the group message', calledAt, attempt, line, true);
    }
    await answered(deps, line, attempt);
    if (attempt.contactsToRemember?.length) await rememberNewContacts(deps, line, attempt);
    return recordAccepted(command, attempt, line, accepted, 'sent', preflight.warning);
  };

  /** The message an unclear call produced, if Sendblue has it: by handle when known, else in the list. */
  async function findEarlierSend(
    command: SendGroupMessageCommand,
    attempt: Attempt,
    line: string,
  ): Promise<SendblueMessage | undefined> {
    if (attempt.knownHandle) {
      const known = await sendblue.getMessage(attempt.knownHandle);
      if (known?.message_handle) return known;
    }
    const since = checkWindowStart(attempt);
    // Narrowed to the group when known; every page of the window is read (oldest first).
    for await (const page of sendblue.outboundSince({ since, group_id: command.group_id, from_number: line })) {
      for (const candidate of matchingSends(page, command, line)) {
        const stored = await store.getMessageWithHistory(candidate.message_handle!);
        const owner = stored?.message.command_id;
        if (!owner || owner === attempt.commandId) return candidate;
      }
    }
    return undefined;
  }

  /** Stores what Sendblue accepted; a storage failure here keeps the handle so it is never sent again. */
  async function recordAccepted(
    command: SendGroupMessageCommand,
    attempt: Attempt,
    line: string,
    accepted: SendblueMessage,
    how: 'sent' | 'found',
    warning?: string,
  ): Promise<AttemptOutcome> {
    const handle = accepted.message_handle!;
    try {
      // Older answers lack group_id; a new group's id is then looked up once (docs/sendblue-api.md).
      const groupId = accepted.group_id ?? command.group_id ?? (await sendblue.getMessage(handle))?.group_id;
      // Normalised like a webhook's dates, so the timeline sorts it right; our clock when Sendblue's is unusable.
      const dateSent =
        isoOrUndefined(accepted.date_sent) ?? isoOrUndefined(accepted.date_created) ?? deps.now().toISOString();
      const { earlierStatus } = await store.putOutboundMessage({
        messageHandle: handle,
        groupId,
        commandId: attempt.commandId,
        status: accepted.status ?? 'QUEUED',
        content: command.content,
        mediaUrl: command.media_url,
        fromNumber: line,
        dateSent,
        dateUpdated: isoOrUndefined(accepted.date_updated),
        sendStyle: command.send_style,
        participants: sentParticipants(accepted.recipients ?? command.numbers, line),
        relayUrl: command.status_callback,
      });
      if (earlierStatus && command.status_callback) {
        // A status webhook beat us to the table before the relay URL was stored: relay it now.
        await deps.relay(
          command.status_callback,
          JSON.stringify({ message_handle: handle, group_id: groupId, status: earlierStatus, is_outbound: true }),
        );
      }
      return {
        kind: 'sent',
        how,
        groupId,
        messageHandle: handle,
        note:
          [groupId ? undefined : 'sent, but Sendblue did not say which group it went to', warning]
            .filter(Boolean)
            .join('; ') || undefined,
      };
    } catch (error) {
      deps.logger.error('accepted by Sendblue but not recorded; will settle it', {
        command_id: attempt.commandId,
        error,
      });
      return { kind: 'not-recorded', reason: 'accepted by Sendblue; recording it failed', messageHandle: handle };
    }
  }
}
