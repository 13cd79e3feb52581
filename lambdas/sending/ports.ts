import type { SQSRecord } from 'aws-lambda';
import type { OptChange } from '../contacts/ports.js';
import type { DeadLetterKind } from '../contract/dead-letters.js';
import type { CommandItem, CommandState, ContactItem } from '../contract/items.js';
import type { ReadStore } from '../reads/ports.js';
import type { GroupRecords, ReactionRecords } from '../webhooks/ports.js';
import type { LineBreaker } from './line-breaker.js';
import type { ContactQuota } from './new-contact-quota.js';
import type { PacingSettings, Reservation } from './line-pacing.js';

/**
 * What the sender needs from the world, declared here and implemented by the adapters
 * (adapters/table-*.ts, sendblue-client.ts, sqs-command-queue.ts): the command ledger, the line's
 * send slots, the sent messages, Sendblue, and the queue. Nothing here does I/O.
 */

// ---- Sendblue ----------------------------------------------------------------------------------

/** A message as Sendblue answers it; every field is optional (docs/sendblue-api.md: shapes vary). */
export interface SendblueMessage {
  message_handle?: string;
  group_id?: string;
  /** False for a member's message (a list that ignores the is_outbound filter may return them). */
  is_outbound?: boolean;
  status?: string;
  content?: string;
  media_url?: string;
  from_number?: string;
  date_sent?: string;
  date_created?: string;
  date_updated?: string;
  participants?: string[];
  /** Who a send went to, from `participants` or the legacy `number`/`to_number` arrays (our line may be included). */
  recipients?: string[];
  send_style?: string;
  error_code?: unknown;
  error_message?: string;
}

export interface GroupSendParams {
  numbers?: string[];
  group_id?: string;
  content?: string;
  media_url?: string;
  from_number: string;
  send_style?: string;
  status_callback: string;
}

/** `POST /api/send-reaction` (docs.sendblue.com/api-v2/reactions): a tapback from one of our lines. */
export interface ReactionParams {
  from_number: string;
  message_handle: string;
  reaction: string;
  part_index?: number;
}

export interface OutboundFilter {
  since: string;
  group_id?: string;
  from_number?: string;
}

/**
 * The Sendblue calls a send or a group change makes, and the checks that settle an unclear one.
 * Every failure is thrown as a SendblueCallError (sendblue-errors.ts) whose kind says what to do.
 */
export interface SendblueApi {
  sendGroupMessage(params: GroupSendParams): Promise<SendblueMessage>;
  modifyGroup(params: {
    group_id: string;
    modify_type: 'add_recipient' | 'remove_recipient';
    number: string;
    from_number?: string;
  }): Promise<void>;
  renameGroup(groupId: string, name: string, fromNumber?: string): Promise<void>;
  /** A tapback. Sendblue answers without a handle and lists no reaction, so nothing can check it later. */
  sendReaction(params: ReactionParams): Promise<void>;
  /** The group's members and name as Sendblue knows them; undefined when Sendblue does not know it. */
  getGroup(groupId: string): Promise<{ members: string[]; name?: string } | undefined>;
  getMessage(handle: string): Promise<SendblueMessage | undefined>;
  /**
   * Outbound group messages created since `since`, oldest first, a page at a time (used to settle
   * unclear sends). Pages until the window is covered; the caller may stop early. Throws an
   * `unclear` SendblueCallError when the window holds more than the client will read.
   */
  outboundSince(filter: OutboundFilter): AsyncGenerator<SendblueMessage[]>;
  /** `GET /api/v2/lines/state`: each of the account's lines and its status (ONLINE, DEGRADED, OFFLINE). */
  getLineStates(): Promise<LineStateReport[]>;
  /** `GET /api/v2/lines/usage`: each line's new-contact quota as Sendblue counts it. */
  getLineUsage(): Promise<LineUsageReport[]>;
}

/** One line in `lines/state`; fields other than `line` and `status` as Sendblue gave them. */
export interface LineStateReport {
  line: string;
  /** ONLINE, DEGRADED or OFFLINE (the SDK also knows UNKNOWN); as given. */
  status: string;
  /** When the status last changed (ISO), when given. */
  changedAt?: string;
}

export interface QuotaWindowReport {
  used?: number;
  limit?: number;
  remaining?: number;
  /** When the oldest counted contact leaves the window (ISO). */
  nextSlotAt?: string;
}

