/**
 * The table's ports as a contract, written once and run against every implementation: the
 * DynamoDB adapters on DynamoDB Local (test/integration/lambdas/adapters/table-store.test.ts) and
 * the in-memory table of the fast loop (test/unit/support/in-memory/table.test.ts). Same calls,
 * same answers, same items, especially the conditional writes: who wins a claim, what a finish
 * with a lost lease does, what a restart clears, what repeats change, which status wins when a
 * webhook and the sender write the same message.
 *
 * `CASES` has an entry per method of the ports (its type requires one): a method added to a port
 * breaks `tsc` here until it has cases, and both implementations must then pass them.
 */
import { describe, expect, it } from 'vitest';
import { MAX_REACTIONS_PER_MESSAGE } from '../../../lambdas/contract/reactions.js';
import type { PacingSettings } from '../../../lambdas/sending/line-pacing.js';
import type { ClaimRequest } from '../../../lambdas/sending/ports.js';
import type { WebhookEvent } from '../../../lambdas/webhooks/webhook-payload.js';
import type { TablePorts } from '../in-memory/table.js';

/** What each case gets: the store, its clock (the store's `now`), and ids no other case uses. */
export interface TableContext {
  store: TablePorts;
  clock: { nowMs(): number; advance(ms: number): void };
  id(label: string): string;
}

type Case = [title: string, run: (t: TableContext) => Promise<void>];

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
/** The ledger's TTL: 30 days (COMMAND_QUEUE_SETTINGS.ledgerRetentionDays) from the write. */
const expiresAt = (ms: number) => Math.floor(ms / 1000) + 30 * 86_400;
const entryKey = (id: string) => ({ PK: `CMD#${id}`, SK: 'CMD', command_id: id });

const claimOf = (id: string, extra: Partial<ClaimRequest> = {}): ClaimRequest => ({
  commandId: id,
  type: 'send_group_message',
  fingerprint: 'fp-a',
  groupId: `group-${id}`,
  leaseMs: 1_000,
  ...extra,
});

/** Claims and ends an attempt in `state`: the entry most cases start from. */
async function entryIn(
  t: TableContext,
  id: string,
  state: 'queued' | 'unknown' | 'sent' | 'failed',
  fingerprint = 'fp-a',
) {
  const claim = await t.store.claimCommand(claimOf(id, { fingerprint }));
  if (!claim.claimed) throw new Error(`${id} was not claimed`);
  expect(await t.store.finishCommand(id, claim.leaseId, { state, commandJson: '{"body":1}' })).toBe(true);
}

const status = (handle: string, value: string, extra: Partial<WebhookEvent> = {}): WebhookEvent => ({
  messageHandle: handle,
  direction: 'outbound',
  status: value,
  groupId: 'group-s',
  dateSent: iso(T0),
  dateUpdated: iso(T0 + 5_000),
  extra: {},
  ...extra,
});

const outbound = (handle: string, extra: Record<string, unknown> = {}) => ({
  messageHandle: handle,
  groupId: 'group-o',
  commandId: `cmd-${handle}`,
  status: 'QUEUED',
  content: 'hello 👋🏽',
  fromNumber: '+15550001000',
  dateSent: iso(T0),
  participants: ['+15551230001', '+15550001000'],
  relayUrl: 'https://producer.example/status',
  ...extra,
});

const PACING: PacingSettings = {
  ratePerSecond: 1,
  burst: 3,
  maxInProcessWaitMs: 2_000,
  horizonMs: 10_000,
  slotGraceMs: 5_000,
  throttlePauseMs: 2_000,
  jitterMarginMs: 0,
};

