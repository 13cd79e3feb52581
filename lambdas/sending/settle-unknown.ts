import { attemptFromLedger, type AttemptDeps } from './attempt-calls.js';
import { nextStep, type AttemptOutcome, type SenderPolicy } from './attempt-outcome.js';
import { commandFingerprint, groupIdOf, validateCommand, type SendblueCommand } from '../contract/commands.js';
import { messageGroupIdFor, sqsId } from './fifo-group.js';
import { DEFAULT_PACING } from './line-pacing.js';
import type { Logger } from '../platform/logger.js';
import { createModifyAttempt } from './modify-attempt.js';
import type { DeadLetterSink, SendblueApi, SweepStore } from './ports.js';
import { createReactionAttempt } from './reaction-attempt.js';
import { createSendAttempt } from './send-attempt.js';
import type { StatusRelay } from '../webhooks/ports.js';
import type { CommandItem } from '../contract/items.js';
import type { SweepReport } from '../contract/backfill-report.js';

/**
 * The sweep of `unknown` commands whose queue message is gone (docs/sending.md "Exactly once"): the queue
 * path re-checks an unknown command itself whenever its message comes back, so an entry left
 * unwritten for longer than that path's backoff has lost its message (SQS dropped it, or redrove
 * it after 1,000 receives). The sweep claims it like the sender does (the ledger's lease) and runs
 * only the check of the attempt code: found -> `sent`; provably not sent -> `failed` with the
 * body on the DLQ (`cli dlq --redrive` sends it); the check failed -> left `unknown` for the next
 * run. It never sends.
 */
export interface SweepDeps {
  store: SweepStore;
  sendblue: SendblueApi;
  relay: StatusRelay;
  deadLetter: DeadLetterSink;
  logger: Logger;
  now: () => Date;
  settings: {
    /** The stack's line: commands without from_number were sent from it. */
    fromNumber: string;
    /** Longer than the sweep can run with one command, so leases never overlap. */
    leaseMs: number;
    /** Entries written more recently than this are left to the queue path. */
    minAgeMs: number;
    maxPerRun: number;
    policy: SenderPolicy;
  };
}

export type { SweepReport };

const bump = (counts: Record<string, number>, line: string) => {
  counts[line] = (counts[line] ?? 0) + 1;
};

