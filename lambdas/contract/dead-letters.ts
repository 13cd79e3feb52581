/**
 * Message attributes the sender puts on a command it moves to the DLQ (the CLI's `dlq` and the
 * client list them; a redrive keeps them, which is how the sender knows a redrive).
 */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: 'failure_reason',
  commandId: 'command_id',
  failedAt: 'failed_at',
  receiveCount: 'receive_count',
  /** What kind of failure it was (DeadLetterKind): whether a redrive can help. Absent on older letters. */
  kind: 'failure_kind',
  /**
   * The command queue's MessageGroupId the command came from. On the DLQ each letter is a message
   * group of its own (so one left there never hides another), and a redrive puts the command back
   * into this group. Absent on older letters and on those SQS moved itself: their own group is it.
   */
  groupId: 'message_group_id',
} as const;

/**
 * A record that still carries a failure reason came back from the DLQ on purpose (a redrive).
 * Typed by shape, not by aws-lambda's SQSRecord: the client's types re-export this module, and a
 * package user has no @types/aws-lambda.
 */
export const isRedrive = (record: { messageAttributes?: Readonly<Record<string, unknown>> }): boolean =>
  record.messageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason] !== undefined;

/**
 * Why a command is on the DLQ, as far as a redrive is concerned:
 * - `invalid`: the body is not a valid command; it fails the same way every time.
 * - `refused`: Sendblue answered and refused it (4xx other than 401/403/408/409/429: a bad request,
 *   a group it does not know); it is refused again.
 * - `credentials`: Sendblue refused the stack's API credentials (401/403): nothing is wrong with the
 *   command, and nothing is sent until the credentials are fixed.
 * - `id-taken`: its command_id belongs to a different command; it is refused again.
 * - `out-of-attempts`: Sendblue did not take it (408/409, or our setup stopped the call) as many
 *   times as the sender tries; a redrive starts a fresh budget.
 * - `outage`: it rode out an outage of Sendblue for the whole outage budget (or nearly as many
 *   receives as the queue allows); a redrive tries again once Sendblue is back.
 * - `never-sent`: an unclear command the sweep proved was never sent after its queue message was
 *   gone; a redrive sends it.
 * - `unknown`: no reason recorded (SQS moved it after maxReceiveCount receives: the sender never
 *   finished it) or one not recognised; a redrive tries it again.
 */
export type DeadLetterKind =
  | 'invalid'
  | 'refused'
  | 'credentials'
  | 'id-taken'
  | 'out-of-attempts'
  | 'outage'
  | 'never-sent'
  | 'unknown';

/** What classifyDeadLetter tells of a DLQ letter. */
export interface DeadLetterClass {
  kind: DeadLetterKind;
  /** A redrive as things stand may end with the command sent; false: it would only fail again. */
  redriveHelps: boolean;
  /** A few words for people: "out of attempts", "invalid command". */
  label: string;
  /** What to do about it. */
  advice: string;
}

const CLASSES: Record<DeadLetterKind, Omit<DeadLetterClass, 'kind'>> = {
  invalid: {
    redriveHelps: false,
    label: 'invalid command',
    advice:
      'a redrive fails the same way: fix and push a corrected command (it may reuse the command_id), then delete this one',
  },
  refused: {
    redriveHelps: false,
    label: 'refused by Sendblue',
    advice:
      'a redrive is refused again: fix and push a corrected command (it may reuse the command_id), then delete this one',
  },
  credentials: {
    redriveHelps: false,
    label: "Sendblue refused the stack's API credentials",
    advice:
      "the command is fine but nothing is sent until the stack's Sendblue credentials are fixed; then redrive it by its id (or all with --all)",
  },
  'id-taken': {
    redriveHelps: false,
    label: 'command_id used by a different command',
    advice: 'a redrive is refused again: push it under a new command_id, then delete this one',
  },
  'out-of-attempts': {
    redriveHelps: true,
    label: 'out of attempts',
    advice: 'Sendblue did not take it as many times as the sender tries; a redrive tries again with a fresh budget',
  },
  outage: {
    redriveHelps: true,
    label: 'outage budget spent',
    advice: 'Sendblue was unreachable for longer than the outage budget; redrive it once Sendblue answers again',
  },
  'never-sent': {
    redriveHelps: true,
    label: 'proved never sent',
    advice: 'Sendblue does not have it and nothing will send it by itself; a redrive sends it',
  },
  unknown: {
    redriveHelps: true,
    label: 'no recognised reason',
    advice:
      'no reason the sender recognises (SQS moves a command without one after its maximum receives); a redrive tries it again',
  },
};

const KINDS = Object.keys(CLASSES) as DeadLetterKind[];

export const isDeadLetterKind = (value: unknown): value is DeadLetterKind =>
  typeof value === 'string' && (KINDS as string[]).includes(value);

/**
 * The kind of a failure from its reason text, for letters that carry no `failure_kind` (put on
 * the DLQ before the sender set it) and for a failure the ledger recorded earlier. The sender's
 * own wordings (attempt-outcome.ts, sendblue-errors.ts, command-processor.ts), each anchored at
 * the start, so Sendblue's text inside a reason cannot pass for ours. Unrecognised: `unknown`.
 */
export function deadLetterKindOf(reason: string | null | undefined): DeadLetterKind {
  if (!reason) return 'unknown';
  if (reason.startsWith('invalid command: ')) return 'invalid';
  if (/^command_id .* is already used by a different command/s.test(reason)) return 'id-taken';
  if (/^gave up after \d+ attempts: /.test(reason)) return 'out-of-attempts';
  if (reason.startsWith('Sendblue unreachable since ')) return 'outage';
  if (
    /^not (sent: Sendblue's message list has no such message|applied: the group in Sendblue does not show)/.test(reason)
  )
    return 'never-sent';
  const refused = /^Sendblue refused to [^:]+: HTTP (\d{3})\b/.exec(reason);
  if (refused) return refusalKind(Number(refused[1]));
  return 'unknown';
}

/** A Sendblue 4xx refusal of a call (never 408/409/429: those are retried, not refused). */
export const refusalKind = (status: number | undefined): DeadLetterKind =>
  status === 401 || status === 403 ? 'credentials' : 'refused';

/**
 * What a letter on the DLQ is, and whether a redrive can help: its `failure_kind` attribute when
 * the sender set one, else what its reason says.
 */
export function classifyDeadLetter(letter: { kind?: string | null; reason?: string | null }): DeadLetterClass {
  const kind = isDeadLetterKind(letter.kind) ? letter.kind : deadLetterKindOf(letter.reason);
  return { kind, ...CLASSES[kind] };
}