const CLAIMS: Case[] = [
  [
    'claims a new command: `sending`, a lease, one attempt',
    async (t) => {
      const id = t.id('new');
      const claim = await t.store.claimCommand(claimOf(id));
      expect(claim).toEqual({ claimed: true, leaseId: expect.any(String), previous: undefined, restarted: false });
      expect(await t.store.getCommand(id)).toEqual({
        ...entryKey(id),
        type: 'send_group_message',
        state: 'sending',
        lease_id: claim.claimed && claim.leaseId,
        lease_until: T0 + 1_000,
        updated_at: iso(T0),
        created_at: iso(T0),
        first_attempt_at: iso(T0),
        expires_at: expiresAt(T0),
        group_id: `group-${id}`,
        fingerprint: 'fp-a',
        attempts: 1,
      });
    },
  ],
  [
    'refuses a live lease and answers the entry as it stands',
    async (t) => {
      const id = t.id('live');
      await t.store.claimCommand(claimOf(id));
      t.clock.advance(999);
      const second = await t.store.claimCommand(claimOf(id));
      expect(second).toEqual({ claimed: false, current: await t.store.getCommand(id) });
      expect(second.claimed === false && second.current.state).toBe('sending');
    },
  ],
  [
    'gives an expired lease to the next delivery, which sees the entry it took over',
    async (t) => {
      const id = t.id('expired');
      const first = await t.store.claimCommand(claimOf(id));
      const before = await t.store.getCommand(id);
      t.clock.advance(1_001);
      const second = await t.store.claimCommand(claimOf(id, { groupId: undefined }));
      expect(second).toEqual({ claimed: true, leaseId: expect.any(String), previous: before, restarted: false });
      expect(second.claimed && first.claimed && second.leaseId !== first.leaseId).toBe(true);
      expect(await t.store.getCommand(id)).toMatchObject({
        state: 'sending',
        attempts: 2,
        lease_until: T0 + 2_001,
        created_at: iso(T0),
        first_attempt_at: iso(T0),
        updated_at: iso(T0 + 1_001),
        // A claim without a group keeps the one an earlier claim wrote.
        group_id: `group-${id}`,
      });
    },
  ],
  [
    'claims `queued` and `unknown` entries again, never `sent` or `failed`',
    async (t) => {
      for (const state of ['queued', 'unknown'] as const) {
        const id = t.id(state);
        await entryIn(t, id, state);
        expect(await t.store.claimCommand(claimOf(id))).toMatchObject({
          claimed: true,
          previous: { state, attempts: 1 },
        });
      }
      for (const state of ['sent', 'failed'] as const) {
        const id = t.id(state);
        await entryIn(t, id, state);
        const entry = await t.store.getCommand(id);
        expect(await t.store.claimCommand(claimOf(id))).toEqual({ claimed: false, current: entry });
      }
    },
  ],
  [
    'never lets a different command (fingerprint) claim an entry',
    async (t) => {
      const id = t.id('other');
      await entryIn(t, id, 'queued');
      const claim = await t.store.claimCommand(claimOf(id, { fingerprint: 'fp-b' }));
      expect(claim).toMatchObject({ claimed: false, current: { fingerprint: 'fp-a', state: 'queued' } });
      expect(await t.store.getCommand(id)).toMatchObject({ fingerprint: 'fp-a', attempts: 1 });
    },
  ],
  [
    'restarts a failed entry with a fresh budget, clearing what the failure left (its message id stays)',
    async (t) => {
      const id = t.id('restart');
      const claim = await t.store.claimCommand(claimOf(id));
      if (!claim.claimed) throw new Error('not claimed');
      await t.store.finishCommand(id, claim.leaseId, {
        state: 'failed',
        error: 'gave up',
        failures: 5,
        checkFailures: 2,
        lastFailure: 'HTTP 500',
        checkSince: iso(T0),
        messageHandle: 'handle-1',
        slot: { at: T0 + 500, line: '+15550001000' },
        nextAttemptAt: iso(T0 + 9_000),
        failedMessageId: 'sqs-message-1',
      });
      t.clock.advance(10);
      const restart = await t.store.claimCommand(claimOf(id, { restart: { sameCommandAllowed: true } }));
      expect(restart).toMatchObject({ claimed: true, restarted: true, previous: { state: 'failed', failures: 5 } });
      expect(await t.store.getCommand(id)).toEqual({
        ...entryKey(id),
        type: 'send_group_message',
        state: 'sending',
        lease_id: restart.claimed && restart.leaseId,
        lease_until: T0 + 1_010,
        updated_at: iso(T0 + 10),
        created_at: iso(T0),
        first_attempt_at: iso(T0 + 10),
        expires_at: expiresAt(T0 + 10),
        group_id: `group-${id}`,
        fingerprint: 'fp-a',
        attempts: 2,
        failures: 0,
        check_failures: 0,
        failed_message_id: 'sqs-message-1',
      });
    },
  ],
  [
    'restarts the same command only when allowed (a redrive); a different command may take a failed id',
    async (t) => {
      const id = t.id('same');
      await entryIn(t, id, 'failed');
      const refused = await t.store.claimCommand(claimOf(id, { restart: { sameCommandAllowed: false } }));
      expect(refused).toMatchObject({ claimed: false, current: { state: 'failed' } });
      const other = await t.store.claimCommand(
        claimOf(id, { fingerprint: 'fp-b', restart: { sameCommandAllowed: false } }),
      );
      expect(other).toMatchObject({ claimed: true, restarted: true });
      expect(await t.store.getCommand(id)).toMatchObject({ fingerprint: 'fp-b', state: 'sending' });
    },
  ],
  [
    'never restarts an entry that is not failed, nor one that does not exist',
    async (t) => {
      const id = t.id('sent');
      await entryIn(t, id, 'sent');
      const restart = claimOf(id, { restart: { sameCommandAllowed: true } });
      expect(await t.store.claimCommand(restart)).toMatchObject({ claimed: false, current: { state: 'sent' } });
      const missing = t.id('missing');
      expect(await t.store.claimCommand({ ...restart, commandId: missing })).toEqual({
        claimed: false,
        current: { command_id: missing, type: 'send_group_message', state: 'sending' },
      });
      expect(await t.store.getCommand(missing)).toBeUndefined();
    },
  ],
  [
    'lets the sweep (onlyUnsettled) claim only `unknown` or an expired lease of the same command',
    async (t) => {
      const sweep = (id: string, extra: Partial<ClaimRequest> = {}) =>
        t.store.claimCommand(claimOf(id, { onlyUnsettled: true, ...extra }));
      const queued = t.id('queued');
      await entryIn(t, queued, 'queued');
      expect((await sweep(queued)).claimed).toBe(false);
      const unknown = t.id('unknown');
      await entryIn(t, unknown, 'unknown');
      expect((await sweep(unknown, { fingerprint: 'fp-b' })).claimed).toBe(false);
      expect(await sweep(unknown)).toMatchObject({ claimed: true, previous: { state: 'unknown' } });
      const abandoned = t.id('abandoned');
      await t.store.claimCommand(claimOf(abandoned));
      expect((await sweep(abandoned)).claimed).toBe(false);
      t.clock.advance(1_001);
      expect(await sweep(abandoned)).toMatchObject({ claimed: true, previous: { state: 'sending' } });
      const missing = t.id('missing');
      expect(await sweep(missing)).toEqual({
        claimed: false,
        current: { command_id: missing, type: 'send_group_message', state: 'sending' },
      });
      expect(await t.store.getCommand(missing)).toBeUndefined();
    },
  ],
];

