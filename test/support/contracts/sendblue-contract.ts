/**
 * The sender's Sendblue port (`SendblueApi`) as a contract, run against the real client over HTTP
 * on the simulator (test/unit/lambdas/adapters/sendblue-client.test.ts) and against the in-memory
 * Sendblue of the fast loop (test/unit/support/in-memory/sendblue.test.ts): the same answers, the
 * same refusals, and each fault kind turned into the same error (kind, status, reason), with or
 * without the call having taken effect. `CASES` needs an entry per method of the port.
 */
import { describe, expect, it } from 'vitest';
import type { SendblueApi } from '../../../lambdas/sending/ports.js';
import { SendblueCallError } from '../../../lambdas/sending/sendblue-errors.js';
import type { Fault, FaultKind, SimGroup, SimMessage } from '../../../sandbox/sendblue-simulator/types.js';

export const CONTRACT_LINE = '+15550002000';
/** The Retry-After both implementations are set to send with a 429. */
export const CONTRACT_RETRY_AFTER_SECONDS = 3;

/** A Sendblue to test: the port, and what a test of the simulator can see and do. */
export interface SendblueUnderTest {
  api: SendblueApi;
  createGroup(members: string[], name?: string): SimGroup;
  injectFault(fault: Fault): void;
  sentMessages(): SimMessage[];
  group(id: string): SimGroup | undefined;
  /** Switches one of the account's lines ONLINE / DEGRADED / OFFLINE (the simulator's control). */
  setLineState(line: string, status: 'ONLINE' | 'DEGRADED' | 'OFFLINE'): void;
  /** Lets `ms` pass (really, or on a virtual clock), so that later messages are dated later. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

type Case = [title: string, run: (s: SendblueUnderTest) => Promise<void>];

let numbers = 0;
/** Numbers no other case uses (the simulator finds a group by its members). */
const members = (count: number) =>
  Array.from({ length: count }, () => `+1555${String(4_000_000 + (numbers += 1)).padStart(7, '0')}`);

const send = (s: SendblueUnderTest, target: { group_id?: string; numbers?: string[] }, content = 'hello') =>
  s.api.sendGroupMessage({
    ...target,
    content,
    from_number: CONTRACT_LINE,
    status_callback: 'https://stack.example/webhooks/status?token=t',
  });

async function failure(call: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SendblueCallError);
  const { kind, status, retryAfterSeconds, reason } = error as SendblueCallError;
  return { kind, status, retryAfterSeconds, reason };
}

/**
 * No answer: the connection's error code (undici's UND_ERR_SOCKET for a cut) is not always there
 * (a loaded machine may reach the timeout first), so only what the sender reads is fixed.
 */
const NO_ANSWER = expect.stringMatching(/^no answer from Sendblue to send the group message: connection failed/);

const SEND_FAULTS: Array<[FaultKind, Record<string, unknown>, number]> = [
  [
    '500',
    {
      kind: 'unclear',
      status: 500,
      reason: 'Sendblue refused to send the group message: HTTP 500: Internal server error (simulated)',
    },
    0,
  ],
  [
    '503',
    {
      kind: 'unclear',
      status: 503,
      reason: 'Sendblue refused to send the group message: HTTP 503: Service temporarily unavailable (simulated)',
    },
    0,
  ],
  [
    '429',
    {
      kind: 'throttled',
      status: 429,
      retryAfterSeconds: CONTRACT_RETRY_AFTER_SECONDS,
      reason: 'Sendblue refused to send the group message: HTTP 429: Too many requests (simulated)',
    },
    0,
  ],
  [
    '400',
    {
      kind: 'rejected',
      status: 400,
      reason: 'Sendblue refused to send the group message: HTTP 400: Bad request (simulated)',
    },
    0,
  ],
  [
    'cut',
    {
      kind: 'unclear',
      reason: NO_ANSWER,
    },
    0,
  ],
  ['hang', { kind: 'unclear', reason: NO_ANSWER }, 0],
  [
    'accept-then-cut',
    {
      kind: 'unclear',
      reason: NO_ANSWER,
    },
    1,
  ],
  ['accept-then-hang', { kind: 'unclear', reason: NO_ANSWER }, 1],
];

