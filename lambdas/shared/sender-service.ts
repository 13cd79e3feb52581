import type { SQSRecord } from 'aws-lambda';
import { commandFingerprint, validateCommand, type GroupCommand, type ModifyGroupCommand, type SendGroupMessageCommand } from './commands';
import type { Logger } from './logger';
import { DEAD_LETTER_ATTRIBUTES, isRedrive, type CommandQueueAdapter } from './queue-adapter';
import { SecretUnavailableError } from './secrets';
import type { SendblueClient, SendblueMessage } from './sendblue-client';
import { classifySendblueError, SendblueCallError } from './sendblue-errors';
import {
  commandIdOf, commandTypeOf, decideOnClaim, isChangeApplied, matchingSends, membersAfter,
  retryDelaySeconds, type RetryPolicy,
} from './sender-rules';
import type { RecordResult as RecordOutcome } from './fifo-batch';
import type { StatusRelay } from './status-relay';
import type { TableStore } from './table';
import { groupView } from './views';

export interface SenderSettings {
  /** The stack's Sendblue line, used when a command names none. */
  fromNumber: string;
  /** The stack's own status URL with its token: always given to Sendblue as status_callback. */
  statusCallbackUrl: () => Promise<string>;
  maxReceiveCount: number;
  /** How long one attempt owns a command; longer than the sender can run, so leases never overlap. */
  leaseMs: number;
  retry: RetryPolicy;
}

export interface SenderDeps {
  store: TableStore;
  sendblue: SendblueClient;
  queue: CommandQueueAdapter;
  relay: StatusRelay;
  logger: Logger;
  settings: SenderSettings;
  now?: () => Date;
}


interface Attempt {
  record: SQSRecord;
  commandId: string;
  leaseId: string;
  receiveCount: number;
  firstAttemptAt: string;
  knownHandle?: string;
}

const DONE: RecordOutcome = { done: true };
/** Sendblue and our clocks differ a little: look this much before the first attempt. */
const CLOCK_SKEW_MS = 5_000;