const FINISHES: Case[] = [
  [
    'writes nothing for a lease that is no longer the entry’s (and answers false)',
    async (t) => {
      const id = t.id('stale');
      const first = await t.store.claimCommand(claimOf(id));
      t.clock.advance(1_001);
      const second = await t.store.claimCommand(claimOf(id));
      if (!first.claimed || !second.claimed) throw new Error('not claimed');
      const before = await t.store.getCommand(id);
      expect(await t.store.finishCommand(id, first.leaseId, { state: 'sent', messageHandle: 'late' })).toBe(false);
      expect(await t.store.getCommand(id)).toEqual(before);
      expect(await t.store.finishCommand(id, second.leaseId, { state: 'sent', messageHandle: 'h' })).toBe(true);
      expect(await t.store.finishCommand(id, second.leaseId, { state: 'failed' })).toBe(false);
      expect(await t.store.finishCommand(t.id('none'), second.leaseId, { state: 'sent' })).toBe(false);
    },
  ],
  [
    'ends the attempt: the lease goes, the outcome and counts are written, absent values removed',
    async (t) => {
      const id = t.id('finish');
      let claim = await t.store.claimCommand(claimOf(id));
      if (!claim.claimed) throw new Error('not claimed');
      t.clock.advance(20);
      await t.store.finishCommand(id, claim.leaseId, {
        state: 'queued',
        error: 'line busy',
        failures: 1,
        checkFailures: 0,
        lastFailure: 'HTTP 503',
        slot: { at: T0 + 4_000, line: '+15550001000' },
        nextAttemptAt: iso(T0 + 4_000),
      });
      expect(await t.store.getCommand(id)).toEqual({
        ...entryKey(id),
        type: 'send_group_message',
        state: 'queued',
        updated_at: iso(T0 + 20),
        created_at: iso(T0),
        first_attempt_at: iso(T0),
        expires_at: expiresAt(T0 + 20),
        group_id: `group-${id}`,
        fingerprint: 'fp-a',
        attempts: 1,
        error: 'line busy',
        failures: 1,
        check_failures: 0,
        last_failure: 'HTTP 503',
        slot_at: T0 + 4_000,
        slot_line: '+15550001000',
        next_attempt_at: iso(T0 + 4_000),
      });
      claim = await t.store.claimCommand(claimOf(id));
      if (!claim.claimed) throw new Error('not claimed');
      await t.store.finishCommand(id, claim.leaseId, {
        state: 'failed',
        error: 'HTTP 400',
        groupId: 'group-final',
        failedMessageId: 'sqs-1',
      });
      const failed = await t.store.getCommand(id);
      expect(failed).toMatchObject({
        state: 'failed',
        error: 'HTTP 400',
        group_id: 'group-final',
        failed_message_id: 'sqs-1',
        failures: 1,
        last_failure: 'HTTP 503',
      });
      for (const gone of ['lease_id', 'lease_until', 'slot_at', 'slot_line', 'next_attempt_at'])
        expect(failed).not.toHaveProperty(gone);
    },
  ],
  [
    'writes check_since once: a later finish keeps the first call’s time',
    async (t) => {
      const id = t.id('since');
      for (const since of [iso(T0), iso(T0 + 60_000)]) {
        const claim = await t.store.claimCommand(claimOf(id));
        if (!claim.claimed) throw new Error('not claimed');
        await t.store.finishCommand(id, claim.leaseId, { state: 'unknown', checkSince: since });
      }
      expect(await t.store.getCommand(id)).toMatchObject({ check_since: iso(T0) });
    },
  ],
  [
    'lists an `unknown` entry as unsettled with its body; any other state takes it off the list',
    async (t) => {
      const id = t.id('unsettled');
      let claim = await t.store.claimCommand(claimOf(id));
      if (!claim.claimed) throw new Error('not claimed');
      await t.store.finishCommand(id, claim.leaseId, { state: 'unknown', commandJson: '{"type":"x"}' });
      expect(await t.store.getCommand(id)).toMatchObject({
        state: 'unknown',
        command_json: '{"type":"x"}',
        GSI1PK: 'UNSETTLED',
        GSI1SK: `${iso(T0)}#${id}`,
      });
      claim = await t.store.claimCommand(claimOf(id));
      if (!claim.claimed) throw new Error('not claimed');
      // Still unknown, without a body: the one kept stays.
      await t.store.finishCommand(id, claim.leaseId, { state: 'unknown' });
      expect(await t.store.getCommand(id)).toMatchObject({ command_json: '{"type":"x"}', GSI1PK: 'UNSETTLED' });
      claim = await t.store.claimCommand(claimOf(id));
      if (!claim.claimed) throw new Error('not claimed');
      await t.store.finishCommand(id, claim.leaseId, { state: 'sent', commandJson: '{"type":"x"}' });
      const sent = await t.store.getCommand(id);
      for (const gone of ['command_json', 'GSI1PK', 'GSI1SK']) expect(sent).not.toHaveProperty(gone);
    },
  ],
  [
    'a final `unknown` (nothing could ever check it) is not listed as unsettled',
    async (t) => {
      const id = t.id('final');
      const claim = await t.store.claimCommand(claimOf(id));
      if (!claim.claimed) throw new Error('not claimed');
      await t.store.finishCommand(id, claim.leaseId, { state: 'unknown', final: true, commandJson: '{"type":"x"}' });
      const item = await t.store.getCommand(id);
      expect(item).toMatchObject({ state: 'unknown' });
      for (const gone of ['command_json', 'GSI1PK', 'GSI1SK']) expect(item).not.toHaveProperty(gone);
    },
  ],
  [
    'keeps an outage streak (since, failures, reason) across attempts; a finish without one clears it',
    async (t) => {
      const id = t.id('streak');
      let claim = await t.store.claimCommand(claimOf(id));
      if (!claim.claimed) throw new Error('not claimed');
      const since = iso(T0);
      await t.store.finishCommand(id, claim.leaseId, {
        state: 'queued',
        outageSince: since,
        outageFailures: 2,
        outageReason: 'connection refused',
      });
      expect(await t.store.getCommand(id)).toMatchObject({
        outage_since: since,
        outage_failures: 2,
        outage_reason: 'connection refused',
      });
      claim = await t.store.claimCommand(claimOf(id));
      if (!claim.claimed) throw new Error('not claimed');
      expect(claim.previous).toMatchObject({ outage_since: since, outage_failures: 2 });
      await t.store.finishCommand(id, claim.leaseId, { state: 'queued', failures: 1 });
      const cleared = await t.store.getCommand(id);
      for (const gone of ['outage_since', 'outage_failures', 'outage_reason']) expect(cleared).not.toHaveProperty(gone);
      expect(cleared).toMatchObject({ failures: 1 });
    },
  ],
];

const LEDGER_NOTES: Record<'recordRejectedCommand' | 'recordRefusedReuse' | 'listUnsettledCommands', Case[]> = {
  recordRejectedCommand: [
    [
      'records an unreadable command as failed, again and again, but never over a valid command’s entry',
      async (t) => {
        const id = t.id('rejected');
        await t.store.recordRejectedCommand(id, 'invalid', 'invalid command: not JSON');
        expect(await t.store.getCommand(id)).toEqual({
          ...entryKey(id),
          type: 'invalid',
          state: 'failed',
          error: 'invalid command: not JSON',
          updated_at: iso(T0),
          created_at: iso(T0),
          expires_at: expiresAt(T0),
        });
        t.clock.advance(5);
        await t.store.recordRejectedCommand(id, 'send_group_message', 'invalid command: content is empty');
        expect(await t.store.getCommand(id)).toMatchObject({
          type: 'send_group_message',
          error: 'invalid command: content is empty',
          created_at: iso(T0),
          updated_at: iso(T0 + 5),
        });
        const taken = t.id('taken');
        await entryIn(t, taken, 'failed');
        const before = await t.store.getCommand(taken);
        await t.store.recordRejectedCommand(taken, 'invalid', 'invalid command: x');
        expect(await t.store.getCommand(taken)).toEqual(before);
      },
    ],
  ],
  recordRefusedReuse: [
    [
      'adds each refused fingerprint to the entry once; no entry, nothing written',
      async (t) => {
        const id = t.id('reuse');
        await entryIn(t, id, 'sent');
        await t.store.recordRefusedReuse(id, 'fp-b');
        t.clock.advance(7);
        await t.store.recordRefusedReuse(id, 'fp-c');
        await t.store.recordRefusedReuse(id, 'fp-b');
        expect(await t.store.getCommand(id)).toMatchObject({
          state: 'sent',
          fingerprint: 'fp-a',
          refused_fingerprints: new Set(['fp-b', 'fp-c']),
          last_refused_at: iso(T0 + 7),
        });
        const missing = t.id('missing');
        await t.store.recordRefusedReuse(missing, 'fp-b');
        expect(await t.store.getCommand(missing)).toBeUndefined();
      },
    ],
  ],
  listUnsettledCommands: [
    [
      'lists unknown entries written before a time, oldest first, at most `limit`',
      async (t) => {
        // Later than every other case's entries, so only these three are listed after `from`.
        t.clock.advance(100 * 86_400_000);
        const from = iso(t.clock.nowMs());
        const ids = [t.id('u1'), t.id('u2'), t.id('u3')];
        for (const id of ids) {
          t.clock.advance(1_000);
          await entryIn(t, id, 'unknown');
        }
        const all = await t.store.listUnsettledCommands({ before: iso(t.clock.nowMs() + 1), limit: 1_000 });
        const ours = all.filter((entry) => entry.updatedAt >= from);
        expect(ours).toEqual(
          ids.map((commandId, i) => ({ commandId, updatedAt: iso(Date.parse(from) + (i + 1) * 1_000) })),
        );
        const before = iso(Date.parse(from) + 2_500);
        const listed = (await t.store.listUnsettledCommands({ before, limit: 1_000 })).filter(
          (e) => e.updatedAt >= from,
        );
        expect(listed.map((entry) => entry.commandId)).toEqual(ids.slice(0, 2));
        const limited = await t.store.listUnsettledCommands({ before, limit: 1 });
        expect(limited).toHaveLength(1);
      },
    ],
  ],
};