export function createUnknownSweep(deps: SweepDeps) {
  const { store, logger, settings } = deps;
  const attemptDeps: AttemptDeps = {
    store,
    sendblue: deps.sendblue,
    relay: deps.relay,
    logger,
    now: deps.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    settings: {
      fromNumber: settings.fromNumber,
      policy: settings.policy,
      // No pacing and no breaker: a check-only attempt never sends, and the sweep makes few calls.
      pacing: { ...DEFAULT_PACING, ratePerSecond: 0 },
      // Check-only attempts never call a send, so they never need the status callback URL.
      statusCallbackUrl: () => Promise.reject(new Error('the sweep never sends')),
    },
  };
  const attemptSend = createSendAttempt(attemptDeps);
  const attemptModify = createModifyAttempt(attemptDeps);
  const attemptReaction = createReactionAttempt(attemptDeps);

  /** Settles one entry; undefined when it was not this sweep's to settle. */
  async function settle(commandId: string): Promise<{ outcome: AttemptOutcome; line: string } | undefined> {
    const item = await store.getCommand(commandId);
    const command = item && unsettledCommand(item);
    if (!item || !command) return undefined;
    const claim = await store.claimCommand({
      commandId,
      type: command.type,
      fingerprint: commandFingerprint(command),
      groupId: groupIdOf(command),
      leaseMs: settings.leaseMs,
      onlyUnsettled: true,
    });
    if (!claim.claimed) return undefined;
    const attempt = attemptFromLedger(commandId, claim.previous, true, deps.now().toISOString());
    let outcome: AttemptOutcome;
    try {
      outcome =
        command.type === 'send_group_message'
          ? await attemptSend(command, attempt, 'check-only')
          : command.type === 'modify_group'
            ? await attemptModify(command, attempt, 'check-only')
            : await attemptReaction(command, attempt, 'check-only');
    } catch (error) {
      logger.error('sweep check stopped by a storage error', { command_id: commandId, error });
      outcome = {
        kind: 'not-recorded',
        reason: `storage unavailable (${error instanceof Error ? error.name : 'error'})`,
      };
    }
    const step = nextStep(outcome, attempt.state, settings.policy, deps.now().getTime());
    if (step.queue.action === 'dead-letter') {
      await deps.deadLetter({
        body: item.command_json!,
        commandId,
        reason: step.queue.reason,
        kind: step.queue.kind,
        messageGroupId: messageGroupIdFor(command),
        deduplicationId: sqsId(`settle-${commandId}`, 'settle'),
        receiveCount: String(item.attempts ?? 1),
      });
    }
    await store.finishCommand(commandId, claim.leaseId, { ...step.finish, commandJson: item.command_json });
    return { outcome, line: command.from_number ?? settings.fromNumber };
  }

  return async function sweep(deadlineMs: number): Promise<SweepReport> {
    const report: SweepReport = {
      examined: 0,
      sent: {},
      neverSent: {},
      stillUnknown: 0,
      skipped: 0,
      stoppedBy: 'done',
    };
    const before = new Date(deps.now().getTime() - settings.minAgeMs).toISOString();
    const entries = await store.listUnsettledCommands({ before, limit: settings.maxPerRun });
    for (const entry of entries) {
      if (deps.now().getTime() >= deadlineMs) {
        report.stoppedBy = 'budget';
        break;
      }
      report.examined += 1;
      const log = { command_id: entry.commandId };
      let settled: Awaited<ReturnType<typeof settle>>;
      try {
        settled = await settle(entry.commandId);
      } catch (error) {
        // A lease may be left behind: it expires, and the next run claims the entry again.
        logger.error('sweep could not settle an unknown command; the next run tries again', { ...log, error });
        report.stillUnknown += 1;
        continue;
      }
      if (!settled) {
        report.skipped += 1;
        continue;
      }
      const { outcome, line } = settled;
      if (outcome.kind === 'sent') {
        bump(report.sent, line);
        logger.info('unknown command settled: found in Sendblue, sent', {
          ...log,
          message_handle: outcome.messageHandle ?? null,
          group_id: outcome.groupId ?? null,
        });
      } else if (outcome.kind === 'unverifiable') {
        // A tapback: nothing in Sendblue can check it; it stays unknown for good, off the list.
        report.stillUnknown += 1;
        logger.warn('unknown reaction left unknown for good: nothing in Sendblue can check it', log);
      } else if (outcome.kind === 'never-sent') {
        bump(report.neverSent, line);
        logger.warn('unknown command settled: never sent; moved to the DLQ', { ...log, reason: outcome.reason });
      } else {
        report.stillUnknown += 1;
        logger.warn('unknown command still unknown: the check could not be made', { ...log, outcome: outcome.kind });
        if (outcome.kind === 'check-failed' && outcome.retryAfterSeconds !== undefined) {
          report.stoppedBy = 'throttled';
          break;
        }
      }
    }
    return report;
  };
}

/**
 * The command an entry holds when it is the sweep's to settle: unknown (or an abandoned attempt) with
 * its body. A set_contact_opt never is: it calls nothing, so nothing is left to check.
 */
function unsettledCommand(item: CommandItem): SendblueCommand | undefined {
  if (!item.command_json || (item.state !== 'unknown' && item.state !== 'sending')) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(item.command_json);
  } catch {
    return undefined;
  }
  const validation = validateCommand(body);
  return validation.ok && validation.command.type !== 'set_contact_opt' ? validation.command : undefined;
}
