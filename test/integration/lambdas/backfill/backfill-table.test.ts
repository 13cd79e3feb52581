/**
 * The backfill's table part against DynamoDB Local: the watermark moves only forward; an unknown
 * command is on the sparse unsettled list (GSI1) with its body exactly while it is unknown; the
 * sweep's claim takes only what is its to take; the sandbox's group list ignores the list. And a
 * record backfilled from the simulator's message list is stored exactly as its webhook would be.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../../../lambdas/webhooks/ingest-handler.js';
import { createIngestDeps } from '../../../../lambdas/wiring/ingest-deps.js';
import { itemId } from '../../../../lambdas/backfill/backfill-rules.js';
import { createLineBackfill } from '../../../../lambdas/backfill/backfill-service.js';
import { commandFingerprint, type SendGroupMessageCommand } from '../../../../lambdas/contract/commands.js';
import { commandKey, groupKey, messageKey } from '../../../../lambdas/contract/keys.js';
import { silentLogger } from '../../../../lambdas/platform/logger.js';
import { staticSecretSource } from '../../../../sandbox/static-secrets.js';
import { createSendblueClient } from '../../../../lambdas/adapters/sendblue-client.js';
import type { StatusRelay } from '../../../../lambdas/webhooks/ports.js';
import { createTableStore, type TableStore } from '../../../../lambdas/adapters/table.js';
import { TABLE_SCHEMA } from '../../../../lambdas/contract/table-schema.js';
import { startSendblueSimulator, type RunningSimulator } from '../../../../sandbox/sendblue-simulator/index.js';
import { apiEvent } from '../../../support/http-events.js';
import { sandboxGroupList } from '../../../../sandbox/group-list.js';
import { freshTable } from '../../../support/table-for-test.js';

const LINE = '+15550000000';
const INDEX = TABLE_SCHEMA.groupTimelineIndex;

const command = (id: string): SendGroupMessageCommand => ({
  type: 'send_group_message',
  command_id: id,
  numbers: ['+15551230001', '+15551230002'],
  content: id,
});

/** A ledger entry left `unknown` by an attempt, exactly as the sender leaves one. */
async function leaveUnknown(store: TableStore, id: string) {
  const body = command(id);
  const claim = await store.claimCommand({
    commandId: id,
    type: body.type,
    fingerprint: commandFingerprint(body),
    leaseMs: 60_000,
  });
  if (!claim.claimed) throw new Error('not claimed');
  await store.finishCommand(id, claim.leaseId, {
    state: 'unknown',
    failures: 1,
    checkSince: '2026-12-01T11:00:00.000Z',
    commandJson: JSON.stringify(body),
    error: 'no answer',
  });
  return body;
}

describe('the watermark', () => {
  it('is absent before the first run, then moves only forward, per line', async () => {
    const { store } = await freshTable();
    expect(await store.getBackfillWatermark(LINE)).toBeUndefined();
    expect(await store.advanceBackfillWatermark(LINE, '2026-12-01T10:00:00.000Z')).toBe(true);
    expect(await store.advanceBackfillWatermark(LINE, '2026-12-01T09:00:00.000Z')).toBe(false);
    expect(await store.advanceBackfillWatermark(LINE, '2026-12-01T10:00:00.000Z')).toBe(false);
    expect(await store.getBackfillWatermark(LINE)).toBe('2026-12-01T10:00:00.000Z');
    expect(await store.advanceBackfillWatermark(LINE, '2026-12-01T10:00:00.001Z')).toBe(true);
    expect(await store.getBackfillWatermark(LINE)).toBe('2026-12-01T10:00:00.001Z');
    expect(await store.getBackfillWatermark('+15550000001')).toBeUndefined();
  });
});

describe('what is already stored', () => {
  it('finds any number of items (100 keys a request), with their status; duplicates asked once, missing ones absent', async () => {
    const { store, documentClient } = await freshTable();
    const handles = Array.from({ length: 150 }, (_, i) => `m-${i}`);
    const stored = handles.filter((_, i) => i % 3 === 0);
    for (const handle of stored) {
      expect(
        await store.putInboundMessage({
          messageHandle: handle,
          direction: 'inbound',
          status: 'RECEIVED',
          groupId: 'g',
          extra: {},
        }),
      ).toBe('stored');
    }
    const requests: string[] = [];
    documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        requests.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'count' },
    );
    const found = await store.findItems([...handles, handles[0]!].map(messageKey));
    expect([...found.keys()].sort()).toEqual(stored.map((handle) => itemId(messageKey(handle))).sort());
    expect(found.get(itemId(messageKey('m-0')))).toEqual({ status: 'RECEIVED' });
    expect(requests).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand']);
    expect(await store.findItems([])).toEqual(new Map());
  });
});