const MESSAGES: Record<
  'putOutboundMessage' | 'putInboundMessage' | 'applyStatusEvent' | 'recordMemberRefusal',
  Case[]
> = {
  recordMemberRefusal: [
    [
      "keeps one entry per member, never moves the message's status, answers the relay URL once",
      async (t) => {
        const handle = t.id('member');
        await t.store.putOutboundMessage(outbound(handle, { groupId: 'group-s' }));
        const refusal = (member: string) =>
          status(handle, 'DECLINED', { declinedMember: member, errorCode: '4002', errorMessage: 'opted out' });
        expect(await t.store.recordMemberRefusal(refusal('+15551230001'))).toEqual({
          historyAdded: true,
          relayUrl: 'https://producer.example/status',
        });
        expect(await t.store.recordMemberRefusal(refusal('+15551230002'))).toMatchObject({ historyAdded: true });
        expect(await t.store.recordMemberRefusal(refusal('+15551230001'))).toMatchObject({ historyAdded: false });
        const stored = await t.store.getMessageWithHistory(handle);
        expect(stored?.message).toMatchObject({ status: 'QUEUED' });
        expect(stored?.history).toEqual(
          ['+15551230001', '+15551230002'].map((member) => ({
            PK: `MSG#${handle}`,
            SK: `STATUS#DECLINED#${member}`,
            group_id: 'group-s',
            status: 'DECLINED',
            member,
            opted_out: true,
            date_updated: iso(T0 + 5_000),
            received_at: iso(T0),
            error_code: '4002',
            error_message: 'opted out',
          })),
        );
      },
    ],
    [
      'keeps a refusal that comes before the message, writing no message; refuses an inbound message',
      async (t) => {
        const handle = t.id('early');
        const event = status(handle, 'DECLINED', { declinedMember: '+15551230003' });
        expect(await t.store.recordMemberRefusal(event)).toEqual({ historyAdded: true });
        expect(await t.store.getMessageWithHistory(handle)).toBeUndefined();
        await t.store.putOutboundMessage(outbound(handle, { groupId: 'group-s' }));
        const stored = await t.store.getMessageWithHistory(handle);
        expect(stored?.message.status).toBe('QUEUED');
        expect(stored?.history.map((entry) => entry.member)).toEqual(['+15551230003']);
        const inbound = t.id('inbound-member');
        await t.store.putInboundMessage(status(inbound, 'RECEIVED', { direction: 'inbound' }));
        expect(await t.store.recordMemberRefusal({ ...event, messageHandle: inbound })).toEqual({
          refused: 'inbound-message',
          historyAdded: false,
        });
        expect((await t.store.getMessageWithHistory(inbound))?.history).toEqual([]);
      },
    ],
  ],
  putOutboundMessage: [
    [
      'stores an accepted send in its group’s timeline, and answers no earlier status',
      async (t) => {
        const handle = t.id('out');
        expect(await t.store.putOutboundMessage(outbound(handle, { groupId: `group-${handle}` }))).toEqual({});
        const stored = await t.store.getMessageWithHistory(handle);
        expect(stored).toEqual({
          message: {
            PK: `MSG#${handle}`,
            SK: 'MSG',
            GSI1PK: `GROUP#group-${handle}`,
            GSI1SK: `${iso(T0)}#${handle}`,
            message_handle: handle,
            group_id: `group-${handle}`,
            direction: 'outbound',
            content: 'hello 👋🏽',
            from_number: '+15550001000',
            date_sent: iso(T0),
            participants: ['+15551230001', '+15550001000'],
            relay_url: 'https://producer.example/status',
            command_id: `cmd-${handle}`,
            status: 'QUEUED',
            status_rank: 3,
            date_updated: iso(T0),
            received_at: iso(T0),
          },
          history: [],
          reactions: [],
        });
      },
    ],
    [
      'keeps a status a webhook wrote first, and answers it (to relay); a repeat answers its own',
      async (t) => {
        const handle = t.id('merge');
        await t.store.applyStatusEvent(status(handle, 'DELIVERED', { groupId: 'group-o' }));
        t.clock.advance(3);
        expect(await t.store.putOutboundMessage(outbound(handle))).toEqual({ earlierStatus: 'DELIVERED' });
        const stored = await t.store.getMessageWithHistory(handle);
        expect(stored?.message).toMatchObject({
          status: 'DELIVERED',
          status_rank: 6,
          date_updated: iso(T0 + 5_000),
          received_at: iso(T0),
          relay_url: 'https://producer.example/status',
          command_id: `cmd-${handle}`,
          content: 'hello 👋🏽',
        });
        expect(await t.store.putOutboundMessage(outbound(handle))).toEqual({ earlierStatus: 'DELIVERED' });
        const again = t.id('again');
        await t.store.putOutboundMessage(outbound(again));
        expect(await t.store.putOutboundMessage(outbound(again, { status: 'SENT' }))).toEqual({
          earlierStatus: 'QUEUED',
        });
        expect((await t.store.getMessageWithHistory(again))?.message.status).toBe('QUEUED');
      },
    ],
    [
      'stores a send without a group outside every timeline',
      async (t) => {
        const handle = t.id('nogroup');
        await t.store.putOutboundMessage(outbound(handle, { groupId: undefined, participants: undefined }));
        const stored = await t.store.getMessageWithHistory(handle);
        expect(stored?.message).not.toHaveProperty('GSI1PK');
        expect(stored?.message).not.toHaveProperty('group_id');
        expect(stored?.message).not.toHaveProperty('participants');
      },
    ],
  ],
  applyStatusEvent: [
    [
      'moves a status forward only, records each status once, and answers the relay URL',
      async (t) => {
        const handle = t.id('status');
        await t.store.putOutboundMessage(outbound(handle, { groupId: 'group-s' }));
        expect(await t.store.applyStatusEvent(status(handle, 'DELIVERED'))).toEqual({
          statusAdvanced: true,
          historyAdded: true,
          relayUrl: 'https://producer.example/status',
        });
        expect(await t.store.applyStatusEvent(status(handle, 'SENT', { dateUpdated: iso(T0 + 4_000) }))).toEqual({
          statusAdvanced: false,
          historyAdded: true,
          relayUrl: 'https://producer.example/status',
        });
        expect(await t.store.applyStatusEvent(status(handle, 'SENT'))).toMatchObject({
          statusAdvanced: false,
          historyAdded: false,
        });
        const stored = await t.store.getMessageWithHistory(handle);
        expect(stored?.message).toMatchObject({ status: 'DELIVERED', date_updated: iso(T0 + 5_000) });
        expect(stored?.history).toEqual([
          {
            PK: `MSG#${handle}`,
            SK: 'STATUS#DELIVERED',
            group_id: 'group-s',
            status: 'DELIVERED',
            date_updated: iso(T0 + 5_000),
            received_at: iso(T0),
          },
          {
            PK: `MSG#${handle}`,
            SK: 'STATUS#SENT',
            group_id: 'group-s',
            status: 'SENT',
            date_updated: iso(T0 + 4_000),
            received_at: iso(T0),
          },
        ]);
      },
    ],
    [
      'creates the message when its status comes first, and never touches an inbound message',
      async (t) => {
        const handle = t.id('first');
        const event = status(handle, 'ERROR', { errorCode: '4002', errorMessage: 'opted out', content: 'hi' });
        expect(await t.store.applyStatusEvent(event)).toEqual({ statusAdvanced: true, historyAdded: true });
        expect((await t.store.getMessageWithHistory(handle))?.message).toEqual({
          PK: `MSG#${handle}`,
          SK: 'MSG',
          GSI1PK: 'GROUP#group-s',
          GSI1SK: `${iso(T0)}#${handle}`,
          message_handle: handle,
          group_id: 'group-s',
          direction: 'outbound',
          content: 'hi',
          date_sent: iso(T0),
          status: 'ERROR',
          status_rank: 100,
          date_updated: iso(T0 + 5_000),
          error_code: '4002',
          error_message: 'opted out',
          received_at: iso(T0),
        });
        const inbound = t.id('inbound');
        await t.store.putInboundMessage(status(inbound, 'RECEIVED', { direction: 'inbound' }));
        expect(await t.store.applyStatusEvent(status(inbound, 'DELIVERED'))).toEqual({
          refused: 'inbound-message',
          statusAdvanced: false,
          historyAdded: false,
        });
        expect((await t.store.getMessageWithHistory(inbound))?.history).toEqual([]);
      },
    ],
  ],
  putInboundMessage: [
    [
      'stores a member’s message once; the same handle again is a duplicate, under another group a conflict',
      async (t) => {
        const handle = t.id('in');
        const event = status(handle, 'RECEIVED', {
          direction: 'inbound',
          content: 'hi',
          participants: ['+15551230001'],
          extra: { odd: { nested: true } },
        });
        expect(await t.store.putInboundMessage(event)).toBe('stored');
        expect(await t.store.putInboundMessage(event)).toBe('duplicate');
        expect(await t.store.putInboundMessage({ ...event, groupId: 'group-other' })).toBe('conflict');
        expect((await t.store.getMessageWithHistory(handle))?.message).toEqual({
          PK: `MSG#${handle}`,
          SK: 'MSG',
          GSI1PK: 'GROUP#group-s',
          GSI1SK: `${iso(T0)}#${handle}`,
          message_handle: handle,
          group_id: 'group-s',
          direction: 'inbound',
          content: 'hi',
          date_sent: iso(T0),
          participants: ['+15551230001'],
          extra_json: '{"odd":{"nested":true}}',
          status: 'RECEIVED',
          status_rank: 0,
          date_updated: iso(T0 + 5_000),
          received_at: iso(T0),
        });
      },
    ],
  ],
};

