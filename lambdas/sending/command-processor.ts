import type { SQSRecord } from 'aws-lambda';
import { attemptFromLedger, type AttemptDeps } from './attempt-calls.js';
import { nextStep, retryDelaySeconds, type AttemptOutcome, type SenderPolicy } from './attempt-outcome.js';
import type { BreakerSettings } from './line-breaker.js';
import type { LineAdvice, LineAdviceSettings } from './line-advice.js';
import type { NewContactLimits } from './new-contact-quota.js';
import { commandFingerprint, groupIdOf, validateCommand, type GroupCommand } from '../contract/commands.js';
import type { RecordResult } from './fifo-batch.js';
import type { PacingSettings } from './line-pacing.js';
import type { PreflightSettings } from './preflight.js';
import type { Logger } from '../platform/logger.js';
import { METRIC_NAMES, type MetricName, type MetricTally } from '../platform/metrics.js';
import { createModifyAttempt } from './modify-attempt.js';
import { createContactOptAttempt } from './contact-opt-attempt.js';
import { queuedAtOf } from './contact-opt.js';
import { DEAD_LETTER_ATTRIBUTES, deadLetterKindOf, isRedrive } from '../contract/dead-letters.js';
import { createReactionAttempt } from './reaction-attempt.js';
import { createSendAttempt } from './send-attempt.js';
import type { ClaimResult, CommandQueue, SendblueApi, SenderStore } from './ports.js';
import { commandIdOf, commandTypeOf, decideOnClaim } from './decisions.js';
import type { StatusRelay } from '../webhooks/ports.js';

export interface SenderSettings {
  /** The stack's Sendblue line, used when a command names none. */
  fromNumber: string;
  /** The stack's own status URL with its token: always given to Sendblue as status_callback. */
  statusCallbackUrl: () => Promise<string>;
  /** How long one attempt owns a command; longer than the sender can run, so leases never overlap. */
  leaseMs: number;
  policy: SenderPolicy;
  pacing: PacingSettings;
  /** Each line's circuit breaker (line-breaker.ts): an outage pauses the line instead of failing commands. */
  breaker: BreakerSettings;
  /** Each line's new-contact quota (new-contact-quota.ts). @default none: new contacts are not counted */
  newContacts?: NewContactLimits;
  /** How often Sendblue's lines/state and lines/usage are read (line-advice.ts). @default none: not read */
  lineAdvice?: LineAdviceSettings;
  /** Pre-flight (preflight.ts). @default refuse a new group with opted-out members, warn for a group_id */
  preflight?: PreflightSettings;
}

