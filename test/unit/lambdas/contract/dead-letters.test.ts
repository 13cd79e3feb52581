/**
 * Whether a redrive can help a command on the DLQ (contract/dead-letters.ts): from the kind the
 * sender records, else from its reason. The reasons are made by the sender's own code here, so a
 * change of wording that the text fallback no longer recognises fails this test.
 */
import { describe, expect, it } from 'vitest';
import {
  classifyDeadLetter,
  deadLetterKindOf,
  type DeadLetterKind,
} from '../../../../lambdas/contract/dead-letters.js';
import {
  givingUpReason,
  nextStep,
  type AttemptState,
  type SenderPolicy,
} from '../../../../lambdas/sending/attempt-outcome.js';
import { classifySendblueError } from '../../../../lambdas/sending/sendblue-errors.js';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const POLICY: SenderPolicy = {
  maxAttempts: 5,
  retry: { baseSeconds: 5, maxSeconds: 300 },
  settleDelaySeconds: 30,
  outageBudgetMs: 3_600_000,
  maxReceiveCount: 1_000,
};
const fresh: AttemptState = { maybeSent: false, failures: 0, checkFailures: 0, outageFailures: 0 };
const refusal = (status: number, text = 'nope') =>
  classifySendblueError({ status, error: { message: text } }, 'send the group message').reason;

/** Each kind with a reason the sender writes for it. */
const REASONS: Array<[DeadLetterKind, string]> = [
  ['invalid', 'invalid command: numbers must be a non-empty array of E.164 numbers'],
  ['invalid', 'invalid command: the message body is not JSON'],
  ['refused', refusal(400, 'Bad request')],
  ['refused', refusal(404, 'Group sb_group_x not found')],
  ['refused', refusal(422)],
  ['credentials', refusal(401, 'invalid api key')],
  ['credentials', refusal(403)],
  [
    'id-taken',
    'command_id c-1 is already used by a different command; this one was refused and not sent (use a new command_id)',
  ],
  ['out-of-attempts', givingUpReason({ ...fresh, failures: 5, lastFailure: refusal(409) }, POLICY, NOW)!],
  [
    'outage',
    givingUpReason(
      { ...fresh, outageSince: '2026-12-01T10:00:00.000Z', outageReason: 'could not reach Sendblue (ECONNREFUSED)' },
      POLICY,
      NOW,
    )!,
  ],
  ['outage', givingUpReason({ ...fresh, outageSince: '2026-12-01T11:50:00.000Z', receives: 900 }, POLICY, NOW)!],
  [
    'never-sent',
    "not sent: Sendblue's message list has no such message since 2026-12-01T10:59:55.000Z, and its queue message was gone; moved to the DLQ (redrive it to send it)",
  ],
  [
    'never-sent',
    'not applied: the group in Sendblue does not show the add recipient and its queue message was gone; moved to the DLQ (redrive it to apply it)',
  ],
];

describe('dead letters: does a redrive help?', () => {
  it.each(REASONS)('%s: %s', (kind, reason) => {
    expect(deadLetterKindOf(reason)).toBe(kind);
    expect(classifyDeadLetter({ reason }).kind).toBe(kind);
  });

  it('helps for a passing cause; not for a command that is wrong, or credentials not fixed yet', () => {
    const helps = (kind: DeadLetterKind) => classifyDeadLetter({ kind }).redriveHelps;
    expect(['out-of-attempts', 'outage', 'never-sent', 'unknown'].map((k) => helps(k as DeadLetterKind))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['invalid', 'refused', 'credentials', 'id-taken'].map((k) => helps(k as DeadLetterKind))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(classifyDeadLetter({ kind: 'refused' }).advice).toMatch(/fix and push a corrected command/);
  });

  it('the recorded kind wins over the reason; an unknown kind or none falls back to the reason', () => {
    expect(classifyDeadLetter({ kind: 'outage', reason: 'invalid command: x' }).kind).toBe('outage');
    expect(classifyDeadLetter({ kind: 'nonsense', reason: 'invalid command: x' }).kind).toBe('invalid');
    expect(classifyDeadLetter({ kind: null, reason: refusal(404) }).kind).toBe('refused');
  });

  it("no reason (SQS moved it itself) or one not recognised: unknown, and a redrive may help; Sendblue's text cannot pass for ours", () => {
    expect(classifyDeadLetter({})).toMatchObject({ kind: 'unknown', redriveHelps: true });
    expect(deadLetterKindOf('HTTP 400')).toBe('unknown');
    // A reason that only contains one of our wordings further in is not ours.
    expect(deadLetterKindOf(refusal(400, 'invalid command: gave up after 5 attempts: '))).toBe('refused');
    expect(deadLetterKindOf(`gave up after 5 attempts: ${refusal(409)}`)).toBe('out-of-attempts');
  });

  it('the kind the sender records on the DLQ is the one the reason says', () => {
    const steps = [
      nextStep({ kind: 'rejected', reason: refusal(404), status: 404 }, fresh, POLICY, NOW),
      nextStep({ kind: 'rejected', reason: refusal(401), status: 401 }, fresh, POLICY, NOW),
      nextStep({ kind: 'not-sent', reason: refusal(409), answered: true }, { ...fresh, failures: 4 }, POLICY, NOW),
      nextStep(
        { kind: 'unreachable', reason: 'could not reach Sendblue (ECONNREFUSED)' },
        { ...fresh, outageSince: '2026-12-01T10:00:00.000Z', outageFailures: 30 },
        POLICY,
        NOW,
      ),
    ];
    for (const step of steps) {
      expect(step.queue.action).toBe('dead-letter');
      if (step.queue.action === 'dead-letter') expect(deadLetterKindOf(step.queue.reason)).toBe(step.queue.kind);
    }
  });
});