const GROUPS: Record<'syncGroup' | 'getGroup', Case[]> = {
  syncGroup: [
    [
      'writes a group when its members or name change, never from an older snapshot',
      async (t) => {
        const groupId = t.id('group');
        const at = (s: number) => iso(T0 + s * 1_000);
        expect(await t.store.syncGroup({ groupId, members: ['+2', '+1', '+2'], asOf: at(10) })).toBe('updated');
        expect(await t.store.getGroup(groupId)).toEqual({
          PK: `GROUP#${groupId}`,
          SK: 'GROUP',
          group_id: groupId,
          members: ['+1', '+2'],
          members_key: '+1,+2',
          created_at: at(10),
          updated_at: at(10),
        });
        expect(await t.store.syncGroup({ groupId, members: ['+1', '+2'], asOf: at(20) })).toBe('unchanged');
        expect(await t.store.syncGroup({ groupId, members: ['+1', '+3'], asOf: at(5) })).toBe('unchanged');
        expect(await t.store.syncGroup({ groupId, members: ['+1', '+3'], asOf: at(20) })).toBe('updated');
        expect(await t.store.syncGroup({ groupId, name: 'Trip', asOf: at(20) })).toBe('unchanged');
        expect(await t.store.syncGroup({ groupId, name: 'Trip', asOf: at(21) })).toBe('updated');
        expect(await t.store.syncGroup({ groupId, asOf: at(30) })).toBe('unchanged');
        expect(await t.store.getGroup(groupId)).toMatchObject({
          members: ['+1', '+3'],
          group_name: 'Trip',
          created_at: at(10),
          updated_at: at(21),
        });
      },
    ],
  ],
  getGroup: [
    [
      'answers nothing for a group never written',
      async (t) => {
        expect(await t.store.getGroup(t.id('never'))).toBeUndefined();
      },
    ],
  ],
};

