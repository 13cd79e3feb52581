import { describe, expect, it } from 'vitest';
import type { ModifyGroupCommand, SendGroupMessageCommand } from '../../lambdas/shared/commands';
import { classifySendblueError, SendblueCallError, sendblueErrorText } from '../../lambdas/shared/sendblue-errors';
import {
  commandIdOf, decideOnClaim, isChangeApplied, matchingSends, membersAfter, retryDelaySeconds,
} from '../../lambdas/shared/sender-rules';
import type { CommandItem } from '../../lambdas/shared/table-commands';

const NOW = Date.parse('2026-11-28T12:00:00.000Z');
const item = (extra: Partial<CommandItem>): CommandItem => ({ command_id: 'c', type: 'send_group_message', state: 'sent', fingerprint: 'fp', ...extra });

describe('decideOnClaim', () => {
  it('proceeds on a first claim and after a plain retryable failure, without looking in Sendblue', () => {
    expect(decideOnClaim({ claimed: true, leaseId: 'l' }, 'fp', NOW)).toEqual({ action: 'proceed', mustReconcile: false });
    expect(decideOnClaim({ claimed: true, leaseId: 'l', previous: item({ state: 'queued' }) }, 'fp', NOW))
      .toEqual({ action: 'proceed', mustReconcile: false });
  });

  it('looks in Sendblue first after an unclear attempt or an attempt cut off mid-way', () => {
    for (const state of ['unknown', 'sending'] as const) {
      expect(decideOnClaim({ claimed: true, leaseId: 'l', previous: item({ state }) }, 'fp', NOW))
        .toEqual({ action: 'proceed', mustReconcile: true });
    }
  });

  it('skips a command already sent or failed, and says when the id was reused for another command', () => {
    expect(decideOnClaim({ claimed: false, current: item({ state: 'sent' }) }, 'fp', NOW)).toEqual({ action: 'skip', why: 'already-sent' });
    expect(decideOnClaim({ claimed: false, current: item({ state: 'sent' }) }, 'other', NOW)).toEqual({ action: 'skip', why: 'id-reused' });
    expect(decideOnClaim({ claimed: false, current: item({ state: 'failed' }) }, 'fp', NOW)).toEqual({ action: 'skip', why: 'already-failed' });
  });

  it('waits out another delivery\'s live lease', () => {
    const current = item({ state: 'sending', lease_until: NOW + 12_500 });
    expect(decideOnClaim({ claimed: false, current }, 'fp', NOW)).toEqual({ action: 'wait', seconds: 14 });
  });
});

describe('retryDelaySeconds', () => {
  it('doubles from the base on each delivery and stops at the cap', () => {
    const policy = { baseSeconds: 5, maxSeconds: 60 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(n, policy))).toEqual([5, 10, 20, 40, 60]);
    expect(retryDelaySeconds(Number.NaN, policy)).toBe(5);
    expect(retryDelaySeconds(1_000, policy)).toBe(60);
  });
});

describe('matchingSends', () => {
  const line = '+15550000000';
  const command: SendGroupMessageCommand = { type: 'send_group_message', numbers: ['+15551230002', '+15551230001'], content: 'Hi' };
  const sent = (extra: Record<string, unknown>) => ({ message_handle: 'h', from_number: line, content: 'Hi', ...extra });

  it('matches on line, content, media and members (our line left out), oldest first', () => {
    const candidates = [
      sent({ message_handle: 'other-text', content: 'Hello' }),
      sent({ message_handle: 'other-line', from_number: '+15559999999' }),
      sent({ message_handle: 'other-members', participants: ['+15551230001', line] }),
      sent({ message_handle: 'with-media', media_url: 'https://x.example/a.png' }),
      sent({ message_handle: 'ours', participants: [line, '+15551230001', '+15551230002'] }),
      sent({ message_handle: 'ours-later' }),
    ];
    expect(matchingSends(candidates, command, line).map((m) => m.message_handle)).toEqual(['ours', 'ours-later']);
  });

  it('matches a group_id send only within that group', () => {
    const byGroup: SendGroupMessageCommand = { type: 'send_group_message', group_id: 'g1', content: 'Hi' };
    const found = matchingSends([sent({ message_handle: 'a', group_id: 'g2' }), sent({ message_handle: 'b', group_id: 'g1' })], byGroup, line);
    expect(found.map((m) => m.message_handle)).toEqual(['b']);
  });
});

describe('group changes', () => {
  const add: ModifyGroupCommand = { type: 'modify_group', group_id: 'g', modify_type: 'add_recipient', number: '+15551230003' };
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
  it('prefers the command\'s id, then the id kept through the DLQ, then the deduplication id, then the message id', () => {
    expect(commandIdOf({ command_id: 'mine' }, 'kept', 'dedup', 'msg')).toBe('mine');
    expect(commandIdOf({ command_id: 'has space' }, undefined, 'dedup', 'msg')).toBe('dedup');
    expect(commandIdOf({}, 'kept', 'redrive-1', 'msg')).toBe('kept');
    expect(commandIdOf(undefined, undefined, undefined, 'msg')).toBe('msg');
  });
});

describe('classifySendblueError', () => {
  it('maps HTTP answers: 4xx rejected except 408/409/429, which retry like 5xx', () => {
    const apiError = (status: number, error: unknown) => Object.assign(new Error('x'), { status, error });
    expect(classifySendblueError(apiError(400, { error_message: 'numbers invalid' }), 'send').kind).toBe('rejected');
    expect(classifySendblueError(apiError(400, { error_message: 'numbers invalid' }), 'send').reason).toContain('HTTP 400: numbers invalid');
    for (const status of [408, 409, 429, 500, 503]) expect(classifySendblueError(apiError(status, {}), 'send').kind).toBe('retryable');
    expect(classifySendblueError(apiError(404, { message: 'group not found' }), 'send').status).toBe(404);
  });

  it('treats a request that never left as retryable and a lost answer as unclear', () => {
    const refused = Object.assign(new Error('Connection error.'), { cause: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }) });
    expect(classifySendblueError(refused, 'send').kind).toBe('retryable');
    const reset = Object.assign(new Error('Connection error.'), { cause: Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } }) });
    expect(classifySendblueError(reset, 'send').kind).toBe('unclear');
    const timeout = Object.assign(new Error('Request timed out.'), { name: 'APIConnectionTimeoutError' });
    expect(classifySendblueError(timeout, 'send')).toMatchObject({ kind: 'unclear', reason: expect.stringContaining('timed out') });
  });

  it('keeps an already classified error and reads the varying error bodies', () => {
    const known = new SendblueCallError('rejected', 'r', 400);
    expect(classifySendblueError(known, 'send')).toBe(known);
    expect(sendblueErrorText({ error: 'line_not_registered' })).toBe('line_not_registered');
    expect(sendblueErrorText({ message: 'm', error_message: 'em' })).toBe('em');
    expect(sendblueErrorText(null)).toBeUndefined();
  });
});