const CASES: { [Method in keyof SendblueApi]: Case[] } = {
  sendGroupMessage: [
    [
      'sends to a group and answers the message Sendblue stored',
      async (s) => {
        const people = members(3);
        const group = s.createGroup(people);
        const message = await send(s, { group_id: group.group_id }, 'hi 👋🏽');
        const stored = s.sentMessages().find((m) => m.message_handle === message.message_handle);
        expect(stored).toMatchObject({ group_id: group.group_id, content: 'hi 👋🏽', from_number: CONTRACT_LINE });
        expect(message).toEqual({
          message_handle: stored!.message_handle,
          group_id: group.group_id,
          is_outbound: true,
          status: 'QUEUED',
          content: 'hi 👋🏽',
          from_number: CONTRACT_LINE,
          date_sent: stored!.date_sent,
          date_created: stored!.date_created,
          date_updated: stored!.date_updated,
          recipients: people,
        });
      },
    ],
    [
      'makes a group for new numbers once, and sends there again for the same numbers',
      async (s) => {
        const people = members(2);
        const first = await send(s, { numbers: people });
        const second = await send(s, { numbers: [...people].reverse() });
        expect(first.group_id).toEqual(expect.any(String));
        expect(second.group_id).toBe(first.group_id);
        expect(s.group(first.group_id!)?.members).toEqual(people);
      },
    ],
    [
      'refuses what Sendblue refuses, sending nothing',
      async (s) => {
        const before = s.sentMessages().length;
        expect(await failure(send(s, { group_id: 'sb_group_none' }))).toEqual({
          kind: 'rejected',
          status: 404,
          reason: 'Sendblue refused to send the group message: HTTP 404: Group sb_group_none not found',
        });
        const group = s.createGroup(members(2));
        expect(await failure(send(s, { group_id: group.group_id }, ''))).toMatchObject({
          kind: 'rejected',
          status: 400,
        });
        expect(s.sentMessages()).toHaveLength(before);
      },
    ],
    ...SEND_FAULTS.map(
      ([kind, expected, accepted]): Case => [
        `turns a ${kind} into ${expected.kind} (${accepted ? 'sent all the same' : 'nothing sent'})`,
        async (s) => {
          const group = s.createGroup(members(2));
          s.injectFault({ kind, route: 'send' });
          expect(await failure(send(s, { group_id: group.group_id }, `fault ${kind}`))).toEqual({
            retryAfterSeconds: undefined,
            status: undefined,
            ...expected,
          });
          expect(s.sentMessages().filter((m) => m.content === `fault ${kind}`)).toHaveLength(accepted);
        },
      ],
    ),
  ],
  modifyGroup: [
    [
      'adds and removes members, and refuses a change that changes nothing',
      async (s) => {
        const people = members(3);
        const [added] = members(1);
        const group = s.createGroup(people);
        const change = (modify_type: 'add_recipient' | 'remove_recipient', number: string) =>
          s.api.modifyGroup({ group_id: group.group_id, modify_type, number, from_number: CONTRACT_LINE });
        await change('add_recipient', added!);
        expect(s.group(group.group_id)?.members).toEqual([...people, added]);
        expect(await failure(change('add_recipient', added!))).toEqual({
          kind: 'rejected',
          status: 400,
          reason:
            'Sendblue refused to add recipient in the group: HTTP 400: number is already a member of the group; nothing changed',
          retryAfterSeconds: undefined,
        });
        await change('remove_recipient', people[0]!);
        expect(s.group(group.group_id)?.members).toEqual([people[1], people[2], added]);
        s.injectFault({ kind: 'accept-then-cut', route: 'modify' });
        expect(await failure(change('remove_recipient', people[1]!))).toMatchObject({ kind: 'unclear' });
        expect(s.group(group.group_id)?.members).toEqual([people[2], added]);
      },
    ],
  ],
  renameGroup: [
    [
      'renames a group; an unknown group is refused',
      async (s) => {
        const group = s.createGroup(members(2));
        await s.api.renameGroup(group.group_id, 'Trip ✈️', CONTRACT_LINE);
        expect(s.group(group.group_id)?.name).toBe('Trip ✈️');
        expect(await failure(s.api.renameGroup('sb_group_none', 'x'))).toMatchObject({ kind: 'rejected', status: 404 });
        s.injectFault({ kind: '500', route: 'rename' });
        expect(await failure(s.api.renameGroup(group.group_id, 'Later'))).toMatchObject({
          kind: 'unclear',
          status: 500,
        });
        expect(s.group(group.group_id)?.name).toBe('Trip ✈️');
      },
    ],
  ],
  sendReaction: [
    [
      'reacts to a message (kept on it); an unknown handle and an unknown reaction are refused; a fault is as a send’s',
      async (s) => {
        const group = s.createGroup(members(2));
        const sent = await send(s, { group_id: group.group_id }, 'react to me');
        const handle = sent.message_handle!;
        const react = (reaction: string, message_handle = handle, part_index?: number) =>
          s.api.sendReaction({
            from_number: CONTRACT_LINE,
            message_handle,
            reaction: reaction as 'love',
            ...(part_index === undefined ? {} : { part_index }),
          });
        await react('love');
        await react('laugh', handle, 1);
        const kept = s.sentMessages().find((m) => m.message_handle === handle)?.reactions;
        expect(kept?.map(({ reaction, from_number, part_index }) => ({ reaction, from_number, part_index }))).toEqual([
          { reaction: 'love', from_number: CONTRACT_LINE, part_index: 0 },
          { reaction: 'laugh', from_number: CONTRACT_LINE, part_index: 1 },
        ]);
        expect(await failure(react('love', 'no-such-handle'))).toMatchObject({ kind: 'rejected', status: 404 });
        expect(await failure(react('wave'))).toMatchObject({ kind: 'rejected', status: 400 });
        s.injectFault({ kind: '503', route: 'react' });
        expect(await failure(react('like'))).toMatchObject({ kind: 'unclear', status: 503 });
        s.injectFault({ kind: 'accept-then-cut', route: 'react' });
        expect(await failure(react('question'))).toMatchObject({ kind: 'unclear' });
        expect(
          s
            .sentMessages()
            .find((m) => m.message_handle === handle)
            ?.reactions?.map((r) => r.reaction),
        ).toEqual(['love', 'laugh', 'question']);
      },
    ],
  ],
  getGroup: [
    [
      'reads a group’s members and name; an unknown group is undefined; a failed read throws',
      async (s) => {
        const people = members(3);
        const group = s.createGroup(people, 'Team');
        expect(await s.api.getGroup(group.group_id)).toEqual({ members: people, name: 'Team' });
        expect(await s.api.getGroup('sb_group_none')).toBeUndefined();
        s.injectFault({ kind: '429', route: 'read' });
        expect(await failure(s.api.getGroup(group.group_id))).toMatchObject({ kind: 'throttled', status: 429 });
        s.injectFault({ kind: 'hang', route: 'read' });
        expect(await failure(s.api.getGroup(group.group_id))).toMatchObject({ kind: 'unclear' });
      },
    ],
  ],
  getMessage: [
    [
      'reads a message by its handle, with its participants; an unknown handle is undefined',
      async (s) => {
        const people = members(2);
        const group = s.createGroup(people);
        const sent = await send(s, { group_id: group.group_id }, 'look me up');
        const message = await s.api.getMessage(sent.message_handle!);
        expect(message).toMatchObject({
          message_handle: sent.message_handle,
          group_id: group.group_id,
          content: 'look me up',
          is_outbound: true,
          participants: [...people, CONTRACT_LINE],
          recipients: [...people, CONTRACT_LINE],
        });
        expect(await s.api.getMessage('no-such-handle')).toBeUndefined();
      },
    ],
  ],
  outboundSince: [
    [
      'lists the outbound messages since a time, oldest first, narrowed to a group and a line',
      async (s) => {
        const group = s.createGroup(members(2));
        const other = s.createGroup(members(2));
        await send(s, { group_id: group.group_id }, 'before');
        await s.advance(20);
        const since = new Date(
          Date.parse((await send(s, { group_id: other.group_id }, 'mark')).date_created!),
        ).toISOString();
        await s.advance(5);
        for (const content of ['one', 'two']) await send(s, { group_id: group.group_id }, content);
        const pages = [];
        for await (const page of s.api.outboundSince({ since, group_id: group.group_id, from_number: CONTRACT_LINE }))
          pages.push(page.map((m) => m.content));
        expect(pages).toEqual([['one', 'two']]);
        const all = [];
        for await (const page of s.api.outboundSince({ since })) all.push(...page.map((m) => m.content));
        expect(all.slice(all.indexOf('mark'))).toEqual(['mark', 'one', 'two']);
        expect(all).not.toContain('before');
      },
    ],
    [
      'reads every page of a long window, and a failed page throws after the pages before it',
      async (s) => {
        const group = s.createGroup(members(2));
        const since = new Date(Date.now() - 86_400_000 * 365).toISOString();
        for (let i = 0; i < 105; i += 1) await send(s, { group_id: group.group_id }, `bulk ${i}`);
        const sizes = [];
        for await (const page of s.api.outboundSince({ since, group_id: group.group_id })) sizes.push(page.length);
        expect(sizes).toEqual([100, 5]);
        s.injectFault({ kind: '500', route: 'read', after: 1 });
        const seen: number[] = [];
        const error = await (async () => {
          for await (const page of s.api.outboundSince({ since, group_id: group.group_id })) seen.push(page.length);
        })().catch((thrown: unknown) => thrown);
        expect(seen).toEqual([100]);
        expect(error).toMatchObject({ kind: 'unclear', status: 500 });
      },
    ],
  ],
  getLineStates: [
    [
      'lists each line with its status, and a line switched OFFLINE as OFFLINE with when it changed',
      async (s) => {
        const first = await s.api.getLineStates();
        expect(first.find((report) => report.line === CONTRACT_LINE)).toEqual({
          line: CONTRACT_LINE,
          status: 'ONLINE',
        });
        s.setLineState(CONTRACT_LINE, 'OFFLINE');
        const after = await s.api.getLineStates();
        expect(after.find((report) => report.line === CONTRACT_LINE)).toEqual({
          line: CONTRACT_LINE,
          status: 'OFFLINE',
          changedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        });
      },
    ],
    [
      'a failed read is thrown with its kind (a 503 is unclear, as any call)',
      async (s) => {
        s.injectFault({ kind: '503', route: 'read' });
        expect(await failure(s.api.getLineStates())).toMatchObject({
          kind: 'unclear',
          status: 503,
          reason: expect.stringContaining('read the lines’ state: HTTP 503'),
        });
      },
    ],
  ],
  getLineUsage: [
    [
      'counts the new contacts a send made on its line (the quota off: enabled false, nothing refused)',
      async (s) => {
        const before = (await s.api.getLineUsage()).find((report) => report.line === CONTRACT_LINE);
        expect(before).toMatchObject({
          line: CONTRACT_LINE,
          state: 'available',
          enabled: false,
          hourly: { used: 0, limit: 15, remaining: 15 },
          daily: { used: 0, limit: 50, remaining: 50, resetsAt: expect.any(String) },
        });
        expect(before?.availableAt).toBeUndefined();
        await send(s, { numbers: members(3) });
        const after = (await s.api.getLineUsage()).find((report) => report.line === CONTRACT_LINE);
        expect(after).toMatchObject({
          hourly: { used: 3, remaining: 12, nextSlotAt: expect.any(String) },
          daily: { used: 3, remaining: 47 },
        });
      },
    ],
  ],
};

/** Registers the contract's cases for one implementation; `make` builds a fresh Sendblue per case. */
export function sendblueContract(name: string, make: () => Promise<SendblueUnderTest>): void {
  describe(`the Sendblue port: ${name}`, () => {
    for (const [method, cases] of Object.entries(CASES)) {
      describe(method, () => {
        for (const [title, test] of cases) {
          it(title, async () => {
            const subject = await make();
            try {
              await test(subject);
            } finally {
              await subject.close();
            }
          });
        }
      });
    }
  });
}