const READS: Record<'getCommand' | 'getMessageWithHistory' | 'listGroupMessages', Case[]> = {
  getCommand: [
    [
      'answers nothing for a command never seen',
      async (t) => {
        expect(await t.store.getCommand(t.id('never'))).toBeUndefined();
      },
    ],
  ],
  getMessageWithHistory: [
    [
      'answers nothing for a message never stored, even when a status of it was',
      async (t) => {
        expect(await t.store.getMessageWithHistory(t.id('never'))).toBeUndefined();
      },
    ],
  ],
  listGroupMessages: [
    [
      'pages a group’s timeline both ways, with a cursor only when more may follow',
      async (t) => {
        const groupId = t.id('timeline');
        const handles = [0, 1, 2, 3, 4].map((i) => `${groupId}-h${i}`);
        for (const [i, handle] of handles.entries()) {
          await t.store.putOutboundMessage(outbound(handle, { groupId, dateSent: iso(T0 + (5 - i) * 1_000) }));
        }
        const page = (order: 'asc' | 'desc', limit: number, startKey?: Record<string, string>) =>
          t.store.listGroupMessages(groupId, { limit, order, ...(startKey ? { startKey } : {}) });
        const first = await page('asc', 2);
        expect(first.items.map((item) => item.message_handle)).toEqual([handles[4], handles[3]]);
        expect(first.items[0]).toEqual({
          PK: `MSG#${handles[4]}`,
          SK: 'MSG',
          GSI1PK: `GROUP#${groupId}`,
          GSI1SK: `${iso(T0 + 1_000)}#${handles[4]}`,
          message_handle: handles[4],
          group_id: groupId,
          direction: 'outbound',
          status: 'QUEUED',
          content: 'hello 👋🏽',
          from_number: '+15550001000',
          date_sent: iso(T0 + 1_000),
          date_updated: iso(T0 + 1_000),
          participants: ['+15551230001', '+15550001000'],
        });
        const second = await page('asc', 2, first.nextKey);
        expect(second.items.map((item) => item.message_handle)).toEqual([handles[2], handles[1]]);
        const last = await page('asc', 2, second.nextKey);
        expect(last.items.map((item) => item.message_handle)).toEqual([handles[0]]);
        expect(last.nextKey).toBeUndefined();
        const full = await page('desc', 5);
        expect(full.items.map((item) => item.message_handle)).toEqual(handles);
        expect(full.nextKey).toBeUndefined();
        const newest = await page('desc', 4);
        expect(newest.nextKey).toBeDefined();
        expect((await page('desc', 4, newest.nextKey)).items.map((item) => item.message_handle)).toEqual([handles[4]]);
        expect(await t.store.listGroupMessages(t.id('empty'), { limit: 10, order: 'desc' })).toEqual({ items: [] });
      },
    ],
  ],
};

const PACING_CASES: Record<'reserveLineSlot' | 'pauseLine' | 'readLineBreaker' | 'writeLineBreaker', Case[]> = {
  reserveLineSlot: [
    [
      'hands an idle line’s burst out at once, then one slot per interval, each line on its own',
      async (t) => {
        const line = t.id('line');
        const slots = [];
        for (let i = 0; i < 5; i += 1) slots.push(await t.store.reserveLineSlot(line, T0, PACING));
        // Burst 3 at 1/s: three now, then one a second.
        expect(slots).toMatchObject([0, 0, 0, 1_000, 2_000].map((offset) => ({ kind: 'slot', slotAt: T0 + offset })));
        expect(await t.store.reserveLineSlot(`${line}-other`, T0, PACING)).toMatchObject({ kind: 'slot', slotAt: T0 });
        // Idle again once the backlog is past.
        expect(await t.store.reserveLineSlot(line, T0 + 60_000, PACING)).toMatchObject({
          kind: 'slot',
          slotAt: T0 + 60_000,
        });
      },
    ],
    [
      'sends a request facing a backlog beyond the horizon back for later',
      async (t) => {
        const line = t.id('busy');
        const answers = [];
        for (let i = 0; i < 14; i += 1) answers.push(await t.store.reserveLineSlot(line, T0, PACING));
        // tat reaches now + horizon (10 s) after 10 slots; the 11th is still within; then beyond.
        expect(answers.filter((answer) => answer.kind === 'slot')).toHaveLength(11);
        expect(answers[11]).toEqual({ kind: 'beyond-horizon', retryAt: T0 + 1_000 });
        expect(answers[13]).toEqual({ kind: 'beyond-horizon', retryAt: T0 + 1_000 });
      },
    ],
  ],
  pauseLine: [
    [
      'after a 429, gives no slot before the pause ends, and never moves the line back',
      async (t) => {
        const line = t.id('paused');
        await t.store.pauseLine(line, T0 + 5_000, PACING);
        await t.store.pauseLine(line, T0 + 1_000, PACING);
        expect(await t.store.reserveLineSlot(line, T0, PACING)).toMatchObject({ kind: 'slot', slotAt: T0 + 5_000 });
        expect(await t.store.reserveLineSlot(line, T0, PACING)).toMatchObject({ kind: 'slot', slotAt: T0 + 6_000 });
      },
    ],
  ],
  readLineBreaker: [
    [
      'reads a line never written as a closed breaker at version 0, and reads back what was written',
      async (t) => {
        const line = t.id('breaker-read');
        expect(await t.store.readLineBreaker(line)).toEqual({ failures: {}, version: 0 });
        await t.store.reserveLineSlot(line, T0, PACING);
        expect(await t.store.readLineBreaker(line)).toEqual({ failures: {}, version: 0 });
        const open = {
          failures: { 'cmd-a': T0, 'cmd-b': T0 + 10 },
          openSince: T0 + 10,
          reason: 'could not reach Sendblue (ECONNREFUSED)',
          probeAt: T0 + 2_010,
          probeGapMs: 2_000,
          version: 1,
        };
        expect(await t.store.writeLineBreaker(line, open, 0)).toEqual({ written: true });
        expect(await t.store.readLineBreaker(line)).toEqual(open);
      },
    ],
  ],
  writeLineBreaker: [
    [
      'writes only from the version it was computed from; a lost race returns the current breaker',
      async (t) => {
        const line = t.id('breaker-race');
        const first = { failures: { 'cmd-a': T0 }, version: 1 };
        expect(await t.store.writeLineBreaker(line, first, 0)).toEqual({ written: true });
        const second = { failures: { 'cmd-b': T0 }, version: 1 };
        expect(await t.store.writeLineBreaker(line, second, 0)).toEqual({ written: false, current: first });
        expect(await t.store.writeLineBreaker(line, { failures: {}, version: 2 }, 1)).toEqual({ written: true });
        expect(await t.store.readLineBreaker(line)).toEqual({ failures: {}, version: 2 });
      },
    ],
    [
      'an open breaker refuses every slot (returning it) and keeps the pace; closed again, slots resume',
      async (t) => {
        const line = t.id('breaker-open');
        expect(await t.store.reserveLineSlot(line, T0, PACING)).toMatchObject({ kind: 'slot', slotAt: T0 });
        const open = {
          failures: {},
          openSince: T0,
          reason: 'HTTP 503',
          probeAt: T0 + 2_000,
          probeGapMs: 2_000,
          version: 1,
        };
        expect(await t.store.writeLineBreaker(line, open, 0)).toEqual({ written: true });
        expect(await t.store.reserveLineSlot(line, T0 + 100, PACING)).toEqual({ kind: 'paused', breaker: open });
        expect(await t.store.reserveLineSlot(line, T0 + 5_000, PACING)).toEqual({ kind: 'paused', breaker: open });
        const probing = { ...open, probeLeaseUntil: T0 + 17_000, probeBy: 'cmd-p', version: 2 };
        expect(await t.store.writeLineBreaker(line, probing, 1)).toEqual({ written: true });
        expect(await t.store.readLineBreaker(line)).toEqual(probing);
        expect(await t.store.writeLineBreaker(line, { failures: {}, version: 3 }, 2)).toEqual({ written: true });
        expect(await t.store.readLineBreaker(line)).toEqual({ failures: {}, version: 3 });
        expect(await t.store.reserveLineSlot(line, T0 + 6_000, PACING)).toEqual({
          kind: 'slot',
          slotAt: T0 + 6_000,
          breaker: { failures: {}, version: 3 },
        });
      },
    ],
  ],
};

