/** prepareCommand: the SQS message a producer sends (no AWS needed). */
import { describe, expect, it } from 'vitest';
import { CommandValidationError, ownOutcome, prepareCommand, type CommandStateView } from '../../../client/commands.js';
import { validateCommand, type GroupCommand } from '../../../lambdas/contract/commands.js';

describe('prepareCommand', () => {
  it('uses the group_id as MessageGroupId and the command_id as deduplication id', () => {
    const prepared = prepareCommand({
      type: 'send_group_message',
      command_id: 'order-42',
      group_id: 'sb_group_1',
      content: 'hi',
    });
    expect(prepared.commandId).toBe('order-42');
    expect(prepared.message).toEqual({
      MessageBody: JSON.stringify({
        type: 'send_group_message',
        command_id: 'order-42',
        group_id: 'sb_group_1',
        content: 'hi',
      }),
      MessageGroupId: 'sb_group_1',
      MessageDeduplicationId: 'order-42',
    });
  });

  it('a new group: MessageGroupId is its sorted numbers (any order, same group); a command_id is generated and put in the body', () => {
    const a = prepareCommand({ type: 'send_group_message', numbers: ['+15551230002', '+15551230001'], content: 'hi' });
    const b = prepareCommand({ type: 'send_group_message', numbers: ['+15551230001', '+15551230002'], content: 'hi' });
    expect(a.message.MessageGroupId).toBe('+15551230001,+15551230002');
    expect(b.message.MessageGroupId).toBe(a.message.MessageGroupId);
    expect(a.commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.commandId).not.toBe(b.commandId);
    expect(JSON.parse(a.message.MessageBody).command_id).toBe(a.commandId);
    expect(a.message.MessageDeduplicationId).toBe(a.commandId);
  });

  it('a group too large for a 128-character MessageGroupId gets a stable hash of its numbers', () => {
    const numbers = Array.from({ length: 25 }, (_, i) => `+1555123${String(i).padStart(4, '0')}`);
    const a = prepareCommand({ type: 'send_group_message', numbers, content: 'hi' });
    const b = prepareCommand({ type: 'send_group_message', numbers: [...numbers].reverse(), content: 'hi' });
    expect(a.message.MessageGroupId).toMatch(/^numbers-[\w-]{43}$/);
    expect(b.message.MessageGroupId).toBe(a.message.MessageGroupId);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a bad number', { type: 'send_group_message', numbers: ['555-0101'], content: 'x' }],
    ['no content', { type: 'send_group_message', group_id: 'g' }],
    ['leave', { type: 'modify_group', group_id: 'g', modify_type: 'leave' }],
    ['a typo', { type: 'send_group_message', group_id: 'g', content: 'x', contnet: 'y' }],
    ['a blank rename', { type: 'modify_group', group_id: 'g', modify_type: 'rename', name: ' ' }],
  ])("refuses %s with the sender's own message", (_name, input) => {
    const expected = validateCommand({ command_id: 'c-1', ...input });
    expect(expected.ok).toBe(false);
    expect(() => prepareCommand({ command_id: 'c-1', ...input } as unknown as GroupCommand)).toThrow(
      new CommandValidationError((expected as { error: string }).error),
    );
  });

  it('drops fields left undefined (an optional argument not given is not an unknown field)', () => {
    const prepared = prepareCommand({
      type: 'send_group_message',
      group_id: 'g',
      content: 'x',
      media_url: undefined,
      command_id: 'c',
    });
    expect(JSON.parse(prepared.message.MessageBody)).toEqual({
      type: 'send_group_message',
      group_id: 'g',
      content: 'x',
      command_id: 'c',
    });
  });
});

describe('ownOutcome: is the state of this id the state of my command?', () => {
  const view = (extra: Partial<CommandStateView>): CommandStateView => ({
    command_id: 'c1',
    state: 'sent',
    error: null,
    fingerprint: 'mine',
    refused_reuses: [],
    ...extra,
  });

  it('my command: its own state', () => {
    expect(ownOutcome(view({ state: 'failed' }), 'mine')).toEqual({ kind: 'own', state: 'failed' });
    expect(ownOutcome(view({ state: 'queued' }), 'mine')).toEqual({ kind: 'own', state: 'queued' });
  });

  it('refused: the sender recorded my command as a reuse, or another command is sent under the id', () => {
    expect(
      ownOutcome(view({ fingerprint: 'theirs', state: 'queued', refused_reuses: ['mine'] }), 'mine'),
    ).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/already used by a different command/) });
    expect(ownOutcome(view({ fingerprint: 'theirs', state: 'sent' }), 'mine').kind).toBe('refused');
  });

  it('pending while my command may still take the id (the other one runs, or failed), or no valid command has it yet', () => {
    for (const state of ['queued', 'sending', 'unknown', 'failed'] as const)
      expect(ownOutcome(view({ fingerprint: 'theirs', state }), 'mine')).toEqual({ kind: 'pending' });
    expect(ownOutcome(view({ fingerprint: null, state: 'failed' }), 'mine')).toEqual({ kind: 'pending' });
  });
});
