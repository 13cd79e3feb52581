/**
 * The in-memory table against the DynamoDB adapters, call for call: a seeded random sequence of
 * 600 calls on few ids (so claims collide, leases go stale, restarts and reuses meet, statuses race
 * the sender's write) goes to both on one clock, and every answer and every item must be the same.
 * It finds the drift the contract's cases (table-store.test.ts) did not think of.
 * DIFF_SEED=<n> replays another seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableStore } from '../../../../lambdas/adapters/table.js';
import type { PacingSettings } from '../../../../lambdas/sending/line-pacing.js';
import type { CommandFinish } from '../../../../lambdas/sending/ports.js';
import type { WebhookEvent } from '../../../../lambdas/webhooks/webhook-payload.js';
import { seededRandom } from '../../../../sandbox/sendblue-simulator/faults.js';
import { createTestTable, type TestTable } from '../../../support/dynamodb.js';
import { createInMemoryTable, type TablePorts } from '../../../support/in-memory/table.js';

const SEED = Number(process.env.DIFF_SEED) || 20261205;
const CALLS = 600;

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('differential');
});
afterAll(() => table?.drop());

/** Lease ids are random in each store: both are named by the order they were handed out in. */
class Leases {
  private readonly names = new Map<string, string>();
  readonly all: string[] = [];
  name(leaseId: string): string {
    let name = this.names.get(leaseId);
    if (!name) {
      name = `lease-${this.names.size}`;
      this.names.set(leaseId, name);
      this.all.push(leaseId);
    }
    return name;
  }
}

/** An answer or item with lease ids replaced by their names (and Sets as sorted lists, for a readable diff). */
function normalise(value: unknown, leases: Leases): unknown {
  if (value instanceof Set) return [...value].sort();
  if (Array.isArray(value)) return value.map((inner) => normalise(inner, leases));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      (key === 'leaseId' || key === 'lease_id') && typeof inner === 'string'
        ? leases.name(inner)
        : normalise(inner, leases),
    ]),
  );
}

