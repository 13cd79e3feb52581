import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../../../lambdas/webhooks/ingest-handler.js';
import { createIngestDeps } from '../../../../lambdas/wiring/ingest-deps.js';
import { createReadHandler } from '../../../../lambdas/reads/read-handler.js';
import { silentLogger } from '../../../../lambdas/platform/logger.js';
import { messageKey } from '../../../../lambdas/contract/keys.js';
import { staticSecretSource } from '../../../../sandbox/static-secrets.js';
import { statusCallbackToken } from '../../../../sandbox/static-secrets.js';
import { createTableStore } from '../../../../lambdas/adapters/table.js';
import { apiEvent, inboundPayload, parseBody, statusPayload } from '../../../support/http-events.js';
import { countRequests, freshTable } from '../../../support/table-for-test.js';

// Secrets Manager has no local stand-in: these tests use fixed secret values (staticSecretSource).
const SECRET = 'test-webhook-secret';
const secrets = staticSecretSource({ webhookSecret: SECRET, apiKeyId: 'k', apiSecretKey: 's' });

async function setup() {
  const table = await freshTable();
  const writes = countRequests(table.documentClient);
  const ingest = createIngestHandler(createIngestDeps({ store: table.store, secrets, logger: silentLogger }));
  const read = createReadHandler({ store: table.store, logger: silentLogger });
  const post = (
    route: 'receive' | 'status',
    body: unknown,
    options: { secret?: string | null; token?: string; raw?: string } = {},
  ) =>
    ingest(
      apiEvent({
        method: 'POST',
        path: `/webhooks/${route}`,
        headers:
          options.secret === null
            ? {}
            : { 'sb-signing-secret': options.secret ?? SECRET, 'content-type': 'application/json' },
        query: options.token ? { token: options.token } : undefined,
        body: options.raw ?? JSON.stringify(body),
      }),
    );
  const get = async (path: string, query?: Record<string, string>) => {
    const result = await read(apiEvent({ method: 'GET', path, query }));
    return { status: result.statusCode, body: parseBody(result) };
  };
  return { ...table, writes, ingest, post, get };
}

