import { describe, expect, it } from 'vitest';
import type { ModifyGroupCommand, SendGroupMessageCommand } from '../../../../lambdas/contract/commands.js';
import {
  classifySendblueError,
  retryAfterSeconds,
  SendblueCallError,
  sendblueErrorText,
} from '../../../../lambdas/sending/sendblue-errors.js';
import {
  commandIdOf,
  decideOnClaim,
  isChangeApplied,
  matchingSends,
  membersAfter,
  sentParticipants,
} from '../../../../lambdas/sending/decisions.js';
import type { CommandItem } from '../../../../lambdas/contract/items.js';

const NOW = Date.parse('2026-11-28T12:00:00.000Z');
const item = (extra: Partial<CommandItem>): CommandItem => ({
  command_id: 'c',
  type: 'send_group_message',
  state: 'sent',
  fingerprint: 'fp',
  ...extra,
});

describe('decideOnClaim', () => {
  const claimed = (previous?: Partial<CommandItem>, restarted = false) => ({
    claimed: true as const,
    leaseId: 'l',
    previous: previous && item(previous),
    restarted,
  });
  const refused = (current: Partial<CommandItem>) => ({ claimed: false as const, current: item(current) });

  it('proceeds on a first claim and after a plain retryable failure, without looking in Sendblue', () => {
    expect(decideOnClaim(claimed(), 'fp', NOW, false)).toEqual({ action: 'proceed', mustCheck: false });
    expect(decideOnClaim(claimed({ state: 'queued' }), 'fp', NOW, false)).toEqual({
      action: 'proceed',
      mustCheck: false,
    });
  });

  it('looks in Sendblue first after an unclear attempt or an attempt cut off mid-way', () => {
    for (const state of ['unknown', 'sending'] as const) {
      expect(decideOnClaim(claimed({ state }), 'fp', NOW, false)).toEqual({ action: 'proceed', mustCheck: true });
    }
  });

  it('a restarted failed entry starts clean: nothing was ever sent for it', () => {
    expect(decideOnClaim(claimed({ state: 'failed' }, true), 'fp', NOW, false)).toEqual({
      action: 'proceed',
      mustCheck: false,
    });
  });

  it('skips a command already sent, and a plain duplicate of a failed one', () => {
    expect(decideOnClaim(refused({ state: 'sent' }), 'fp', NOW, false)).toEqual({
      action: 'skip',
      why: 'already-sent',
    });
    expect(decideOnClaim(refused({ state: 'failed' }), 'fp', NOW, false)).toEqual({
      action: 'skip',
      why: 'already-failed',
    });
  });

  it('runs a failed command again when redriven, and lets a different command take a failed id', () => {
    expect(decideOnClaim(refused({ state: 'failed' }), 'fp', NOW, true)).toEqual({
      action: 'restart',
      sameCommandAllowed: true,
    });
    expect(decideOnClaim(refused({ state: 'failed' }), 'other', NOW, false)).toEqual({
      action: 'restart',
      sameCommandAllowed: false,
    });
    // An invalid command left no fingerprint: a valid one may use its id.
    expect(decideOnClaim(refused({ state: 'failed', fingerprint: undefined }), 'fp', NOW, false)).toEqual({
      action: 'restart',
      sameCommandAllowed: false,
    });
  });

  it('refuses a different command reusing the id of one that is sent, in flight or unclear', () => {
    for (const state of ['sent', 'sending', 'queued', 'unknown'] as const) {
      expect(decideOnClaim(refused({ state, lease_until: NOW + 5_000 }), 'other', NOW, false)).toEqual({
        action: 'conflict',
      });
    }
  });

  it("waits out another delivery's live lease", () => {
    expect(decideOnClaim(refused({ state: 'sending', lease_until: NOW + 12_500 }), 'fp', NOW, false)).toEqual({
      action: 'wait',
      seconds: 14,
    });
  });
});