describe('the unsettled list', () => {
  it('holds an unknown command with its body, oldest first, and only those written before the cutoff', async () => {
    let now = new Date('2026-12-01T12:00:00.000Z');
    const { documentClient, tableName } = await freshTable();
    const store = createTableStore({ documentClient, tableName, now: () => now });
    const first = await leaveUnknown(store, 'u-1');
    now = new Date('2026-12-01T12:30:00.000Z');
    await leaveUnknown(store, 'u-2');
    now = new Date('2026-12-01T13:00:00.000Z');
    await leaveUnknown(store, 'u-3');

    expect(await store.listUnsettledCommands({ before: '2026-12-01T12:45:00.000Z', limit: 10 })).toEqual([
      { commandId: 'u-1', updatedAt: '2026-12-01T12:00:00.000Z' },
      { commandId: 'u-2', updatedAt: '2026-12-01T12:30:00.000Z' },
    ]);
    expect(await store.listUnsettledCommands({ before: '2026-12-01T14:00:00.000Z', limit: 1 })).toEqual([
      { commandId: 'u-1', updatedAt: '2026-12-01T12:00:00.000Z' },
    ]);
    expect((await store.getCommand('u-1'))!.command_json).toBe(JSON.stringify(first));
  });

  it('an entry leaves the list (and drops its body) in the same write that moves it out of unknown', async () => {
    const { store, documentClient, tableName } = await freshTable();
    const body = await leaveUnknown(store, 'leaves');
    expect(await store.listUnsettledCommands({ before: '2100-01-01T00:00:00.000Z', limit: 10 })).toHaveLength(1);
    const claim = await store.claimCommand({
      commandId: 'leaves',
      type: body.type,
      fingerprint: commandFingerprint(body),
      leaseMs: 60_000,
    });
    if (!claim.claimed) throw new Error('not claimed');
    // While an attempt holds it (sending), it stays listed: an attempt that dies mid-way is the sweep's too.
    expect(await store.listUnsettledCommands({ before: '2100-01-01T00:00:00.000Z', limit: 10 })).toHaveLength(1);
    await store.finishCommand('leaves', claim.leaseId, {
      state: 'sent',
      messageHandle: 'h-1',
      groupId: 'g-1',
      commandJson: JSON.stringify(body),
    });
    expect(await store.listUnsettledCommands({ before: '2100-01-01T00:00:00.000Z', limit: 10 })).toEqual([]);
    const item = (await documentClient.send(new GetCommand({ TableName: tableName, Key: commandKey('leaves') }))).Item!;
    expect(item.state).toBe('sent');
    expect(item[INDEX.partitionKey]).toBeUndefined();
    expect(item[INDEX.sortKey]).toBeUndefined();
    expect(item.command_json).toBeUndefined();
  });

  it('queued and failed entries are never listed', async () => {
    const { store } = await freshTable();
    for (const [id, state] of [
      ['q', 'queued'],
      ['f', 'failed'],
    ] as const) {
      const body = command(id);
      const claim = await store.claimCommand({
        commandId: id,
        type: body.type,
        fingerprint: commandFingerprint(body),
        leaseMs: 60_000,
      });
      if (!claim.claimed) throw new Error('not claimed');
      await store.finishCommand(id, claim.leaseId, { state, commandJson: JSON.stringify(body) });
    }
    expect(await store.listUnsettledCommands({ before: '2100-01-01T00:00:00.000Z', limit: 10 })).toEqual([]);
  });

  it("never shows in a group timeline or in the sandbox's group list", async () => {
    const { store, documentClient, tableName } = await freshTable();
    const body = command('with-group');
    const claim = await store.claimCommand({
      commandId: 'with-group',
      type: body.type,
      fingerprint: commandFingerprint(body),
      groupId: 'g-unsettled',
      leaseMs: 60_000,
    });
    if (!claim.claimed) throw new Error('not claimed');
    await store.finishCommand('with-group', claim.leaseId, {
      state: 'unknown',
      groupId: 'g-unsettled',
      commandJson: JSON.stringify(body),
    });
    const indexed = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: INDEX.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': INDEX.partitionKey },
        ExpressionAttributeValues: { ':pk': 'UNSETTLED' },
      }),
    );
    expect(indexed.Items).toHaveLength(1); // it is in the index...
    expect((await store.listGroupMessages('g-unsettled', { limit: 10, order: 'desc' })).items).toEqual([]);
    expect(await sandboxGroupList(documentClient, tableName)()).toEqual([]); // ...but in no group
  });
});