describe('POST /webhooks/receive', () => {
  it('stores a signed group message with one write and shows it in the group history', async () => {
    const t = await setup();
    const first = inboundPayload();
    await t.post('receive', first); // the first message of a group in this container also writes the group record
    t.writes.length = 0;
    const payload = inboundPayload();
    const result = await t.post('receive', payload);
    expect(result.statusCode).toBe(200);
    expect(t.writes).toEqual(['PutItemCommand']);
    const history = await t.get(`/groups/${payload.group_id}/messages`);
    expect(history.status).toBe(200);
    expect(history.body.messages[0]).toEqual({
      message_handle: payload.message_handle,
      group_id: payload.group_id,
      direction: 'inbound',
      status: 'RECEIVED',
      content: payload.content,
      media_url: null,
      from_number: payload.from_number,
      date_sent: payload.date_sent,
      date_updated: '2026-11-20T17:04:11.640Z',
      send_style: null,
      reactions: [],
    });
  });

  it('answers 200 to a duplicate and changes nothing, also when duplicates arrive concurrently', async () => {
    const t = await setup();
    const payload = inboundPayload();
    const results = await Promise.all(Array.from({ length: 8 }, () => t.post('receive', payload)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    expect(results.filter((r) => parseBody(r).result === 'stored')).toHaveLength(1);
    const before = await t.get(`/messages/${payload.message_handle}`);
    const again = await t.post('receive', { ...payload, content: 'tampered retry' });
    expect(parseBody(again)).toMatchObject({ ok: true, result: 'duplicate' });
    const after = await t.get(`/messages/${payload.message_handle}`);
    expect(after.body).toEqual(before.body);
    const list = await t.get(`/groups/${payload.group_id}/messages`);
    expect(list.body.messages).toHaveLength(1);
  });

  it("a stored handle arriving again under another group changes nothing, not even that group's record", async () => {
    const t = await setup();
    const payload = inboundPayload({ group_id: `g-${crypto.randomUUID()}` });
    await t.post('receive', payload);
    const other = `g-${crypto.randomUUID()}`;
    const again = await t.post('receive', { ...payload, group_id: other, group_display_name: 'Elsewhere' });
    expect(parseBody(again)).toMatchObject({ ok: true, result: 'duplicate' });
    expect(await t.store.getGroup(other)).toBeUndefined();
    expect((await t.get(`/groups/${other}`)).status).toBe(404);
    expect((await t.get(`/messages/${payload.message_handle}`)).body.group_id).toBe(payload.group_id);
  });

  it.each([
    ['missing', null],
    ['wrong', 'not-the-secret'],
    ['the status token on the receive route', undefined],
  ])('rejects a %s secret with 401 and writes nothing', async (_label, secret) => {
    const t = await setup();
    const payload = inboundPayload();
    const result =
      secret === undefined
        ? await t.post('receive', payload, { secret: null, token: statusCallbackToken(SECRET) })
        : await t.post('receive', payload, { secret });
    expect(result.statusCode).toBe(401);
    expect(parseBody(result).error).toMatch(/sb-signing-secret/);
    expect(t.writes).toEqual([]);
    expect((await t.get(`/messages/${payload.message_handle}`)).status).toBe(404);
  });

  it.each([
    ['not JSON', '{"content": "unterminated', 400, /not valid JSON/],
    ['empty', '', 400, /empty/],
    ['an array', '[1,2,3]', 400, /JSON object/],
    ['wrong types', JSON.stringify({ message_handle: 'h', content: 42 }), 400, /content must be a string/],
    ['not a Sendblue payload', JSON.stringify({ hello: 'world' }), 400, /message_handle is required/],
    ['oversized', JSON.stringify({ message_handle: 'h', content: 'x'.repeat(270_000) }), 413, /larger than/],
  ])('rejects a body that is %s with a JSON error and no write', async (_label, raw, status, message) => {
    const t = await setup();
    const result = await t.post('receive', undefined, { raw });
    expect(result.statusCode).toBe(status);
    expect(parseBody(result).error).toMatch(message);
    expect(t.writes).toEqual([]);
  });

  it('stores odd but valid JSON in unmapped fields instead of failing the write', async () => {
    const t = await setup();
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 40; i += 1) deep = { deep };
    const odd = { '': 'empty key', huge: 1e300, precise: 12345678901234567890123456789012345678901234567890, deep };
    const payload = inboundPayload(odd);
    const result = await t.post('receive', undefined, { raw: JSON.stringify(payload) });
    expect(result.statusCode).toBe(200);
    const message = await t.get(`/messages/${payload.message_handle}`);
    expect(message.body.extra).toMatchObject({ '': 'empty key', huge: 1e300, deep });
  });

  it('checks size before the secret, and the secret before parsing', async () => {
    const t = await setup();
    expect((await t.post('receive', undefined, { raw: 'x'.repeat(270_000), secret: 'wrong' })).statusCode).toBe(413);
    expect((await t.post('receive', undefined, { raw: 'not json', secret: 'wrong' })).statusCode).toBe(401);
  });

  it('stores a 1:1 message apart from every group', async () => {
    const t = await setup();
    const payload = inboundPayload({ group_id: '', message_type: 'message', participants: [] });
    expect((await t.post('receive', payload)).statusCode).toBe(200);
    const message = await t.get(`/messages/${payload.message_handle}`);
    expect(message.body).toMatchObject({ group_id: null, content: payload.content });
    // Nothing was filed under the example's group (nor any other).
    expect((await t.get('/groups/8d1f6c2e-3b7a-4e59-9c40-6a2b1f0d7e35/messages')).status).toBe(404);
  });

  it('keeps the group record current without letting an older message overwrite it', async () => {
    const t = await setup();
    const groupId = `g-${crypto.randomUUID()}`;
    const base = { group_id: groupId, group_display_name: 'Team' };
    await t.post(
      'receive',
      inboundPayload({
        ...base,
        participants: ['+14155550123', '+13055550100'],
        date_sent: '2026-11-20T10:00:00.000Z',
      }),
    );
    await t.post(
      'receive',
      inboundPayload({
        ...base,
        participants: ['+13055550100', '+14155550123', '+12125550177'],
        group_display_name: 'Team 2',
        date_sent: '2026-11-20T11:00:00.000Z',
      }),
    );
    await t.post(
      'receive',
      inboundPayload({
        ...base,
        participants: ['+14155550123'],
        group_display_name: 'Old',
        date_sent: '2026-11-20T09:00:00.000Z',
      }),
    );
    const group = await t.get(`/groups/${groupId}`);
    expect(group.body).toMatchObject({
      group_id: groupId,
      members: ['+12125550177', '+13055550100', '+14155550123'],
      name: 'Team 2',
      last_message_at: '2026-11-20T11:00:00.000Z',
    });
    // Message dates, not write times: created_at is the oldest message seen (the late 09:00 one
    // shows the group already existed then), updated_at the one that showed the current membership.
    expect(group.body).toMatchObject({
      created_at: '2026-11-20T09:00:00.000Z',
      updated_at: '2026-11-20T11:00:00.000Z',
    });
  });

  it('shows the newest membership even when another container skipped a write it thought redundant', async () => {
    const t = await setup();
    const containerB = createIngestHandler(createIngestDeps({ store: t.store, secrets, logger: silentLogger }));
    const groupId = `g-${crypto.randomUUID()}`;
    const three = ['+14155550123', '+12125550177', '+13055550100'];
    const four = [...three, '+16175550199'];
    const send = (handler: typeof t.ingest, participants: string[], at: string) =>
      handler(
        apiEvent({
          method: 'POST',
          path: '/webhooks/receive',
          headers: { 'sb-signing-secret': SECRET },
          body: JSON.stringify(inboundPayload({ group_id: groupId, participants, date_sent: at })),
        }),
      );
    await send(t.ingest, three, '2026-11-20T10:00:00.000Z'); // container A writes 3 members
    await send(containerB, four, '2026-11-20T11:00:00.000Z'); // B writes 4
    t.writes.length = 0;
    await send(t.ingest, three, '2026-11-20T12:00:00.000Z'); // back to 3: A's cache says "already written"
    expect(t.writes).toEqual(['PutItemCommand']);
    expect((await t.get(`/groups/${groupId}`)).body.members).toEqual([...three].sort());
  });

  it.each([
    [
      'members only',
      { participants: ['+14155550123', '+12125550177'], group_display_name: '' },
      { members: ['+12125550177', '+14155550123'], name: null },
    ],
    ['the name only', { participants: null, group_display_name: 'Renamed' }, { members: [], name: 'Renamed' }],
  ])('updates the group record from a message that carries %s', async (_label, fields, expected) => {
    const t = await setup();
    const groupId = `g-${crypto.randomUUID()}`;
    expect((await t.post('receive', inboundPayload({ group_id: groupId, ...fields }))).statusCode).toBe(200);
    expect((await t.get(`/groups/${groupId}`)).body).toMatchObject(expected);
  });

  it('answers 400, never 503, to unmapped fields nested deeper than the limit, and stores nothing', async () => {
    const t = await setup();
    for (const levels of [65, 5_000]) {
      const payload = inboundPayload();
      const raw = JSON.stringify(payload).replace(/}$/, `,"deep":${'['.repeat(levels)}${']'.repeat(levels)}}`);
      const result = await t.post('receive', undefined, { raw });
      expect(result.statusCode, `${levels} levels`).toBe(400);
      expect(parseBody(result).error).toMatch(/nested deeper than 64 levels/);
      expect((await t.get(`/messages/${payload.message_handle}`)).status).toBe(404);
    }
    expect(t.writes).toEqual([]);
  });

  it.each([
    [
      'a message_handle of 257 characters',
      { message_handle: 'h'.repeat(257) },
      /message_handle must be 1 to 256 characters/,
    ],
    ['a group_id of 257 characters', { group_id: 'g'.repeat(257) }, /group_id must be 1 to 256 characters/],
    [
      'a message_handle with a lone surrogate',
      { message_handle: 'x\\ud800' },
      /message_handle must be valid Unicode text/,
    ],
    ['a group_id with a lone surrogate', { group_id: 'g\\udc00x' }, /group_id must be valid Unicode text/],
    ['a control character in a group_id', { group_id: 'g\\u0085' }, /group_id must not contain control characters/],
    ['date_sent "hello 7"', { date_sent: 'hello 7' }, /date_sent must be an ISO-8601 date/],
    ['date_sent in year 10000', { date_sent: '+010000-01-01T00:00:00.000Z' }, /date_sent must be an ISO-8601 date/],
    ['date_sent in 1999', { date_sent: '1999-12-31T23:59:59.000Z' }, /date_sent must be between 2000 and 2100/],
    [
      'date_updated without a time zone',
      { date_updated: '2026-11-20T17:04:11' },
      /date_updated must be an ISO-8601 date/,
    ],
    ['date_sent on February 30', { date_sent: '2026-02-30T10:00:00Z' }, /date_sent must be an ISO-8601 date/],
  ])('refuses %s with 400 and stores nothing', async (_label, fields, message) => {
    const t = await setup();
    const payload = inboundPayload();
    // Built by hand: JSON.stringify would escape a lone surrogate differently than a client may send it.
    const raw = JSON.stringify(payload).replace(
      /}$/,
      `,${Object.entries(fields)
        .map(([k, v]) => `"${k}":"${v}"`)
        .join(',')}}`,
    );
    const result = await t.post('receive', undefined, { raw });
    expect(result.statusCode).toBe(400);
    expect(parseBody(result).error).toMatch(message);
    expect(t.writes).toEqual([]);
  });

  it('a refused id with a lone surrogate does not make a later, different id a duplicate', async () => {
    const t = await setup();
    const base = JSON.stringify(inboundPayload({ message_handle: 'PLACEHOLDER' }));
    const handle = `x-${crypto.randomUUID()}`;
    const first = await t.post('receive', undefined, { raw: base.replace('PLACEHOLDER', `${handle}\\ud800`) });
    expect(first.statusCode).toBe(400);
    const second = await t.post('receive', undefined, { raw: base.replace('PLACEHOLDER', `${handle}?`) });
    expect(parseBody(second)).toMatchObject({ ok: true, result: 'stored' });
  });

  it('accepts the ISO-8601 forms Sendblue sends and stores them normalised to UTC', async () => {
    const t = await setup();
    for (const [given, stored] of [
      ['2026-11-20T17:04:11.512Z', '2026-11-20T17:04:11.512Z'],
      ['2026-11-20T17:04:11Z', '2026-11-20T17:04:11.000Z'],
      ['2026-11-20T18:04:11.512+01:00', '2026-11-20T17:04:11.512Z'],
      ['2026-11-20T17:04:11.512345Z', '2026-11-20T17:04:11.512Z'],
    ]) {
      const payload = inboundPayload({ date_sent: given });
      expect((await t.post('receive', payload)).statusCode, given).toBe(200);
      expect((await t.get(`/messages/${payload.message_handle}`)).body.date_sent, given).toBe(stored);
    }
  });

  it('write order: a failed group write answers 503 after the message was stored, and the retry stores the group record', async () => {
    const t = await setup();
    // Fault injection: the first UpdateItem on a group record fails as if DynamoDB were unavailable.
    let failNext = true;
    t.documentClient.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Key?: Record<string, unknown> };
        if (failNext && String(input.Key?.PK ?? '').startsWith('GROUP#')) {
          failNext = false;
          throw Object.assign(new Error('injected fault: group write unavailable'), { name: 'ServiceUnavailable' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failGroupWriteOnce' },
    );
    const groupId = `g-${crypto.randomUUID()}`;
    const payload = inboundPayload({ group_id: groupId, group_display_name: 'Retried' });
    const first = await t.post('receive', payload);
    expect(first.statusCode).toBe(503);
    expect(failNext).toBe(false);
    // Message first: it is already stored, the group record is not.
    expect((await t.get(`/messages/${payload.message_handle}`)).status).toBe(200);
    expect(await t.store.getGroup(groupId)).toBeUndefined();
    // Sendblue retries: a duplicate for the message, and the group write is done again.
    const retry = await t.post('receive', payload);
    expect(parseBody(retry)).toMatchObject({ ok: true, result: 'duplicate' });
    expect(await t.store.getGroup(groupId)).toMatchObject({
      group_id: groupId,
      group_name: 'Retried',
      members: [...(payload.participants as string[])].sort(),
    });
  });

  it('answers 503 and writes nothing when storage fails, so Sendblue retries', async () => {
    const t = await setup();
    const broken = createTableStore({ documentClient: t.documentClient, tableName: 'no-such-table' });
    const ingest = createIngestHandler(createIngestDeps({ store: broken, secrets, logger: silentLogger }));
    const payload = inboundPayload();
    const result = await ingest(
      apiEvent({
        method: 'POST',
        path: '/webhooks/receive',
        headers: { 'sb-signing-secret': SECRET },
        body: JSON.stringify(payload),
      }),
    );
    expect(result.statusCode).toBe(503);
    expect((await t.get(`/messages/${payload.message_handle}`)).status).toBe(404);
  });

  it('answers 503 when the webhook secret cannot be read', async () => {
    const t = await setup();
    const ingest = createIngestHandler(
      createIngestDeps({
        store: t.store,
        secrets: {
          webhookSecret: () => Promise.reject(new Error('throttled')),
          callbackToken: () => Promise.reject(new Error('x')),
        },
        logger: silentLogger,
      }),
    );
    const result = await ingest(
      apiEvent({ method: 'POST', path: '/webhooks/receive', headers: { 'sb-signing-secret': SECRET }, body: '{}' }),
    );
    expect(result.statusCode).toBe(503);
    expect(t.writes).toEqual([]);
  });
});