describe('matchingSends', () => {
  const line = '+15550000000';
  const command: SendGroupMessageCommand = {
    type: 'send_group_message',
    numbers: ['+15551230002', '+15551230001'],
    content: 'Hi',
  };
  const sent = (extra: Record<string, unknown>) => ({
    message_handle: 'h',
    from_number: line,
    content: 'Hi',
    ...extra,
  });

  it('matches on line, content, media and members (our line left out), oldest first', () => {
    const candidates = [
      sent({ message_handle: 'other-text', content: 'Hello' }),
      sent({ message_handle: 'other-line', from_number: '+15559999999' }),
      sent({ message_handle: 'other-members', participants: ['+15551230001', line] }),
      sent({ message_handle: 'with-media', media_url: 'https://x.example/a.png' }),
      sent({ message_handle: 'a-member-echoing-it', is_outbound: false, from_number: undefined }),
      sent({ message_handle: 'ours', participants: [line, '+15551230001', '+15551230002'] }),
      sent({ message_handle: 'ours-later' }),
    ];
    expect(matchingSends(candidates, command, line).map((m) => m.message_handle)).toEqual(['ours', 'ours-later']);
  });

  it('matches a group_id send only within that group', () => {
    const byGroup: SendGroupMessageCommand = { type: 'send_group_message', group_id: 'g1', content: 'Hi' };
    const found = matchingSends(
      [sent({ message_handle: 'a', group_id: 'g2' }), sent({ message_handle: 'b', group_id: 'g1' })],
      byGroup,
      line,
    );
    expect(found.map((m) => m.message_handle)).toEqual(['b']);
  });
});

describe('group changes', () => {
  const add: ModifyGroupCommand = {
    type: 'modify_group',
    group_id: 'g',
    modify_type: 'add_recipient',
    number: '+15551230003',
  };
  const remove: ModifyGroupCommand = { ...add, modify_type: 'remove_recipient' };
  const rename: ModifyGroupCommand = { type: 'modify_group', group_id: 'g', modify_type: 'rename', name: 'Trip' };

  it('tells whether Sendblue already shows the change', () => {
    expect(isChangeApplied(add, { members: ['+15551230003'] })).toBe(true);
    expect(isChangeApplied(add, { members: [] })).toBe(false);
    expect(isChangeApplied(remove, { members: ['+15551230003'] })).toBe(false);
    expect(isChangeApplied(rename, { members: [], name: 'Trip' })).toBe(true);
  });

  it('computes the members after a change', () => {
    expect(membersAfter(add, ['+15551230009'])).toEqual(['+15551230003', '+15551230009']);
    expect(membersAfter(add, ['+15551230003'])).toEqual(['+15551230003']);
    expect(membersAfter(remove, ['+15551230003', '+15551230009'])).toEqual(['+15551230009']);
    expect(membersAfter(rename, ['+15551230009'])).toBeUndefined();
  });
});

describe('commandIdOf', () => {
  it("prefers the command's id, then the id kept through the DLQ, then the deduplication id, then the message id", () => {
    expect(commandIdOf({ command_id: 'mine' }, 'kept', 'dedup', 'msg')).toBe('mine');
    expect(commandIdOf({ command_id: 'has space' }, undefined, 'dedup', 'msg')).toBe('dedup');
    expect(commandIdOf({}, 'kept', 'redrive-1', 'msg')).toBe('kept');
    expect(commandIdOf(undefined, undefined, undefined, 'msg')).toBe('msg');
  });
});

