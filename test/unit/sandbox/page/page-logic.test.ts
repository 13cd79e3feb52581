/**
 * The sandbox page's plain logic (sandbox/page/page-logic.ts), without a browser: titles, previews,
 * time labels, change lines and the order of a conversation. The page runs these very functions
 * from their source (PAGE_LOGIC_SCRIPT); the last test runs that source as the page does.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  buildTimeline,
  changeTexts,
  failedAction,
  failedWord,
  memberLine,
  groupTitle,
  PAGE_LOGIC_SCRIPT,
  pausedLinesOf,
  pausedLineText,
  previewText,
  tapbackMarks,
  timeLabel,
  type PageFailedCommand,
  type PagePausedLine,
} from '../../../../sandbox/page/page-logic.js';

const failed = (overrides: Partial<PageFailedCommand> = {}): PageFailedCommand => ({
  command_id: 'c-1',
  type: 'send_group_message',
  group_id: 'g-1',
  numbers: null,
  content: 'hi',
  media_url: null,
  modify_type: null,
  number: null,
  name: null,
  message_handle: null,
  reaction: null,
  reason: 'Sendblue refused to send the message: HTTP 400: bad number',
  at: '2026-03-02T10:00:00.000Z',
  ...overrides,
});

describe('groupTitle', () => {
  it('is the name when there is one, else the members, never the id', () => {
    expect(groupTitle('Weekend plans', ['+15551230001'])).toBe('Weekend plans');
    expect(groupTitle('  ', ['+15551230001', '+15551230002'])).toBe('+15551230001, +15551230002');
    expect(groupTitle(null, ['+15551230001', '+15551230002', '+15551230003'])).toBe(
      '+15551230001, +15551230002, +15551230003',
    );
    expect(groupTitle(null, ['+15551230001', '+15551230002', '+15551230003', '+15551230004'])).toBe(
      '+15551230001, +15551230002 and 2 more',
    );
    expect(groupTitle(undefined, [])).toBe('Unnamed group');
    // Our own line is a member of every group: not worth a place in the title.
    expect(groupTitle(null, ['+15550000000', '+15551230001', '+15551230002'], ['+15550000000'])).toBe(
      '+15551230001, +15551230002',
    );
  });
});

describe('previewText', () => {
  it('is the sender, short, and the first 60 characters of the text on one line', () => {
    expect(previewText({ message_handle: 'm', direction: 'outbound', content: 'Hello group' })).toBe(
      'You: Hello group',
    );
    const long = `Line one\n${'x'.repeat(80)}`;
    const preview = previewText({
      message_handle: 'm',
      direction: 'inbound',
      from_number: '+15551230002',
      content: long,
    });
    expect(preview.startsWith('…0002: Line one x')).toBe(true);
    expect(preview.endsWith('…')).toBe(true);
    expect(preview.length).toBe('…0002: '.length + 60);
  });

  it('says [media] for a message with only media, and when there is no message', () => {
    expect(
      previewText({
        message_handle: 'm',
        direction: 'inbound',
        from_number: '+15551230003',
        media_url: 'https://x/y.png',
      }),
    ).toBe('…0003: [media]');
    expect(previewText(null)).toBe('No messages yet');
  });
});

describe('timeLabel', () => {
  // Local times (the page labels in the viewer's time zone), built as the test's zone has them.
  const now = new Date(2026, 2, 4, 15, 30).getTime(); // Wed 4 Mar 2026, 15:30
  const at = (...parts: [number, number, number, number, number]) => new Date(...parts).toISOString();

  it('shows only the time today, "Yesterday" before, the day and date this year, the year before', () => {
    expect(timeLabel(at(2026, 2, 4, 9, 5), now)).toBe('09:05');
    expect(timeLabel(at(2026, 2, 3, 23, 59), now)).toBe('Yesterday 23:59');
    expect(timeLabel(at(2026, 2, 2, 8, 0), now)).toBe('Mon 2 Mar 08:00');
    expect(timeLabel(at(2025, 10, 30, 18, 45), now)).toBe('30 Nov 2025 18:45');
  });

  it('is empty for no date or one that is not a date', () => {
    expect(timeLabel(null, now)).toBe('');
    expect(timeLabel('not a date', now)).toBe('');
  });
});

describe('change lines and failed commands', () => {
  it('says who was added or removed and the new name', () => {
    expect(
      changeTexts({ at: 'x', added: ['+15551230003'], removed: ['+15551230001'], renamed: { to: 'Weekend plans' } }),
    ).toEqual(['+15551230003 was added', '+15551230001 was removed', 'renamed to Weekend plans']);
    expect(changeTexts({ at: 'x', added: [], removed: [], renamed: { to: null } })).toEqual(['the name was removed']);
  });

  it('names what a failed command meant to do', () => {
    expect(failedAction(failed())).toBe('message');
    expect(failedAction(failed({ type: 'modify_group', modify_type: 'add_recipient', number: '+15551230004' }))).toBe(
      'add +15551230004',
    );
    expect(failedAction(failed({ type: 'modify_group', modify_type: 'rename', name: 'Team' }))).toBe('rename to Team');
    expect(failedAction(failed({ type: 'send_reaction', message_handle: 'm-1', reaction: 'love' }))).toBe(
      'tap back love',
    );
    expect(failedAction(failed({ type: 'set_contact_opt', number: '+15550000000' }))).toBe(
      'opt +15550000000 out or in',
    );
  });
});

describe('tapbackMarks', () => {
  const marks = { love: '❤️', like: '👍' };
  it('one mark per kind in the order first given, a count when several, who gave it in the tooltip', () => {
    expect(
      tapbackMarks(
        [
          { reaction: 'like', from_number: '+15551230002', direction: 'inbound' },
          { reaction: 'love', from_number: '+15550000000', direction: 'outbound', part_index: 0 },
          { reaction: 'like', from_number: '+15551230003', direction: 'inbound', part_index: 2 },
          { reaction: 'question', from_number: null, direction: 'inbound' },
        ],
        marks,
      ),
    ).toEqual([
      { reaction: 'like', mark: '👍', count: 2, who: 'like: +15551230002, +15551230003 (part 2)' },
      { reaction: 'love', mark: '❤️', count: 1, who: 'love: you' },
      { reaction: 'question', mark: 'question', count: 1, who: 'question: someone' },
    ]);
    expect(tapbackMarks(undefined, marks)).toEqual([]);
    expect(tapbackMarks([], marks)).toEqual([]);
  });
});

describe('buildTimeline', () => {
  it('orders messages, failed commands and changes by time; a change first when it came with a message', () => {
    const message = (handle: string, at: string) => ({ message_handle: handle, direction: 'inbound', date_sent: at });
    const timeline = buildTimeline(
      [message('m1', '2026-03-02T09:00:00.000Z'), message('m2', '2026-03-02T11:00:00.000Z')],
      [failed({ at: '2026-03-02T10:00:00.000Z' })],
      [
        { at: '2026-03-02T11:00:00.000Z', added: ['+15551230003'], removed: [] },
        { at: '2026-03-02T09:30:00.000Z', added: [], removed: [], renamed: { to: 'A' } },
      ],
    );
    expect(timeline.map((entry) => `${entry.kind}@${entry.at.slice(11, 16)}`)).toEqual([
      'message@09:00',
      'change@09:30',
      'failed@10:00',
      'change@11:00',
      'message@11:00',
    ]);
  });
});

describe('a line paused by a Sendblue outage', () => {
  const paused = (line: string, overrides: Partial<PagePausedLine> = {}): PagePausedLine => ({
    line,
    since: new Date(2026, 2, 4, 14, 3).toISOString(),
    reason: 'could not reach Sendblue to send the group message (ECONNREFUSED)',
    probe_every_s: 8,
    next_probe_at: null,
    ...overrides,
  });
  const now = new Date(2026, 2, 4, 14, 10).getTime();

  it('says which line, since when, why, that messages wait, and how often it is checked', () => {
    expect(pausedLineText(paused('+15550000000'), now)).toBe(
      'Sendblue unreachable from +15550000000 since 14:03 (could not reach Sendblue to send the group message (ECONNREFUSED)): messages wait and go out once it answers; checking every 8 s',
    );
    expect(pausedLineText(paused('+15550000000', { reason: null, probe_every_s: 0 }), now)).toBe(
      'Sendblue unreachable from +15550000000 since 14:03: messages wait and go out once it answers',
    );
  });

  it("is shown on a group whose line it is: one of our lines among its members, else the sandbox's own", () => {
    const own = ['+15550000000', '+15550000001'];
    const all = [paused('+15550000000'), paused('+15550000001')];
    expect(pausedLinesOf(all, ['+15551230001', '+15550000001'], own).map((p) => p.line)).toEqual(['+15550000001']);
    expect(pausedLinesOf(all, ['+15551230001'], own).map((p) => p.line)).toEqual(['+15550000000']);
    expect(pausedLinesOf([paused('+15550000001')], ['+15551230001', '+15550000000'], own)).toEqual([]);
    expect(pausedLinesOf([], ['+15550000000'], own)).toEqual([]);
  });
});

describe('PAGE_LOGIC_SCRIPT (what the page runs)', () => {
  it('declares the same functions, runnable as plain JavaScript, with the same answers', () => {
    const page = runInNewContext(
      `${PAGE_LOGIC_SCRIPT}; ({ groupTitle, previewText, timeLabel, changeTexts, failedAction, tapbackMarks, buildTimeline, pausedLineText, pausedLinesOf })`,
    ) as Record<string, (...args: unknown[]) => unknown>;
    const members = ['+15551230001', '+15551230002', '+15551230003', '+15551230004'];
    expect(page.groupTitle!(null, members)).toBe(groupTitle(null, members));
    const inbound = { message_handle: 'm', direction: 'inbound', from_number: '+15551230002', content: 'x'.repeat(90) };
    expect(page.previewText!(inbound)).toBe(previewText(inbound));
    const now = Date.UTC(2026, 2, 4, 12);
    expect(page.timeLabel!('2026-03-01T08:00:00.000Z', now)).toBe(timeLabel('2026-03-01T08:00:00.000Z', now));
    const change = { at: 'x', added: ['+15551230003'], removed: [], renamed: { to: 'B' } };
    expect(page.changeTexts!(change)).toEqual(changeTexts(change));
    const reactions = [{ reaction: 'love', from_number: '+15551230002', direction: 'inbound' }];
    expect(page.tapbackMarks!(reactions, { love: '❤️' })).toEqual(tapbackMarks(reactions, { love: '❤️' }));
    expect(JSON.stringify(page.buildTimeline!([inbound], [failed()], [change]))).toBe(
      JSON.stringify(buildTimeline([inbound], [failed()], [change])),
    );
    const pause: PagePausedLine = {
      line: '+15550000000',
      since: '2026-03-04T11:00:00.000Z',
      reason: 'HTTP 503',
      probe_every_s: 4,
      next_probe_at: null,
    };
    expect(page.pausedLineText!(pause, now)).toBe(pausedLineText(pause, now));
    expect(JSON.stringify(page.pausedLinesOf!([pause], ['+15551230001'], ['+15550000000']))).toBe(
      JSON.stringify([pause]),
    );
  });
});

describe('opted-out members and refused commands (issue 19)', () => {
  it('marks each opted-out member in the header line, and only them', () => {
    expect(memberLine(['+15551230001', '+15551230002', '+15550000000'], ['+15551230002'])).toBe(
      '+15551230001, +15551230002 ⊘ opted out, +15550000000',
    );
    expect(memberLine(['+15551230001'])).toBe('+15551230001');
    expect(memberLine([], ['+15551230001'])).toBe('');
  });

  it('names a pre-flight refusal "refused", anything else "failed"', () => {
    expect(failedWord('refused before calling Sendblue (already_a_member): +15551230001 is already in the group')).toBe(
      'refused',
    );
    expect(failedWord('Sendblue refused it (HTTP 400): refused')).toBe('failed');
    expect(failedWord(null)).toBe('failed');
  });
});