/** One line in `lines/usage`: every field optional (read defensively). */
export interface LineUsageReport {
  line: string;
  /** `available`, or what Sendblue says instead. */
  state?: string;
  /** False when the account's quota is not enforced. */
  enabled?: boolean;
  sampledAt?: string;
  hourly?: QuotaWindowReport;
  daily?: QuotaWindowReport & { resetsAt?: string };
  /** When a used-up quota frees (ISO). */
  availableAt?: string;
}

// ---- The command ledger ------------------------------------------------------------------------

export interface ClaimRequest {
  commandId: string;
  type: string;
  fingerprint: string;
  groupId?: string;
  leaseMs: number;
  /**
   * Take over a `failed` entry (nothing was sent for it): a redrive of the same command, or a
   * different command reusing the id of one that failed. Starts a fresh failure budget.
   */
  restart?: { sameCommandAllowed: boolean };
  /** The sweep: claim only an `unknown` entry, or a `sending` one whose lease expired. */
  onlyUnsettled?: boolean;
}

export type ClaimResult =
  | { claimed: true; leaseId: string; previous?: CommandItem; restarted: boolean }
  | { claimed: false; current: CommandItem };

export interface CommandFinish {
  state: Exclude<CommandState, 'sending'>;
  error?: string;
  groupId?: string;
  messageHandle?: string;
  /** Absolute values: only the lease holder writes them. */
  failures?: number;
  checkFailures?: number;
  lastFailure?: string;
  /** The current outage streak (attempt-outcome.ts); absent: none (removed). */
  outageSince?: string;
  outageFailures?: number;
  outageReason?: string;
  /** Set when a call that may have reached Sendblue was made (kept if already set). */
  checkSince?: string;
  /** A reserved slot to keep; anything else removes the slot. */
  slot?: { at: number; line: string };
  nextAttemptAt?: string;
  /** `failed` by a queue delivery: its SQS message id (CommandItem.failed_message_id). */
  failedMessageId?: string;
  /** The command's body; kept on the entry (and listed as unsettled) only when `state` is `unknown`. */
  commandJson?: string;
  /**
   * `unknown` for good: nothing can ever check it (a send_reaction whose call may have reached
   * Sendblue), so it is not listed as unsettled and no attempt is due.
   */
  final?: boolean;
}

/**
 * The command ledger: exactly-once decisions rest on its conditional writes
 * (docs/sending.md "Exactly once"). Implemented by adapters/table-ledger.ts.
 */
export interface CommandLedger {
  /**
   * One conditional write decides who may act on a command. It never overwrites `sent`, a live
   * lease, or an entry of a different command (fingerprint); only a `restart` takes a `failed` one.
   */
  claimCommand(request: ClaimRequest): Promise<ClaimResult>;
  /** Ends an attempt; false when the lease was no longer ours (nothing written). */
  finishCommand(commandId: string, leaseId: string, finish: CommandFinish): Promise<boolean>;
  /** A command that could not be read or validated: recorded as failed unless the id already means something else. */
  recordRejectedCommand(commandId: string, type: string, error: string): Promise<void>;
  /** A different command arrived with this id and was refused: its fingerprint is added to the entry. */
  recordRefusedReuse(commandId: string, fingerprint: string): Promise<void>;
}

export interface OutboundMessage {
  messageHandle: string;
  groupId?: string;
  commandId: string;
  status: string;
  content?: string;
  mediaUrl?: string;
  fromNumber?: string;
  dateSent: string;
  dateUpdated?: string;
  sendStyle?: string;
  participants?: string[];
  relayUrl?: string;
}

export interface SentMessages {
  /**
   * Stores an accepted send under its group, keeping a status a webhook already wrote. Returns
   * that earlier status, if any, so the caller can relay it to the command's own callback.
   */
  putOutboundMessage(message: OutboundMessage): Promise<{ earlierStatus?: string }>;
}

/**
 * A line's shared send slots (line-pacing.ts) and its circuit breaker (line-breaker.ts), kept on one
 * item per line in the table by adapters/table-pacing.ts.
 */
export interface LineSlots {
  /** A slot, unless the line's breaker is open (`paused`, with the breaker to decide on). */
  reserveLineSlot(line: string, nowMs: number, settings: PacingSettings): Promise<Reservation>;
  /** After a 429: no slot before `untilMs`. */
  pauseLine(line: string, untilMs: number, settings: PacingSettings): Promise<void>;
  /** The line's breaker as it is now (a strongly consistent read); closed when never written. */
  readLineBreaker(line: string): Promise<LineBreaker>;
  /**
   * Writes `next` if the breaker is still at `seenVersion` (one conditional write); else nothing is
   * written and the current breaker comes back, to decide again.
   */
  writeLineBreaker(
    line: string,
    next: LineBreaker,
    seenVersion: number,
  ): Promise<{ written: true } | { written: false; current: LineBreaker }>;
}