describe('classifySendblueError', () => {
  const apiError = (status: number, error: unknown, headers?: Record<string, string>) =>
    Object.assign(new Error('x'), { status, error, headers: headers && new Headers(headers) });

  it('maps HTTP answers: 4xx rejected, 429 back-pressure, 408/409 not sent, 5xx unclear', () => {
    expect(classifySendblueError(apiError(400, { error_message: 'numbers invalid' }), 'send').kind).toBe('rejected');
    expect(classifySendblueError(apiError(400, { error_message: 'numbers invalid' }), 'send').reason).toContain(
      'HTTP 400: numbers invalid',
    );
    expect(classifySendblueError(apiError(429, {}), 'send').kind).toBe('throttled');
    // 408/409: Sendblue answered about this request: the command's own failure, not an outage.
    for (const status of [408, 409])
      expect(classifySendblueError(apiError(status, {}), 'send')).toMatchObject({
        kind: 'retryable',
        wayToSendblue: false,
      });
    // A 5xx may come from a gateway after the request was processed: ask before sending again. It
    // is a failure of the way to Sendblue (counted by time, and it feeds the line's breaker).
    for (const status of [500, 502, 503, 504])
      expect(classifySendblueError(apiError(status, {}), 'send')).toMatchObject({
        kind: 'unclear',
        wayToSendblue: true,
      });
    for (const status of [400, 404, 429])
      expect(classifySendblueError(apiError(status, {}), 'send').wayToSendblue).toBe(false);
    expect(classifySendblueError(apiError(404, { message: 'group not found' }), 'send').status).toBe(404);
  });

  it('reads Retry-After (seconds, HTTP date, or retry-after-ms) on a 429, and ignores nonsense', () => {
    expect(classifySendblueError(apiError(429, {}, { 'retry-after': '7' }), 'send').retryAfterSeconds).toBe(7);
    expect(classifySendblueError(apiError(429, {}, { 'retry-after-ms': '1500' }), 'send').retryAfterSeconds).toBe(1.5);
    expect(retryAfterSeconds({ 'retry-after': new Date(NOW + 30_000).toUTCString() }, NOW)).toBe(30);
    expect(retryAfterSeconds({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(retryAfterSeconds({ 'retry-after': '-3' }, NOW)).toBeUndefined();
    expect(retryAfterSeconds({ 'retry-after': '999999' }, NOW)).toBe(3_600);
    expect(classifySendblueError(apiError(429, {}), 'send').retryAfterSeconds).toBeUndefined();
  });

  it('treats a request that never left as unreachable and a lost answer as unclear: both on the way to Sendblue', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']) {
      const refused = Object.assign(new Error('Connection error.'), {
        cause: Object.assign(new TypeError('fetch failed'), { cause: { code } }),
      });
      expect(classifySendblueError(refused, 'send')).toMatchObject({ kind: 'unreachable', wayToSendblue: true });
    }
    const reset = Object.assign(new Error('Connection error.'), {
      cause: Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } }),
    });
    expect(classifySendblueError(reset, 'send')).toMatchObject({ kind: 'unclear', wayToSendblue: true });
    const timeout = Object.assign(new Error('Request timed out.'), { name: 'APIConnectionTimeoutError' });
    expect(classifySendblueError(timeout, 'send')).toMatchObject({
      kind: 'unclear',
      wayToSendblue: true,
      reason: expect.stringContaining('timed out'),
    });
    // Sendblue answered, but with nothing usable: unclear, yet no sign of an outage.
    expect(new SendblueCallError('unclear', 'no handle', undefined, undefined, false).wayToSendblue).toBe(false);
  });

  it('keeps an already classified error and reads the varying error bodies', () => {
    const known = new SendblueCallError('rejected', 'r', 400);
    expect(classifySendblueError(known, 'send')).toBe(known);
    expect(sendblueErrorText({ error: 'line_not_registered' })).toBe('line_not_registered');
    expect(sendblueErrorText({ message: 'm', error_message: 'em' })).toBe('em');
    expect(sendblueErrorText(null)).toBeUndefined();
  });
});

describe('sentParticipants', () => {
  it('is the recipients and our line, as webhooks report members; nothing when Sendblue named none', () => {
    expect(sentParticipants(['+15551230001', '+15550000000'], '+15550000000')).toEqual([
      '+15551230001',
      '+15550000000',
    ]);
    expect(sentParticipants(['+15551230001'], '+15550000000')).toEqual(['+15551230001', '+15550000000']);
    expect(sentParticipants([], '+15550000000')).toBeUndefined();
    expect(sentParticipants(undefined, '+15550000000')).toBeUndefined();
  });
});