describe("the sweep's claim", () => {
  it("takes an unknown entry of the same command, never a different command's, a queued, sent or failed one, or a live attempt", async () => {
    const { store } = await freshTable();
    const body = await leaveUnknown(store, 'claim-me');
    const request = {
      commandId: 'claim-me',
      type: body.type,
      fingerprint: commandFingerprint(body),
      leaseMs: 60_000,
      onlyUnsettled: true,
    };
    expect((await store.claimCommand({ ...request, fingerprint: 'another-command' })).claimed).toBe(false);
    const claim = await store.claimCommand(request);
    expect(claim).toMatchObject({
      claimed: true,
      previous: { state: 'unknown', check_since: '2026-12-01T11:00:00.000Z', failures: 1 },
    });
    // Now a live attempt (the sweep's): neither the sweep nor the queue path may take it.
    expect((await store.claimCommand(request)).claimed).toBe(false);
    expect((await store.claimCommand({ ...request, onlyUnsettled: false })).claimed).toBe(false);
    if (!claim.claimed) return;
    await store.finishCommand('claim-me', claim.leaseId, { state: 'queued' });
    expect((await store.claimCommand(request)).claimed).toBe(false); // queued: the queue path's
    expect((await store.claimCommand({ ...request, commandId: 'no-such-command' })).claimed).toBe(false);
  });

  it('takes a sending entry whose lease expired (an attempt that died after it may have called)', async () => {
    const { store } = await freshTable();
    const body = await leaveUnknown(store, 'abandoned');
    const request = { commandId: 'abandoned', type: body.type, fingerprint: commandFingerprint(body), leaseMs: 1 };
    expect((await store.claimCommand(request)).claimed).toBe(true); // an attempt that then dies
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.claimCommand({ ...request, leaseMs: 60_000, onlyUnsettled: true })).toMatchObject({
      claimed: true,
      previous: { state: 'sending' },
    });
  });
});

describe('a backfilled record is stored exactly as its webhook would be', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSendblueSimulator({
      apiKeyId: 'k',
      apiSecretKey: 's',
      lines: [LINE],
      receiveWebhookUrl: 'http://127.0.0.1:9/unused',
      webhookSecret: 'w',
    });
  });
  afterAll(() => sim?.stop());

  it('the same message and group items (but the time we received them), from the list or from the webhook', async () => {
    sim.dropWebhooks({ drop: 1 });
    const group = sim.createGroup(['+15551230001', '+15551230002'], 'Book club');
    await sim.memberReply(group.group_id, 'See you at 7 🍕');
    const [lost] = sim.callbacks;
    expect(lost).toMatchObject({ kind: 'reply', dropped: true });

    const viaBackfill = await freshTable();
    const relayed: string[] = [];
    const relay: StatusRelay = async (url) => void relayed.push(url);
    const backfillLine = createLineBackfill({
      store: viaBackfill.store,
      relay,
      logger: silentLogger,
      now: () => new Date(),
      sendblue: createSendblueClient({
        credentials: async () => ({ apiKeyId: 'k', apiSecretKey: 's' }),
        baseUrl: sim.url,
        timeoutMs: 2_000,
      }),
      settings: { overlapMs: 600_000, lookbackMs: 600_000, pageSize: 100 },
    });
    expect(await backfillLine(LINE, { pagesLeft: 10, deadlineMs: Date.now() + 10_000 })).toMatchObject({
      found: 1,
      stored: 1,
      stoppedBy: 'done',
    });

    const viaWebhook = await freshTable();
    const ingest = createIngestHandler(
      createIngestDeps({
        store: viaWebhook.store,
        secrets: staticSecretSource({ webhookSecret: 'w', apiKeyId: 'k', apiSecretKey: 's' }),
        logger: silentLogger,
      }),
    );
    const answer = await ingest(
      apiEvent({
        method: 'POST',
        path: '/webhooks/receive',
        headers: { 'sb-signing-secret': 'w' },
        body: JSON.stringify(lost!.payload),
      }),
    );
    expect(answer.statusCode).toBe(200);

    const item = async (table: typeof viaWebhook, key: Record<string, string>) => {
      const { received_at: _received, ...rest } =
        (await table.documentClient.send(new GetCommand({ TableName: table.tableName, Key: key }))).Item ?? {};
      return rest;
    };
    const handle = String(lost!.payload.message_handle);
    expect(await item(viaBackfill, messageKey(handle))).toEqual(await item(viaWebhook, messageKey(handle)));
    expect(await item(viaBackfill, groupKey(group.group_id))).toEqual(await item(viaWebhook, groupKey(group.group_id)));
    expect(await item(viaBackfill, messageKey(handle))).toMatchObject({
      content: 'See you at 7 🍕',
      direction: 'inbound',
      group_display_name: 'Book club',
    });
    expect(relayed).toEqual([]);
  });
});
