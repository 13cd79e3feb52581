/**
 * The CLI's human lines as plain functions: a `Group Changed` event, a history line (long texts
 * cut, media shown by their kept copy), and what a command is called.
 */
import { describe, expect, it } from 'vitest';
import { eventLine, groupChangeText } from '../../../cli/events.js';
import { commandKind, commandLines, type CommandView } from '../../../cli/format.js';
import { cutText, HISTORY_TEXT_CHARS, historyLine, type MessageView } from '../../../cli/read.js';
import type { EventEnvelope } from '../../../lambdas/contract/sandbox.js';
import { characterCount } from '../../../lambdas/contract/sendblue-rules.js';

const groupChanged = (detail: Record<string, unknown>): EventEnvelope => ({
  version: '0',
  id: 'e-1',
  'detail-type': 'Group Changed',
  source: 'sendblue-groups',
  account: '000000000000',
  time: '2026-11-28T20:56:41.000Z',
  region: 'us-east-1',
  resources: [],
  detail: { group_id: 'sb_group_1', name: null, previous_name: null, ...detail },
});

describe('events: Group Changed', () => {
  it('numbers keep their one plus sign (E.164 has it already)', () => {
    const line = eventLine(
      groupChanged({
        members: ['+15550000000', '+15551230001', '+15551230003'],
        previous_members: ['+15550000000', '+15551230001', '+15551230002'],
        added_members: ['+15551230003'],
        removed_members: ['+15551230002'],
      }),
    );
    expect(line).toBe(
      '2026-11-28 20:56:41  Group Changed           sb_group_1  added +15551230003; removed +15551230002',
    );
    expect(line).not.toContain('++');
    expect(line).not.toMatch(/-\+/);
  });

  it('the first time the members are known, a rename, and nothing', () => {
    expect(
      groupChangeText({
        members: ['+15550000000', '+15551230001'],
        previous_members: [],
        added_members: ['+15550000000', '+15551230001'],
        removed_members: [],
        name: null,
        previous_name: null,
      }),
    ).toBe('members +15550000000, +15551230001 (first known)');
    expect(
      groupChangeText({ added_members: [], removed_members: [], name: 'Weekend plans', previous_name: null }),
    ).toBe('name "Weekend plans"');
    expect(groupChangeText({ name: null, previous_name: 'Old' })).toBe('name removed');
    expect(groupChangeText({ added_members: [], removed_members: [], name: 'Same', previous_name: 'Same' })).toBe(
      'unchanged',
    );
  });
});

const message = (fields: Partial<MessageView>): MessageView => ({
  message_handle: 'm-1',
  group_id: 'g-1',
  direction: 'inbound',
  status: 'RECEIVED',
  content: null,
  media_url: null,
  from_number: '+15551230001',
  date_sent: '2026-11-28T20:56:30.000Z',
  date_updated: null,
  send_style: null,
  reactions: [],
  ...fields,
});

describe('history lines', () => {
  it('a long text is cut, with how much is left out; --full (or a short text) prints it whole', () => {
    const long = 'x'.repeat(18_995);
    const line = historyLine(message({ content: long }));
    expect(line).toBe(
      `2026-11-28 20:56:30  ← +15551230001   ${'x'.repeat(HISTORY_TEXT_CHARS)}… [+${(18_995 - HISTORY_TEXT_CHARS).toLocaleString('en-US')} characters]`,
    );
    expect(historyLine(message({ content: long }), { full: true })).toContain(long);
    expect(historyLine(message({ content: 'Sounds good!' }))).toMatch(/ {3}Sounds good!$/);
    const exactly = 'y'.repeat(HISTORY_TEXT_CHARS);
    expect(historyLine(message({ content: exactly }))).toMatch(new RegExp(`${exactly}$`));
  });

  it('cuts between whole characters: an emoji of several code points is kept or left out whole', () => {
    const family = '👨‍👩‍👧'; // 5 code points
    const cut = cutText(`${'a'.repeat(8)}${family}tail`, 10);
    expect(cut).toBe(`${'a'.repeat(8)}… [+9 characters]`);
    expect(characterCount(cutText('é'.repeat(30), 10).split('…')[0]!)).toBe(10);
  });

  it('media: the kept copy when the read API has one, else the link Sendblue sent', () => {
    const media_url = 'https://cdn.sendblue.co/x/IMG_1.jpg';
    const copy = 'http://127.0.0.1:9324/sendblue-groups-media/media/g-1/m-1/IMG_1.jpg?X-Amz-Signature=abc';
    expect(historyLine(message({ media_url, media_archive_url: copy }))).toMatch(
      new RegExp(`← \\+15551230001 {3}\\[media \\(kept copy\\) ${copy.replace(/[?.]/g, '\\$&')}\\]$`),
    );
    expect(historyLine(message({ content: 'Look', media_url, media_archive_url: null }))).toMatch(
      /Look \[media https:\/\/cdn\.sendblue\.co\/x\/IMG_1\.jpg\]$/,
    );
  });
});

describe('what a command is called', () => {
  const view = (type: string, state = 'sent'): CommandView =>
    ({
      command_id: 'c-1',
      type,
      state,
      group_id: 'g-1',
      message_handle: null,
      error: null,
      fingerprint: null,
      refused_reuses: [],
      failures: 0,
      next_attempt_at: null,
      outage_since: null,
      updated_at: null,
    }) as CommandView;
  const hint = (...args: string[]) => args.join(' ');

  it('in words, not the type; the command that queued it says which change', () => {
    expect(commandKind('send_group_message')).toBe('group message');
    expect(commandKind('modify_group')).toBe('group change');
    expect(commandKind('send_reaction')).toBe('tapback');
    expect(commandLines(view('modify_group'), hint)[0]).toBe('command c-1: sent ✓ (group change)');
    expect(commandLines(view('modify_group'), hint, 'rename group')[0]).toBe('command c-1: sent ✓ (rename group)');
    expect(commandLines(view('send_group_message', 'failed'), hint)[0]).toBe('command c-1: failed ✗ (group message)');
  });
});