export interface SenderDeps {
  store: SenderStore;
  sendblue: SendblueApi;
  queue: CommandQueue;
  relay: StatusRelay;
  logger: Logger;
  settings: SenderSettings;
  /** Sendblue's word on the lines, cached (line-advice.ts). @default none: not read */
  lineAdvice?: LineAdvice;
  /** Outcome counts, written once per batch by the handler (docs/operations.md). @default none */
  metrics?: MetricTally;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const DONE: RecordResult = { done: true };

/** Runs one queued command to its next state (docs/sending.md "Exactly once"); never throws. */
export function createCommandProcessor(deps: SenderDeps) {
  const { store, queue, logger, settings } = deps;
  const now = deps.now ?? (() => new Date());
  const attemptDeps: AttemptDeps = {
    store,
    sendblue: deps.sendblue,
    relay: deps.relay,
    logger,
    settings,
    metrics: deps.metrics,
    lineAdvice: deps.lineAdvice,
    knownContacts: new Map(),
    now,
    sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
  const attemptSend = createSendAttempt(attemptDeps);
  const attemptModify = createModifyAttempt(attemptDeps);
  const attemptReaction = createReactionAttempt(attemptDeps);
  const attemptContactOpt = createContactOptAttempt({ store, logger, settings });

  return async function processRecord(record: SQSRecord): Promise<RecordResult> {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const attributeId = record.messageAttributes?.[DEAD_LETTER_ATTRIBUTES.commandId]?.stringValue;
    const commandId = commandIdOf(body, attributeId, record.attributes.MessageDeduplicationId, record.messageId);
    try {
      if (body === undefined) return await reject(record, commandId, 'invalid', 'the message body is not JSON');
      const validation = validateCommand(body);
      if (!validation.ok) return await reject(record, commandId, commandTypeOf(body), validation.error);
      return await run(validation.command, record, commandId);
    } catch (error) {
      // Storage or the queue failed outside an attempt: nothing is decided, the delivery is retried.
      const seconds = Math.max(1, retryDelaySeconds(receiveCount, settings.policy.retry));
      logger.error('command not processed; will retry', {
        command_id: commandId,
        message_id: record.messageId,
        error,
        retry_in_s: seconds,
      });
      return { done: false, retryAfterSeconds: seconds };
    }
  };

  async function reject(record: SQSRecord, commandId: string, type: string, reason: string): Promise<RecordResult> {
    await queue.moveToDeadLetter(record, { commandId, reason: `invalid command: ${reason}`, kind: 'invalid' });
    await store.recordRejectedCommand(commandId, type, `invalid command: ${reason}`);
    deps.metrics?.count(undefined, METRIC_NAMES.commandsFailed);
    logger.warn('command failed: invalid', { command_id: commandId, type, reason });
    return DONE;
  }

  async function run(command: GroupCommand, record: SQSRecord, commandId: string): Promise<RecordResult> {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount) || undefined;
    const fingerprint = commandFingerprint(command);
    const request = {
      commandId,
      type: command.type,
      fingerprint,
      groupId: groupIdOf(command),
      leaseMs: settings.leaseMs,
    };
    const log = { command_id: commandId, type: command.type === 'modify_group' ? command.modify_type : command.type };
    // A contact opt is on no line (no Sendblue call): its counts go under no line.
    const line = command.type === 'set_contact_opt' ? undefined : (command.from_number ?? settings.fromNumber);
    let claim: ClaimResult = await store.claimCommand(request);
    let decision = decideOnClaim(claim, fingerprint, now().getTime(), isRedrive(record));
    if (decision.action === 'restart') {
      claim = await store.claimCommand({ ...request, restart: { sameCommandAllowed: decision.sameCommandAllowed } });
      decision = claim.claimed
        ? decideOnClaim(claim, fingerprint, now().getTime(), false)
        : { action: 'wait', seconds: 1 };
    }
    switch (decision.action) {
      case 'skip':
        if (!claim.claimed && claim.current.failed_message_id === record.messageId) {
          // This very message failed the command; its move to the DLQ may not have happened (SQS
          // drops a repeat: the message id is the deduplication id).
          // The ledger keeps the reason, not its kind: the kind is read back from the reason.
          const reason = claim.current.error ?? 'failed';
          await queue.moveToDeadLetter(record, { commandId, reason, kind: deadLetterKindOf(reason) });
          logger.info('failed command moved to the DLQ on redelivery', log);
          return DONE;
        }
        logger.info(`duplicate command ignored (${decision.why})`, log);
        return DONE;
      case 'conflict': {
        const reason = `command_id ${commandId} is already used by a different command; this one was refused and not sent (use a new command_id)`;
        await queue.moveToDeadLetter(record, { commandId, reason, kind: 'id-taken' });
        await store.recordRefusedReuse(commandId, fingerprint);
        deps.metrics?.count(line, METRIC_NAMES.commandsFailed);
        logger.warn('command refused: its command_id belongs to a different command', log);
        return DONE;
      }
      case 'wait':
      case 'restart':
        logger.info('command busy in another delivery; will look again', {
          ...log,
          retry_in_s: decision.action === 'wait' ? decision.seconds : 1,
        });
        return { done: false, retryAfterSeconds: decision.action === 'wait' ? decision.seconds : 1 };
      case 'proceed':
        break;
    }
    if (!claim.claimed) return { done: false, retryAfterSeconds: 1 };

    const attempt = attemptFromLedger(
      commandId,
      claim.restarted ? undefined : claim.previous,
      decision.mustCheck,
      now().toISOString(),
      receiveCount,
    );
    let outcome: AttemptOutcome;
    try {
      outcome =
        command.type === 'send_group_message'
          ? await attemptSend(command, attempt)
          : command.type === 'modify_group'
            ? await attemptModify(command, attempt)
            : command.type === 'send_reaction'
              ? await attemptReaction(command, attempt)
              : // Dated when it was queued (SQS's SentTimestamp): the same on every delivery (contact-opt.ts).
                await attemptContactOpt(
                  command,
                  attempt,
                  queuedAtOf(record.attributes.SentTimestamp, now().toISOString()),
                );
    } catch (error) {
      // Our storage failed before any call that matters (calls are caught inside the attempt).
      logger.error('attempt stopped by a storage error', { ...log, error });
      outcome = {
        kind: 'not-recorded',
        reason: `storage unavailable (${error instanceof Error ? error.name : 'error'})`,
      };
    }
    const step = nextStep(outcome, attempt.state, settings.policy, now().getTime());
    const deadLetter = step.queue.action === 'dead-letter' ? step.queue : undefined;
    // The ledger first, then the DLQ: a failure not recorded is attempted again on redelivery (and
    // may then be sent), so it must not be on the DLQ yet; a recorded one whose move did not happen
    // is moved by the redelivery (case 'skip'). An unknown command keeps its body for the sweep.
    const recorded = await store.finishCommand(commandId, claim.leaseId, {
      ...step.finish,
      commandJson: record.body,
      ...(deadLetter === undefined ? {} : { failedMessageId: record.messageId }),
    });
    // Not recorded: the lease went to another delivery, which decides and moves it itself.
    if (deadLetter !== undefined && recorded)
      await queue.moveToDeadLetter(record, { commandId, reason: deadLetter.reason, kind: deadLetter.kind });
    report(outcome, step.finish.error, log);
    const counted = outcomeMetric(outcome);
    if (counted) deps.metrics?.count(line, counted);
    if (step.queue.action === 'retry') return { done: false, retryAfterSeconds: step.queue.seconds };
    return DONE;
  }

  function report(outcome: AttemptOutcome, reason: string | undefined, log: Record<string, unknown>): void {
    switch (outcome.kind) {
      case 'sent':
        logger.info(outcome.how === 'found' ? 'command found already sent' : 'command sent', {
          ...log,
          group_id: outcome.groupId ?? null,
          message_handle: outcome.messageHandle ?? null,
        });
        return;
      case 'wait-for-slot':
      case 'line-busy':
        logger.info('command waiting for a send slot on its line', { ...log, reason });
        return;
      case 'quota-wait':
        logger.info('command waiting for its line’s new-contact quota', { ...log, reason });
        return;
      case 'line-paused':
        logger.info('command waiting: its line is paused by a Sendblue outage', { ...log, reason });
        return;
      case 'rejected':
      case 'gave-up':
        logger.warn('command failed; moved to the DLQ', { ...log, reason });
        return;
      case 'unverifiable':
        logger.warn('command may have been sent; not repeated (nothing in Sendblue can check it)', { ...log, reason });
        return;
      default:
        logger.warn('command will be retried', { ...log, reason });
    }
  }
}

/** The metric an attempt's outcome counts under, if any (a wait for a line slot counts nothing). */
export function outcomeMetric(outcome: AttemptOutcome): MetricName | undefined {
  switch (outcome.kind) {
    case 'sent':
      return METRIC_NAMES.commandsSent;
    case 'rejected':
    case 'gave-up':
    case 'never-sent':
      return METRIC_NAMES.commandsFailed;
    case 'throttled':
      return METRIC_NAMES.sendblueThrottled;
    case 'check-failed':
      // A check Sendblue answered 429 carries its wait; other failed checks are not throttling.
      return outcome.retryAfterSeconds !== undefined ? METRIC_NAMES.sendblueThrottled : undefined;
    case 'unclear':
      return METRIC_NAMES.sendblueUnclear;
    case 'unverifiable':
      return outcome.counted ? METRIC_NAMES.sendblueUnclear : undefined;
    default:
      return undefined;
  }
}