describe(`the in-memory table and DynamoDB Local, call for call (seed ${SEED})`, () => {
  it(`answer ${CALLS} random calls alike and end with the same items`, async () => {
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    let nowMs = Date.UTC(2026, 10, 20, 10);
    const now = () => new Date(nowMs);
    const prefix = `d${SEED}-${Math.random().toString(36).slice(2, 7)}`;
    const stores: Array<{ store: TablePorts; leases: Leases }> = [
      {
        store: createTableStore({ documentClient: table.documentClient, tableName: table.tableName, now }),
        leases: new Leases(),
      },
      { store: createInMemoryTable({ now }), leases: new Leases() },
    ];
    const ids = [1, 2, 3, 4].map((n) => `${prefix}-cmd${n}`);
    const handles = [1, 2, 3].map((n) => `${prefix}-msg${n}`);
    const groups = [1, 2].map((n) => `${prefix}-group${n}`);
    const lines = [`${prefix}-line1`, `${prefix}-line2`];
    const pacing = (): PacingSettings => ({
      ratePerSecond: pick([1, 2, 4]),
      burst: pick([1, 3, 10]),
      maxInProcessWaitMs: 2_000,
      horizonMs: pick([5_000, 60_000]),
      slotGraceMs: 5_000,
      throttlePauseMs: 2_000,
      jitterMarginMs: pick([0, 250]),
    });
    const iso = (offsetMs: number) => new Date(nowMs + offsetMs).toISOString();
    const event = (direction: 'inbound' | 'outbound'): WebhookEvent => ({
      messageHandle: pick(handles),
      direction,
      status: direction === 'inbound' ? 'RECEIVED' : pick(['QUEUED', 'SENT', 'DELIVERED', 'READ', 'ERROR', 'ODD']),
      groupId: pick([...groups, undefined]),
      content: pick(['hi', undefined]),
      dateSent: pick([iso(-1_000), undefined]),
      dateUpdated: pick([iso(0), iso(-500), undefined]),
      participants: pick([['+15551230001'], undefined]),
      errorCode: pick(['4002', undefined]),
      extra: pick([{}, { odd: 1 }]),
    });
    const finish = (): CommandFinish => ({
      state: pick(['queued', 'unknown', 'sent', 'failed'] as const),
      error: pick(['boom', undefined]),
      groupId: pick([...groups, undefined]),
      messageHandle: pick([...handles, undefined]),
      failures: pick([0, 1, 3, undefined]),
      checkFailures: pick([0, 2, undefined]),
      lastFailure: pick(['HTTP 500', undefined]),
      checkSince: pick([iso(0), iso(-60_000), undefined]),
      slot: pick([{ at: nowMs + 3_000, line: lines[0]! }, undefined]),
      nextAttemptAt: pick([iso(5_000), undefined]),
      failedMessageId: pick(['sqs-1', undefined]),
      commandJson: pick(['{"a":1}', undefined]),
    });

    const calls: Array<{ name: string; run: (store: TablePorts, leases: Leases) => Promise<unknown> }> = [];
    for (let n = 0; n < CALLS; n += 1) {
      if (random() < 0.3) nowMs += pick([1, 10, 500, 1_500, 30_000]);
      const roll = random();
      const id = pick(ids);
      let call: (typeof calls)[number];
      if (roll < 0.3) {
        const request = {
          commandId: id,
          type: 'send_group_message',
          fingerprint: pick(['fp-a', 'fp-a', 'fp-b']),
          groupId: pick([...groups, undefined]),
          leaseMs: pick([1_000, 60_000]),
          ...(random() < 0.15 ? { restart: { sameCommandAllowed: random() < 0.5 } } : {}),
          ...(random() < 0.1 ? { onlyUnsettled: true } : {}),
        };
        call = { name: `claimCommand ${JSON.stringify(request)}`, run: (store) => store.claimCommand(request) };
      } else if (roll < 0.55) {
        const value = finish();
        const which = random();
        call = {
          name: `finishCommand ${id} ${JSON.stringify(value)}`,
          // The newest lease handed out (usually live), an older one (stale), or none ever given.
          run: (store, leases) => {
            const index = Math.floor(which * (leases.all.length + 1)) - 1;
            const lease = index >= 0 ? leases.all[leases.all.length - 1 - index]! : 'never-given';
            return store.finishCommand(id, lease, value);
          },
        };
      } else if (roll < 0.6) {
        call = {
          name: `recordRejectedCommand ${id}`,
          run: (store) => store.recordRejectedCommand(id, 'invalid', 'bad'),
        };
      } else if (roll < 0.63) {
        const fingerprint = pick(['fp-b', 'fp-c']);
        call = { name: `recordRefusedReuse ${id}`, run: (store) => store.recordRefusedReuse(id, fingerprint) };
      } else if (roll < 0.7) {
        const message = {
          messageHandle: pick(handles),
          groupId: pick([...groups, undefined]),
          commandId: id,
          status: pick(['QUEUED', 'SENT']),
          content: pick(['hello', undefined]),
          fromNumber: lines[0],
          dateSent: iso(-200),
          dateUpdated: pick([iso(0), undefined]),
          participants: pick([['+15551230001', lines[0]!], undefined]),
          relayUrl: pick(['https://producer.example/s', undefined]),
        };
        call = {
          name: `putOutboundMessage ${JSON.stringify(message)}`,
          run: (store) => store.putOutboundMessage(message),
        };
      } else if (roll < 0.77) {
        const value = event('outbound');
        call = { name: `applyStatusEvent ${JSON.stringify(value)}`, run: (store) => store.applyStatusEvent(value) };
      } else if (roll < 0.8) {
        const value = event('inbound');
        call = { name: `putInboundMessage ${JSON.stringify(value)}`, run: (store) => store.putInboundMessage(value) };
      } else if (roll < 0.85) {
        const snapshot = {
          groupId: pick(groups),
          members: pick([['+1', '+2'], ['+2', '+3', '+1'], undefined]),
          name: pick(['Trip', 'Work', undefined]),
          asOf: iso(pick([-5_000, 0, 1])),
        };
        call = { name: `syncGroup ${JSON.stringify(snapshot)}`, run: (store) => store.syncGroup(snapshot) };
      } else if (roll < 0.93) {
        const line = pick(lines);
        const settings = pacing();
        const at = nowMs + pick([0, 0, 700]);
        call =
          random() < 0.8
            ? { name: `reserveLineSlot ${line}`, run: (store) => store.reserveLineSlot(line, at, settings) }
            : { name: `pauseLine ${line}`, run: (store) => store.pauseLine(line, at + 3_000, settings) };
      } else {
        const groupId = pick(groups);
        const before = iso(1);
        const order = pick(['asc', 'desc'] as const);
        call = pick([
          { name: `getCommand ${id}`, run: (store: TablePorts) => store.getCommand(id) },
          { name: `getGroup ${groupId}`, run: (store: TablePorts) => store.getGroup(groupId) },
          {
            name: `listGroupMessages ${groupId}`,
            run: (store: TablePorts) => store.listGroupMessages(groupId, { limit: 2, order }),
          },
          {
            name: 'listUnsettledCommands',
            run: async (store: TablePorts) =>
              (await store.listUnsettledCommands({ before, limit: 100 })).filter((e) => e.commandId.startsWith(prefix)),
          },
        ]);
      }
      const answers = [];
      for (const { store, leases } of stores) {
        const answer = await call.run(store, leases);
        answers.push(normalise(answer, leases));
      }
      expect(answers[1], `call ${n}: ${call.name}`).toEqual(answers[0]);
    }

    for (const id of ids) {
      const items = await Promise.all(
        stores.map(async ({ store, leases }) => normalise(await store.getCommand(id), leases)),
      );
      expect(items[1], `the ledger entry of ${id}`).toEqual(items[0]);
    }
    for (const handle of handles) {
      const items = await Promise.all(stores.map(({ store }) => store.getMessageWithHistory(handle)));
      expect(normalise(items[1], new Leases()), `message ${handle}`).toEqual(normalise(items[0], new Leases()));
    }
    for (const groupId of groups) {
      const items = await Promise.all(stores.map(({ store }) => store.getGroup(groupId)));
      expect(items[1], `group ${groupId}`).toEqual(items[0]);
    }
  }, 120_000);
});