describe('POST /webhooks/status', () => {
  const outbound = (handle: string, status: string, dateUpdated: string) =>
    statusPayload({ message_handle: handle, status, date_updated: dateUpdated });

  it('accepts the status token from the URL without the header', async () => {
    const t = await setup();
    const handle = `out-${crypto.randomUUID()}`;
    const result = await t.post('status', outbound(handle, 'SENT', '2026-11-20T17:05:03.000Z'), {
      secret: null,
      token: statusCallbackToken(SECRET),
    });
    expect(result.statusCode).toBe(200);
    expect(
      (await t.post('status', outbound(handle, 'SENT', '2026-11-20T17:05:03.000Z'), { secret: null, token: 'forged' }))
        .statusCode,
    ).toBe(401);
  });

  it('refuses with 403 an inbound message authenticated only by the status token, and stores nothing', async () => {
    const t = await setup();
    const groupId = `g-${crypto.randomUUID()}`;
    const token = statusCallbackToken(SECRET);
    await t.post(
      'receive',
      inboundPayload({ group_id: groupId, group_display_name: 'Real name', date_sent: '2026-11-20T10:00:00.000Z' }),
    );
    t.writes.length = 0;
    const forged = inboundPayload({
      group_id: groupId,
      is_outbound: false,
      participants: ['+19995550100'],
      group_display_name: 'Hijacked',
      date_sent: '2026-11-20T11:00:00.000Z',
    });
    const result = await t.post('status', forged, { secret: null, token });
    expect(result.statusCode).toBe(403);
    expect(parseBody(result).error).toMatch(/status token .* outbound/);
    expect(t.writes).toEqual([]);
    expect((await t.get(`/messages/${forged.message_handle}`)).status).toBe(404);
    expect((await t.get(`/groups/${groupId}`)).body).toMatchObject({ name: 'Real name' });
    // With the signing header the status route still takes the account's webhooks, inbound included.
    expect((await t.post('status', forged)).statusCode).toBe(200);
  });

  it("a status event with only the token cannot change a group's members or name", async () => {
    const t = await setup();
    const groupId = `g-${crypto.randomUUID()}`;
    const members = ['+14155550123', '+12125550177'];
    await t.post(
      'receive',
      inboundPayload({
        group_id: groupId,
        participants: members,
        group_display_name: 'Real name',
        date_sent: '2026-11-20T10:00:00.000Z',
      }),
    );
    const handle = `out-${crypto.randomUUID()}`;
    const status = statusPayload({
      message_handle: handle,
      group_id: groupId,
      status: 'SENT',
      participants: ['+19995550100'],
      group_display_name: 'Hijacked',
      date_sent: '2026-11-20T11:00:00.000Z',
    });
    expect((await t.post('status', status, { secret: null, token: statusCallbackToken(SECRET) })).statusCode).toBe(200);
    expect((await t.get(`/messages/${handle}`)).body).toMatchObject({ status: 'SENT', participants: null });
    expect((await t.get(`/groups/${groupId}`)).body).toMatchObject({ members: [...members].sort(), name: 'Real name' });
  });

  it('refuses a status event for a message that is inbound, and changes nothing', async () => {
    const t = await setup();
    const payload = inboundPayload();
    await t.post('receive', payload);
    const before = await t.get(`/messages/${payload.message_handle}`);
    t.writes.length = 0;
    const result = await t.post(
      'status',
      outbound(payload.message_handle as string, 'ERROR', '2026-11-20T17:05:03.000Z'),
      { secret: null, token: statusCallbackToken(SECRET) },
    );
    expect(result.statusCode).toBe(409);
    expect(parseBody(result).error).toMatch(/inbound/);
    expect(t.writes).toEqual(['UpdateItemCommand']); // the conditional update that was refused
    expect(await t.get(`/messages/${payload.message_handle}`)).toEqual(before);
  });

  it('keeps a status for a message not seen yet, with at most two writes', async () => {
    const t = await setup();
    const handle = `out-${crypto.randomUUID()}`;
    const result = await t.post('status', outbound(handle, 'SENT', '2026-11-20T17:05:03.000Z'));
    expect(result.statusCode).toBe(200);
    expect(t.writes).toEqual(['UpdateItemCommand', 'PutItemCommand']);
    const message = await t.get(`/messages/${handle}`);
    expect(message.body).toMatchObject({ status: 'SENT', direction: 'outbound', content: 'Deploy finished' });
  });

  it('moves the status forward only, and keeps every distinct status once in the history', async () => {
    const t = await setup();
    const handle = `out-${crypto.randomUUID()}`;
    await t.post('status', outbound(handle, 'QUEUED', '2026-11-20T17:05:02.101Z'));
    await t.post('status', outbound(handle, 'DELIVERED', '2026-11-20T17:05:04.877Z'));
    const late = await t.post('status', outbound(handle, 'SENT', '2026-11-20T17:05:03.500Z'));
    await t.post('status', outbound(handle, 'DELIVERED', '2026-11-20T17:05:04.877Z'));
    expect(parseBody(late)).toMatchObject({ ok: true, result: 'history-only' });
    const message = await t.get(`/messages/${handle}`);
    expect(message.body.status).toBe('DELIVERED');
    expect(message.body.date_updated).toBe('2026-11-20T17:05:04.877Z');
    expect(message.body.status_history).toEqual([
      { status: 'QUEUED', date_updated: '2026-11-20T17:05:02.101Z' },
      { status: 'SENT', date_updated: '2026-11-20T17:05:03.500Z' },
      { status: 'DELIVERED', date_updated: '2026-11-20T17:05:04.877Z' },
    ]);
  });

  it('treats ERROR as terminal and keeps its reason', async () => {
    const t = await setup();
    const handle = `out-${crypto.randomUUID()}`;
    await t.post('status', {
      ...outbound(handle, 'ERROR', '2026-11-20T17:05:03.000Z'),
      error_code: 10001,
      error_message: 'failed to send',
    });
    await t.post('status', outbound(handle, 'DELIVERED', '2026-11-20T17:05:04.000Z'));
    const message = await t.get(`/messages/${handle}`);
    expect(message.body).toMatchObject({ status: 'ERROR', error_code: '10001', error_message: 'failed to send' });
  });

  it('applies concurrent out-of-order statuses to the highest one', async () => {
    const t = await setup();
    const handle = `out-${crypto.randomUUID()}`;
    const statuses = ['READ', 'QUEUED', 'SENT', 'DELIVERED', 'ACCEPTED', 'SENT', 'QUEUED'];
    const results = await Promise.all(
      statuses.map((s, i) => t.post('status', outbound(handle, s, `2026-11-20T17:05:0${i}.000Z`))),
    );
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    const message = await t.get(`/messages/${handle}`);
    expect(message.body.status).toBe('READ');
    expect(message.body.status_history.map((h: { status: string }) => h.status).sort()).toEqual([
      'ACCEPTED',
      'DELIVERED',
      'QUEUED',
      'READ',
      'SENT',
    ]);
  });

  it('relays each new status (late ones too) to the stored status_callback once, and a failing relay never fails the webhook', async () => {
    const t = await setup();
    const received: string[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(body);
        res.statusCode = received.length === 1 ? 200 : 500;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const handle = `out-${crypto.randomUUID()}`;
    await t.documentClient.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: messageKey(handle),
        UpdateExpression: 'SET relay_url = :u, message_handle = :h, direction = :d',
        ExpressionAttributeValues: { ':u': `http://127.0.0.1:${port}/hook`, ':h': handle, ':d': 'outbound' },
      }),
    );
    const sent = outbound(handle, 'SENT', '2026-11-20T17:05:03.000Z');
    expect((await t.post('status', sent)).statusCode).toBe(200);
    expect((await t.post('status', sent)).statusCode).toBe(200); // duplicate: not relayed again
    expect((await t.post('status', outbound(handle, 'DELIVERED', '2026-11-20T17:05:04.000Z'))).statusCode).toBe(200); // relay answers 500
    // A late status does not move the message back but is new history: relayed too.
    expect((await t.post('status', outbound(handle, 'QUEUED', '2026-11-20T17:05:02.000Z'))).statusCode).toBe(200);
    server.close();
    expect(received.map((b) => JSON.parse(b).status)).toEqual(['SENT', 'DELIVERED', 'QUEUED']);
    expect(JSON.parse(received[0]!)).toEqual(sent);
    // Relay target gone: still 200.
    expect((await t.post('status', outbound(handle, 'READ', '2026-11-20T17:05:05.000Z'))).statusCode).toBe(200);
  });

  describe('a per-member DECLINED (one member opted out) for a group message', () => {
    // As the simulator (and, per our reading, Sendblue) posts it: same handle, the member named.
    const declined = (handle: string, member: string, extra: Record<string, unknown> = {}) =>
      statusPayload({
        message_handle: handle,
        status: 'DECLINED',
        error_code: 4002,
        error_message: 'The recipient has opted out (texted STOP): not delivered to them',
        error_reason: 'opted_out',
        number: member,
        to_number: member,
        opted_out: true,
        date_updated: '2026-11-20T17:05:02.500Z',
        ...extra,
      });

    it("is kept in the history per member and never moves the message's own status", async () => {
      const t = await setup();
      const handle = `out-${crypto.randomUUID()}`;
      expect((await t.post('status', outbound(handle, 'QUEUED', '2026-11-20T17:05:02.101Z'))).statusCode).toBe(200);
      t.writes.length = 0;
      const first = await t.post('status', declined(handle, '+12125550177'));
      expect(first.statusCode).toBe(200);
      expect(parseBody(first)).toEqual({ ok: true, kind: 'member-status', result: 'stored' });
      expect(t.writes).toEqual(['PutItemCommand']); // one write (after one read of the message)
      expect(parseBody(await t.post('status', declined(handle, '+12125550177')))).toMatchObject({
        result: 'duplicate',
      });
      expect(parseBody(await t.post('status', declined(handle, '+14155550123')))).toMatchObject({ result: 'stored' });
      // The message goes on: SENT and DELIVERED still move it (DECLINED would have ended it).
      await t.post('status', outbound(handle, 'SENT', '2026-11-20T17:05:03.000Z'));
      await t.post('status', outbound(handle, 'DELIVERED', '2026-11-20T17:05:04.877Z'));
      const message = await t.get(`/messages/${handle}`);
      expect(message.body.status).toBe('DELIVERED');
      expect(message.body.status_history).toEqual([
        { status: 'QUEUED', date_updated: '2026-11-20T17:05:02.101Z' },
        { status: 'DECLINED', date_updated: '2026-11-20T17:05:02.500Z', member: '+12125550177' },
        { status: 'DECLINED', date_updated: '2026-11-20T17:05:02.500Z', member: '+14155550123' },
        { status: 'SENT', date_updated: '2026-11-20T17:05:03.000Z' },
        { status: 'DELIVERED', date_updated: '2026-11-20T17:05:04.877Z' },
      ]);
    });

    it('a DECLINED that is not an opt-out refusal (no member, no opted_out) stays the terminal status it was', async () => {
      const t = await setup();
      const handle = `out-${crypto.randomUUID()}`;
      await t.post('status', outbound(handle, 'SENT', '2026-11-20T17:05:03.000Z'));
      const plain = statusPayload({
        message_handle: handle,
        status: 'DECLINED',
        date_updated: '2026-11-20T17:05:04.000Z',
      });
      expect(parseBody(await t.post('status', plain))).toMatchObject({ kind: 'status', result: 'advanced' });
      await t.post('status', outbound(handle, 'DELIVERED', '2026-11-20T17:05:05.000Z'));
      expect((await t.get(`/messages/${handle}`)).body.status).toBe('DECLINED');
      // A member named but not a valid number: not a per-member refusal either.
      const other = `out-${crypto.randomUUID()}`;
      await t.post('status', declined(other, 'not-a-number'));
      expect((await t.get(`/messages/${other}`)).body.status).toBe('DECLINED');
    });

    it('kept before the sender stored the message, and refused (409) for an inbound message', async () => {
      const t = await setup();
      const handle = `out-${crypto.randomUUID()}`;
      expect(parseBody(await t.post('status', declined(handle, '+12125550177')))).toMatchObject({
        kind: 'member-status',
        result: 'stored',
      });
      expect((await t.get(`/messages/${handle}`)).status).toBe(404); // no message was invented
      await t.post('status', outbound(handle, 'SENT', '2026-11-20T17:05:03.000Z'));
      const message = await t.get(`/messages/${handle}`);
      expect(message.body.status).toBe('SENT');
      expect(message.body.status_history.map((h: { member?: string }) => h.member ?? null)).toEqual([
        '+12125550177',
        null,
      ]);
      const inbound = inboundPayload();
      await t.post('receive', inbound);
      const refused = await t.post('status', declined(inbound.message_handle as string, '+12125550177'));
      expect(refused.statusCode).toBe(409);
    });
  });
});