const LINE_A = '+15550003000';

const CONTACT_CASES: Record<
  'readKnownContacts' | 'rememberContacts' | 'readContactQuota' | 'writeContactQuota',
  Case[]
> = {
  readKnownContacts: [
    [
      'answers only the numbers the line messaged, each with when; other lines know their own',
      async (t) => {
        const line = t.id('known-line');
        const [a, b, c] = ['+15551230001', '+15551230002', '+15551230003'];
        expect(await t.store.readKnownContacts(line, [a!, b!])).toEqual(new Map());
        await t.store.rememberContacts(line, [a!, b!, a!], T0);
        await t.store.rememberContacts(`${line}-other`, [c!], T0);
        expect(await t.store.readKnownContacts(line, [a!, b!, c!, b!])).toEqual(
          new Map([
            [a!, T0],
            [b!, T0],
          ]),
        );
        expect(await t.store.readKnownContacts(line, [])).toEqual(new Map());
      },
    ],
  ],
  rememberContacts: [
    [
      'a repeat moves `messaged_at` on and keeps one record per number; 25 at once',
      async (t) => {
        const line = t.id('remember');
        const many = Array.from({ length: 25 }, (_, i) => `+1555200${String(i).padStart(4, '0')}`);
        await t.store.rememberContacts(line, many, T0);
        await t.store.rememberContacts(line, many.slice(0, 2), T0 + 5_000);
        const known = await t.store.readKnownContacts(line, many);
        expect(known.size).toBe(25);
        expect(known.get(many[0]!)).toBe(T0 + 5_000);
        expect(known.get(many[24]!)).toBe(T0);
      },
    ],
  ],
  readContactQuota: [
    [
      'reads a line never written as empty at version 0, and reads back what was written',
      async (t) => {
        const line = t.id(`quota-${LINE_A}`);
        expect(await t.store.readContactQuota(line)).toEqual({ spends: [], version: 0 });
        const quota = { spends: [{ command: 'cmd-a', at: T0, count: 3 }], blockedUntil: T0 + 60_000, version: 1 };
        expect(await t.store.writeContactQuota(line, quota, 0)).toEqual({ written: true });
        expect(await t.store.readContactQuota(line)).toEqual(quota);
        // The line's pacing item is another item: slots and breaker leave the quota alone.
        await t.store.reserveLineSlot(line, T0, PACING);
        expect(await t.store.readContactQuota(line)).toEqual(quota);
      },
    ],
  ],
  writeContactQuota: [
    [
      'writes only from the version it was computed from: of two spends from one version, one wins',
      async (t) => {
        const line = t.id('quota-race');
        const first = { spends: [{ command: 'cmd-a', at: T0, count: 1 }], version: 1 };
        const second = { spends: [{ command: 'cmd-b', at: T0, count: 1 }], version: 1 };
        const answers = await Promise.all([
          t.store.writeContactQuota(line, first, 0),
          t.store.writeContactQuota(line, second, 0),
        ]);
        expect(answers.filter((answer) => answer.written)).toHaveLength(1);
        const winner = answers[0]!.written ? first : second;
        expect(answers.find((answer) => !answer.written)).toEqual({ written: false, current: winner });
        // Blocked, then the block removed by a later write.
        const blocked = { ...winner, blockedUntil: T0 + 1_000, version: 2 };
        expect(await t.store.writeContactQuota(line, blocked, 1)).toEqual({ written: true });
        expect(await t.store.writeContactQuota(line, { spends: [], version: 3 }, 2)).toEqual({ written: true });
        expect(await t.store.readContactQuota(line)).toEqual({ spends: [], version: 3 });
        expect(await t.store.writeContactQuota(line, { spends: [], version: 4 }, 2)).toEqual({
          written: false,
          current: { spends: [], version: 3 },
        });
      },
    ],
  ],
};

const reaction = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  reaction: 'love' as const,
  from_number: '+15551230001',
  date_sent: iso(T0),
  part_index: 0,
  direction: 'inbound' as const,
  ...extra,
});

const REACTIONS: Record<'addReaction' | 'getReactions', Case[]> = {
  addReaction: [
    [
      'keeps a reaction once (a repeat is a duplicate), beside its message, read back with it',
      async (t) => {
        const handle = t.id('reacted');
        await t.store.putOutboundMessage(outbound(handle));
        const first = reaction(`${handle}-r1`);
        expect(await t.store.addReaction({ targetHandle: handle, groupId: 'group-o', entry: first })).toBe('added');
        expect(await t.store.addReaction({ targetHandle: handle, groupId: 'group-o', entry: first })).toBe('duplicate');
        const second = reaction(`command:${handle}`, { reaction: 'laugh', direction: 'outbound', part_index: 1 });
        expect(await t.store.addReaction({ targetHandle: handle, entry: second })).toBe('added');
        expect((await t.store.getMessageWithHistory(handle))?.reactions).toEqual([first, second]);
      },
    ],
    [
      'keeps a reaction before its message arrives; a full message refuses more',
      async (t) => {
        const handle = t.id('early');
        for (let i = 0; i <= MAX_REACTIONS_PER_MESSAGE; i += 1) {
          const outcome = await t.store.addReaction({ targetHandle: handle, entry: reaction(`${handle}-${i}`) });
          if (outcome === 'full') {
            expect(i).toBeGreaterThan(0);
            expect(await t.store.addReaction({ targetHandle: handle, entry: reaction(`${handle}-${i - 1}`) })).toBe(
              'duplicate',
            );
            expect((await t.store.getReactions([handle])).get(handle)).toHaveLength(i);
            return;
          }
          expect(outcome).toBe('added');
        }
        throw new Error('no limit on reactions per message');
      },
    ],
  ],
  getReactions: [
    [
      'answers the reactions of the messages that have any, by handle',
      async (t) => {
        const [a, b, none] = ['a', 'b', 'none'].map((label) => t.id(`batch-${label}`));
        await t.store.addReaction({ targetHandle: a!, entry: reaction(`${a}-1`) });
        await t.store.addReaction({ targetHandle: b!, entry: reaction(`${b}-1`, { reaction: 'like' }) });
        await t.store.addReaction({ targetHandle: b!, entry: reaction(`${b}-2`, { reaction: 'question' }) });
        const found = await t.store.getReactions([a!, b!, none!, a!]);
        expect([...found.keys()].sort()).toEqual([a, b].sort());
        expect(found.get(b!)?.map((entry) => entry.reaction)).toEqual(['like', 'question']);
      },
    ],
  ],
};