/**
 * A line's known contacts and its new-contact quota record (new-contact-quota.ts), kept under the
 * line's partition by adapters/table-line-contacts.ts.
 */
export interface LineContacts {
  /** Of `numbers`, those the line has messaged: number -> when last recorded (epoch ms). */
  readKnownContacts(line: string, numbers: readonly string[]): Promise<Map<string, number>>;
  /** Records that the line messaged these numbers at `atMs` (a repeat changes nothing that matters). */
  rememberContacts(line: string, numbers: readonly string[], atMs: number): Promise<void>;
  /** The line's quota record (a strongly consistent read); empty at version 0 when never written. */
  readContactQuota(line: string): Promise<ContactQuota>;
  /** Writes `next` if the record is still at `seenVersion`; else the current record comes back. */
  writeContactQuota(
    line: string,
    next: ContactQuota,
    seenVersion: number,
  ): Promise<{ written: true } | { written: false; current: ContactQuota }>;
}

export interface UnsettledEntry {
  commandId: string;
  /** When the entry was last written. */
  updatedAt: string;
}

/** The ledger's list of `unknown` commands, which the sweep reads (settle-unknown.ts). */
export interface UnsettledCommands {
  /** Unsettled commands last written before `before` (ISO), oldest first. */
  listUnsettledCommands(options: { before: string; limit: number }): Promise<UnsettledEntry[]>;
}

/** Who opted out, from the contacts ledger (adapters/table-contacts.ts): pre-flight reads it. */
export interface ContactOptOuts {
  /** Those of `numbers` whose contact record says opted out now (one BatchGetItem per 100). */
  optedOutAmong(numbers: readonly string[]): Promise<Set<string>>;
}

/**
 * The contacts ledger as an operator's `set_contact_opt` writes it (contact-opt.ts; the same
 * conditional write the contacts Lambda makes, adapters/table-contacts.ts).
 */
export interface ContactOptWrites {
  /** One conditional write: `stale` (nothing written) when the record holds evidence as new or newer. */
  recordOptChange(change: OptChange): Promise<'written' | 'stale'>;
  /** The record, to tell a redelivery from newer evidence after a `stale` write. */
  getContact(number: string): Promise<ContactItem | undefined>;
}

/** What one attempt reads and writes: the sent message or reaction, the line's slots, the group it changes. */
export type AttemptStore = SentMessages &
  ContactOptOuts &
  LineSlots &
  LineContacts &
  GroupRecords &
  ReactionRecords &
  Pick<ReadStore, 'getGroup' | 'listGroupMessages' | 'getMessageWithHistory'>;

/** What the command processor reads and writes. */
export type SenderStore = CommandLedger & AttemptStore & ContactOptWrites;

/** What the sweep of unknown commands reads and writes. */
export type SweepStore = Pick<CommandLedger, 'claimCommand' | 'finishCommand'> &
  AttemptStore &
  UnsettledCommands &
  Pick<ReadStore, 'getCommand'>;

// ---- The command queue -------------------------------------------------------------------------

/**
 * What the sender does to the queue besides what the event source does (deleting successes):
 * delay a retry by changing a message's visibility, and put a command that will never succeed
 * on the DLQ itself, with the reason (contract/dead-letters.ts).
 */
export interface CommandQueue {
  retryLater(receiptHandle: string, delaySeconds: number): Promise<void>;
  moveToDeadLetter(
    record: SQSRecord,
    failure: { commandId: string; reason: string; kind: DeadLetterKind },
  ): Promise<void>;
}

/** A command to put on the DLQ, with what `cli dlq` shows and a redrive keeps. */
export interface DeadLetter {
  body: string;
  commandId: string;
  reason: string;
  /** Whether a redrive can help (contract/dead-letters.ts). */
  kind: DeadLetterKind;
  /** The command queue's group it belongs to (a redrive puts it back there). */
  messageGroupId: string;
  /**
   * A second attempt to put the same letter there within 5 minutes is dropped by SQS. Also the
   * letter's own message group on the DLQ.
   */
  deduplicationId: string;
  receiveCount: string;
}

/** Puts a command on the DLQ itself (no queue message at hand: the sweep of unknown commands). */
export type DeadLetterSink = (letter: DeadLetter) => Promise<void>;