/** Runs one queued command to an outcome; never throws (an unexpected error means "retry later"). */
export function createCommandProcessor(deps: SenderDeps) {
  const { store, sendblue, queue, logger, settings } = deps;
  const now = deps.now ?? (() => new Date());

  return async function processRecord(record: SQSRecord): Promise<RecordOutcome> {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const attributeId = record.messageAttributes?.[DEAD_LETTER_ATTRIBUTES.commandId]?.stringValue;
    const commandId = commandIdOf(body, attributeId, record.attributes.MessageDeduplicationId, record.messageId);
    const context = { command_id: commandId, message_id: record.messageId, receive_count: receiveCount };
    try {
      if (body === undefined) return await reject(record, commandId, 'invalid', 'the message body is not JSON');
      const validation = validateCommand(body);
      if (!validation.ok) return await reject(record, commandId, commandTypeOf(body), validation.error);
      return await run(validation.command, record, commandId, receiveCount);
    } catch (error) {
      // Storage or the queue failed: nothing is decided, so the delivery is simply retried.
      const seconds = retryDelaySeconds(receiveCount, settings.retry);
      logger.error('command not processed; will retry', { ...context, error, retry_in_s: seconds });
      return { done: false, retryAfterSeconds: seconds };
    }
  };

  async function reject(record: SQSRecord, commandId: string, type: string, reason: string): Promise<RecordOutcome> {
    await queue.moveToDeadLetter(record, { commandId, reason: `invalid command: ${reason}` });
    await store.recordRejectedCommand(commandId, type, `invalid command: ${reason}`);
    logger.warn('command failed: invalid', { command_id: commandId, type, reason });
    return DONE;
  }

  async function run(command: GroupCommand, record: SQSRecord, commandId: string, receiveCount: number): Promise<RecordOutcome> {
    const fingerprint = commandFingerprint(command);
    const claim = await store.claimCommand({
      commandId, type: command.type, fingerprint, groupId: command.group_id,
      leaseMs: settings.leaseMs, allowFailed: isRedrive(record),
    });
    const decision = decideOnClaim(claim, fingerprint, now().getTime());
    if (decision.action === 'skip') {
      const log = decision.why === 'id-reused' ? logger.warn : logger.info;
      log(decision.why === 'id-reused' ? 'command ignored: its command_id was already used by a different command' : `duplicate command ignored (${decision.why})`, { command_id: commandId, type: command.type });
      return DONE;
    }
    if (decision.action === 'wait' || !claim.claimed) {
      // Usually the other delivery ends within a second; look again soon, never later than its lease.
      const backoff = Math.max(1, retryDelaySeconds(receiveCount, settings.retry));
      const seconds = decision.action === 'wait' ? Math.min(decision.seconds, backoff) : backoff;
      logger.info('command busy in another delivery; will look again', { command_id: commandId, retry_in_s: seconds });
      return { done: false, retryAfterSeconds: seconds };
    }
    const attempt: Attempt = {
      record, commandId, leaseId: claim.leaseId, receiveCount,
      firstAttemptAt: claim.previous?.first_attempt_at ?? now().toISOString(),
      knownHandle: claim.previous?.message_handle,
    };
    try {
      if (command.type === 'send_group_message') await runSend(command, attempt, decision.mustReconcile);
      else await runModify(command, attempt, decision.mustReconcile);
      return DONE;
    } catch (error) {
      return handleFailure(error, attempt, command);
    }
  }

  async function runSend(command: SendGroupMessageCommand, attempt: Attempt, mustReconcile: boolean): Promise<void> {
    const fromNumber = command.from_number ?? settings.fromNumber;
    let accepted = mustReconcile ? await findEarlierSend(command, attempt, fromNumber) : undefined;
    const how = accepted ? 'found already sent' : 'sent';
    accepted ??= await sendblue.sendGroupMessage({
      numbers: command.numbers, group_id: command.group_id, content: command.content, media_url: command.media_url,
      send_style: command.send_style, from_number: fromNumber, status_callback: await settings.statusCallbackUrl(),
    });
    const handle = accepted.message_handle!;
    try {
      // Older answers lack group_id; a new group's id is then looked up once (sendblue-api.md).
      const groupId = accepted.group_id ?? command.group_id ?? (await sendblue.getMessage(handle))?.group_id;
      const dateSent = accepted.date_sent ?? accepted.date_created ?? now().toISOString();
      const { earlierStatus } = await store.putOutboundMessage({
        messageHandle: handle, groupId, commandId: attempt.commandId, status: accepted.status ?? 'QUEUED',
        content: command.content, mediaUrl: command.media_url, fromNumber, dateSent, dateUpdated: accepted.date_updated,
        // Members as Sendblue reports them in webhooks: the recipients and our line.
        sendStyle: command.send_style, participants: command.numbers && [...command.numbers, fromNumber], relayUrl: command.status_callback,
      });
      await store.finishCommand(attempt.commandId, attempt.leaseId, {
        state: 'sent', groupId, messageHandle: handle,
        error: groupId ? undefined : 'sent, but Sendblue did not say which group it went to',
      });
      logger.info(`command ${how}`, { command_id: attempt.commandId, type: command.type, group_id: groupId ?? null, message_handle: handle });
      if (earlierStatus && command.status_callback) {
        // A status webhook beat us to the table before the relay URL was stored: relay it now.
        await deps.relay(command.status_callback, JSON.stringify({ message_handle: handle, group_id: groupId, status: earlierStatus, is_outbound: true }));
      }
    } catch (error) {
      throw new AcceptedButNotRecorded(handle, error);
    }
  }

  async function findEarlierSend(command: SendGroupMessageCommand, attempt: Attempt, fromNumber: string): Promise<SendblueMessage | undefined> {
    if (attempt.knownHandle) {
      const known = await sendblue.getMessage(attempt.knownHandle);
      if (known?.message_handle) return known;
    }
    const since = new Date(Date.parse(attempt.firstAttemptAt) - CLOCK_SKEW_MS).toISOString();
    const candidates = await sendblue.listOutboundSince({ since, group_id: command.group_id, from_number: fromNumber });
    for (const candidate of matchingSends(candidates, command, fromNumber)) {
      const stored = await store.getMessageWithHistory(candidate.message_handle!);
      const owner = stored?.message.command_id;
      if (!owner || owner === attempt.commandId) return candidate;
    }
    return undefined;
  }

  async function runModify(command: ModifyGroupCommand, attempt: Attempt, mustReconcile: boolean): Promise<void> {
    const fromNumber = command.from_number ?? settings.fromNumber;
    const seen = mustReconcile ? await sendblue.getGroup(command.group_id) : undefined;
    const how = seen && isChangeApplied(command, seen) ? 'found already applied' : 'sent';
    if (how === 'sent') {
      if (command.modify_type === 'rename') await sendblue.renameGroup(command.group_id, command.name!, fromNumber);
      else await sendblue.modifyGroup({ group_id: command.group_id, modify_type: command.modify_type, number: command.number!, from_number: fromNumber });
    }
    try {
      const asOf = now().toISOString();
      if (command.modify_type === 'rename') {
        await store.syncGroup({ groupId: command.group_id, name: command.name, asOf });
      } else {
        const [record, recent] = await Promise.all([
          store.getGroup(command.group_id),
          store.listGroupMessages(command.group_id, { limit: 10, order: 'desc' }),
        ]);
        const known = groupView(command.group_id, record, recent.items).members;
        // Members we never saw cannot be updated by a delta; the next webhook carries them all.
        if (known.length) await store.syncGroup({ groupId: command.group_id, members: membersAfter(command, known), asOf });
      }
      await store.finishCommand(attempt.commandId, attempt.leaseId, { state: 'sent', groupId: command.group_id });
      logger.info(`command ${how}`, { command_id: attempt.commandId, type: command.modify_type, group_id: command.group_id });
    } catch (error) {
      throw new AcceptedButNotRecorded(undefined, error);
    }
  }

  async function handleFailure(error: unknown, attempt: Attempt, command: GroupCommand): Promise<RecordOutcome> {
    const { commandId, leaseId, record, receiveCount } = attempt;
    if (error instanceof AcceptedButNotRecorded) {
      // Sendblue has it: never send again. Mark it unknown (with the handle) so the next delivery
      // settles it by looking the message up instead of sending.
      const seconds = retryDelaySeconds(receiveCount, settings.retry);
      logger.error('accepted by Sendblue but not recorded; will settle it', { command_id: commandId, error: error.cause });
      await store.finishCommand(commandId, leaseId, { state: 'unknown', messageHandle: error.handle, error: 'accepted by Sendblue; recording it failed, will retry' }).catch(() => false);
      return { done: false, retryAfterSeconds: seconds };
    }
    const failure = error instanceof SendblueCallError ? error
      : error instanceof SecretUnavailableError ? new SendblueCallError('retryable', error.message)
        : classifySendblueError(error, 'run the command');
    const type = command.type === 'modify_group' ? command.modify_type : command.type;
    if (failure.kind === 'rejected' || receiveCount >= settings.maxReceiveCount) {
      const reason = failure.kind === 'rejected' ? failure.reason : `gave up after ${receiveCount} attempts: ${failure.reason}`;
      await queue.moveToDeadLetter(record, { commandId, reason });
      // An unclear last attempt stays `unknown`: Sendblue may still have sent it.
      await store.finishCommand(commandId, leaseId, { state: failure.kind === 'unclear' ? 'unknown' : 'failed', error: reason });
      logger.warn('command failed; moved to the DLQ', { command_id: commandId, type, reason });
      return DONE;
    }
    const seconds = retryDelaySeconds(receiveCount, settings.retry);
    const reason = `${failure.reason}; retry ${receiveCount + 1} of ${settings.maxReceiveCount} in ${seconds} s`;
    await store.finishCommand(commandId, leaseId, { state: failure.kind === 'unclear' ? 'unknown' : 'queued', error: reason });
    logger.warn('command will be retried', { command_id: commandId, type, reason });
    return { done: false, retryAfterSeconds: seconds };
  }
}

/** Sendblue accepted the command but storing the outcome failed: it must never be sent again. */
class AcceptedButNotRecorded extends Error {
  constructor(readonly handle: string | undefined, cause: unknown) {
    super('accepted by Sendblue but not recorded', { cause });
  }
}