/** The contacts ledger: numbers are made unique per case (t.id digits) so cases can share a table. */
const numberFor = (t: TableContext, label: string) => {
  const digits = [...t.id(label)].map((c) => c.charCodeAt(0) % 10).join('');
  return `+1${digits.slice(-10).padStart(10, '5')}`;
};

const CONTACTS: Record<'recordSighting' | 'recordOptChange' | 'optedOutAmong' | 'getContact' | 'listOptedOut', Case[]> =
  {
    recordSighting: [
      [
        'creates the record; each line once; last_seen only forward, first_seen only back (the earliest, even applied late)',
        async (t) => {
          const number = numberFor(t, 'seen');
          await t.store.recordSighting({ number, at: iso(T0 + 5_000) });
          await t.store.recordSighting({ number, at: iso(T0 + 9_000), contactedFrom: '+15550001000' });
          await t.store.recordSighting({ number, at: iso(T0 + 1_000), contactedFrom: '+15550001000' });
          await t.store.recordSighting({ number, at: iso(T0 + 2_000), contactedFrom: '+15550002000' });
          expect(await t.store.getContact(number)).toEqual({
            PK: `CONTACT#${number}`,
            SK: 'CONTACT',
            number,
            first_seen: iso(T0 + 1_000),
            last_seen: iso(T0 + 9_000),
            'contacted:+15550001000': iso(T0 + 9_000),
            'contacted:+15550002000': iso(T0 + 2_000),
          });
          await t.store.recordSighting({ number, at: iso(T0 + 9_000) }); // a repeat changes nothing
          expect((await t.store.getContact(number))?.last_seen).toBe(iso(T0 + 9_000));
        },
      ],
    ],
    recordOptChange: [
      [
        'newer evidence wins, older is stale; the opted-out list follows the state',
        async (t) => {
          const number = numberFor(t, 'opt');
          expect(await t.store.recordOptChange({ number, at: iso(T0 + 2_000), optedOut: true, by: 'keyword' })).toBe(
            'written',
          );
          expect(await t.store.recordOptChange({ number, at: iso(T0 + 1_000), optedOut: false, by: 'keyword' })).toBe(
            'stale',
          );
          expect(await t.store.recordOptChange({ number, at: iso(T0 + 2_000), optedOut: false, by: 'cli' })).toBe(
            'stale',
          );
          expect(await t.store.getContact(number)).toEqual({
            PK: `CONTACT#${number}`,
            SK: 'CONTACT',
            GSI1PK: 'OPTED_OUT',
            GSI1SK: `${iso(T0 + 2_000)}#${number}`,
            number,
            first_seen: iso(T0 + 2_000),
            last_seen: iso(T0 + 2_000),
            opted_out: true,
            opted_out_at: iso(T0 + 2_000),
            opted_out_by: 'keyword',
            opt_changed_at: iso(T0 + 2_000),
          });
          expect(await t.store.recordOptChange({ number, at: iso(T0 + 3_000), optedOut: false, by: 'keyword' })).toBe(
            'written',
          );
          const after = await t.store.getContact(number);
          expect(after).toMatchObject({ opted_out: false, opted_in_at: iso(T0 + 3_000), opted_in_by: 'keyword' });
          expect(after).not.toHaveProperty('GSI1PK');
          expect(after).not.toHaveProperty('GSI1SK');
        },
      ],
    ],
    optedOutAmong: [
      [
        'answers only the numbers whose record says opted out now',
        async (t) => {
          const [out, back, seen, unknown] = ['a', 'b', 'c', 'd'].map((label) => numberFor(t, `among-${label}`));
          await t.store.recordOptChange({ number: out!, at: iso(T0), optedOut: true, by: 'declined' });
          await t.store.recordOptChange({ number: back!, at: iso(T0), optedOut: true, by: 'webhook_flag' });
          await t.store.recordOptChange({ number: back!, at: iso(T0 + 1), optedOut: false, by: 'cli' });
          await t.store.recordSighting({ number: seen!, at: iso(T0) });
          expect(await t.store.optedOutAmong([out!, back!, seen!, unknown!, out!])).toEqual(new Set([out]));
          expect(await t.store.optedOutAmong([])).toEqual(new Set());
        },
      ],
    ],
    getContact: [
      [
        'answers undefined for a number never seen',
        async (t) => {
          expect(await t.store.getContact(numberFor(t, 'never'))).toBeUndefined();
        },
      ],
    ],
    listOptedOut: [
      [
        'lists opted-out numbers newest first, a page at a time, without those opted back in',
        async (t) => {
          // Dates far in the future of every other case, so this list is ours alone at the top.
          const base = Date.UTC(2099, 0, 1) + (t.clock.nowMs() % 1_000) * 10_000;
          const numbers = ['a', 'b', 'c', 'd'].map((label) => numberFor(t, `list-${label}`));
          for (const [i, number] of numbers.entries())
            await t.store.recordOptChange({ number, at: iso(base + i * 1_000), optedOut: true, by: 'keyword' });
          await t.store.recordOptChange({ number: numbers[1]!, at: iso(base + 9_000), optedOut: false, by: 'keyword' });
          const first = await t.store.listOptedOut({ limit: 2 });
          expect(first.items).toEqual([
            { number: numbers[3], since: iso(base + 3_000) },
            { number: numbers[2], since: iso(base + 2_000) },
          ]);
          expect(first.nextKey).toBeDefined();
          const second = await t.store.listOptedOut({ limit: 1, startKey: first.nextKey });
          expect(second.items).toEqual([{ number: numbers[0], since: iso(base) }]);
        },
      ],
    ],
  };

/** One list of cases per method of the ports: the type makes a new method need cases here. */
const CASES: { [Method in keyof TablePorts]: Case[] } = {
  claimCommand: CLAIMS,
  finishCommand: FINISHES,
  ...LEDGER_NOTES,
  ...MESSAGES,
  ...GROUPS,
  ...READS,
  ...REACTIONS,
  ...PACING_CASES,
  ...CONTACT_CASES,
  ...CONTACTS,
};

/**
 * Registers the contract's cases for one implementation. `make` builds a store whose clock is
 * `now` (every case starts at T0 on a clock of its own); the cases may share one table (they use
 * ids of their own).
 */
export function tableContract(name: string, make: (now: () => Date) => Promise<TablePorts> | TablePorts): void {
  describe(`the table's ports: ${name}`, () => {
    let run = 0;
    for (const [method, cases] of Object.entries(CASES)) {
      describe(method, () => {
        for (const [title, test] of cases) {
          it(title, async () => {
            let nowMs = T0;
            const store = await make(() => new Date(nowMs));
            const prefix = `c${(run += 1)}-${Math.random().toString(36).slice(2, 8)}`;
            await test({
              store,
              clock: { nowMs: () => nowMs, advance: (ms) => void (nowMs += ms) },
              id: (label) => `${prefix}-${label}`,
            });
          });
        }
      });
    }
  });
}
