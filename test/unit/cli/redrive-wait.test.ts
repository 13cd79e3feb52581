/**
 * `cli dlq --redrive --wait`: when a redriven command is final (cli/redrive-wait.ts). A redriven
 * command's entry says `failed` until the sender takes it again: only a later `updated_at` makes
 * a failure new. An invalid command fails again within milliseconds, so waiting for a state in
 * between (as `--wait` did) missed it and waited its whole timeout.
 */
import { describe, expect, it } from 'vitest';
import { bodyFingerprint, redriveVerdict } from '../../../cli/redrive-wait.js';
import type { CommandView } from '../../../lambdas/contract/views.js';

const view = (fields: Partial<CommandView>): CommandView => ({
  command_id: 'c1',
  type: 'send_group_message',
  state: 'failed',
  group_id: null,
  message_handle: null,
  error: 'gave up after 5 attempts: HTTP 409',
  fingerprint: 'mine',
  refused_reuses: [],
  failures: 5,
  next_attempt_at: null,
  outage_since: null,
  updated_at: '2026-12-01T12:00:00.000Z',
  ...fields,
});
const before = view({});
const later = '2026-12-01T12:00:03.000Z';

describe('redriveVerdict', () => {
  it('the failure from before the redrive is not final; a later one is', () => {
    expect(redriveVerdict(before, before, 'mine')).toEqual({ final: false });
    expect(redriveVerdict(view({ state: 'sending', updated_at: later }), before, 'mine')).toEqual({ final: false });
    expect(redriveVerdict(view({ state: 'queued', updated_at: later }), before, 'mine')).toEqual({ final: false });
    expect(redriveVerdict(view({ error: 'HTTP 404', updated_at: later }), before, 'mine')).toEqual({
      final: true,
      state: 'failed',
      reason: 'HTTP 404',
    });
  });

  it('sent is final; sent already before the redrive says so', () => {
    expect(redriveVerdict(view({ state: 'sent', error: null, updated_at: later }), before, 'mine')).toEqual({
      final: true,
      state: 'sent',
      reason: null,
    });
    const sentBefore = view({ state: 'sent', error: null });
    expect(redriveVerdict(sentBefore, sentBefore, 'mine')).toMatchObject({ final: true, state: 'sent' });
  });

  it('an invalid command (no fingerprint, an entry without one) fails again: final once the entry changed', () => {
    const rejected = view({ type: 'invalid', fingerprint: null, error: 'invalid command: x' });
    expect(redriveVerdict(rejected, rejected, undefined)).toEqual({ final: false });
    expect(redriveVerdict({ ...rejected, updated_at: later }, rejected, undefined)).toMatchObject({
      final: true,
      state: 'failed',
    });
  });

  it('no entry yet: not final; none before the move: any settled state is new', () => {
    expect(redriveVerdict(undefined, undefined, 'mine')).toEqual({ final: false });
    expect(redriveVerdict(view({ state: 'sent' }), undefined, 'mine')).toMatchObject({ final: true, state: 'sent' });
    expect(redriveVerdict(view({}), undefined, 'mine')).toMatchObject({ final: true, state: 'failed' });
  });

  it('a tapback that may have been sent is final unknown; an unknown still to be checked is not', () => {
    expect(redriveVerdict(view({ state: 'unknown', updated_at: later }), before, 'mine')).toMatchObject({
      final: true,
      state: 'unknown',
    });
    expect(
      redriveVerdict(view({ state: 'unknown', next_attempt_at: later, updated_at: later }), before, 'mine'),
    ).toEqual({ final: false });
  });

  it('the id belongs to another command: refused, unless that one failed (then ours may take the id)', () => {
    const other = view({ fingerprint: 'theirs', state: 'sent' });
    expect(redriveVerdict(other, other, 'mine')).toMatchObject({ final: true, state: 'refused' });
    expect(redriveVerdict(view({ fingerprint: 'theirs', state: 'failed' }), other, 'mine')).toEqual({ final: false });
    // Ours took it over and was sent.
    expect(redriveVerdict(view({ state: 'sent', updated_at: later }), other, 'mine')).toMatchObject({ state: 'sent' });
    // An invalid body whose id a valid command has taken: it is refused again, nothing to wait for.
    expect(redriveVerdict(other, other, undefined)).toMatchObject({ final: true, state: 'failed' });
  });

  it('a body is fingerprinted as the sender does, when it is a valid command', () => {
    const body = JSON.stringify({ type: 'send_group_message', command_id: 'c1', group_id: 'g', content: 'hi' });
    expect(bodyFingerprint(body)).toEqual(expect.any(String));
    expect(bodyFingerprint(body)).toBe(bodyFingerprint(JSON.stringify(JSON.parse(body))));
    expect(bodyFingerprint('{"type":"send_group_message","numbers":[]}')).toBeUndefined();
    expect(bodyFingerprint('not json')).toBeUndefined();
  });
});
