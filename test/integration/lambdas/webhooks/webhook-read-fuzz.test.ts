/**
 * Issue 10, done means: a seeded fuzz of the webhook and read routes. Over 2,000 hostile bodies per
 * webhook route and over 600 read requests, most through the handlers directly (fast), a share over
 * real HTTP through the sandbox's API Gateway adapter, all against DynamoDB Local:
 *   - no answer is a 5xx;
 *   - every body answered 200 is readable: GET /messages/{handle}, and in its group's timeline in
 *     both orders (each timeline entry equal to the message's own view);
 *   - nothing answered 4xx was stored: every item in the table belongs to a body answered 200.
 * Failures print the seed; FUZZ_SEED=<n> npx vitest run test/integration/lambdas/webhooks/webhook-read-fuzz.test.ts replays one.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../../../lambdas/webhooks/ingest-handler.js';
import { createIngestDeps } from '../../../../lambdas/wiring/ingest-deps.js';
import { createReadHandler } from '../../../../lambdas/reads/read-handler.js';
import { encodeCursor } from '../../../../lambdas/reads/cursor.js';
import { silentLogger } from '../../../../lambdas/platform/logger.js';
import { staticSecretSource } from '../../../../sandbox/static-secrets.js';
import { statusCallbackToken } from '../../../../sandbox/static-secrets.js';
import { createApiServer, type ApiServer } from '../../../../sandbox/http-adapter.js';
import { fuzzId, hostileValue, int, mulberry32, nested, pick, type Random } from '../../../support/fuzz.js';
import type { TestTable } from '../../../support/dynamodb.js';
import { apiEvent, fixture } from '../../../support/http-events.js';
import { freshTable } from '../../../support/table-for-test.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const DIRECT_BODIES_PER_ROUTE = 2_000;
const HTTP_BODIES_PER_ROUTE = 150;
const DIRECT_READS = 600;
const HTTP_READS = 150;
const CONCURRENCY = 8;
const SECRET = 'fuzz-secret';
const TOKEN = statusCallbackToken(SECRET);
const secrets = staticSecretSource({ webhookSecret: SECRET, apiKeyId: 'k', apiSecretKey: 's' });
const GROUPS = Array.from({ length: 20 }, (_, i) => `fuzz-group-${i}`);
const seedNote = (detail: string) => `seed ${SEED} (FUZZ_SEED=${SEED} to replay): ${detail}`.slice(0, 600);

type Route = 'receive' | 'status';
interface Answer {
  status: number;
  body: any;
}
interface WebhookCase {
  route: Route;
  raw: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  payload?: Record<string, unknown>;
}
/** The first body stored under a handle; `others` counts different bodies answered 200 for it since. */
interface Stored {
  route: Route;
  payload: Record<string, unknown>;
  raw: string;
  viaToken: boolean;
  others: number;
}

let table: TestTable;
let ingest: ReturnType<typeof createIngestHandler>;
let read: ReturnType<typeof createReadHandler>;
let api: ApiServer;
let apiUrl: string;
const random = mulberry32(SEED);
const stored = new Map<string, Stored>();
const answers: Record<Route, Record<number, number>> = { receive: {}, status: {} };
const inboundHandles: string[] = [];
const cursorsSeen: string[] = [];

beforeAll(async () => {
  table = await freshTable();
  ingest = createIngestHandler(createIngestDeps({ store: table.store, secrets, logger: silentLogger }));
  read = createReadHandler({ store: table.store, logger: silentLogger });
  api = createApiServer({ handlers: { ingest, read }, logger: silentLogger });
  apiUrl = await api.listen(0);
});
afterAll(async () => {
  await api?.close();
  await table?.drop();
});

/** The body of one webhook: a documented payload, mutated; now and then something worse. */
function webhookCase(route: Route, sent: WebhookCase[]): WebhookCase {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const query: Record<string, string> = {};
  const credential = random();
  if (route === 'status' && credential < 0.3) query.token = credential < 0.28 ? TOKEN : 'forged-token';
  else if (credential > 0.98) headers['sb-signing-secret'] = 'wrong';
  else if (credential < 0.99) headers['sb-signing-secret'] = SECRET;

  const roll = random();
  if (roll < 0.04) {
    const raw = pick(random, rawOddities());
    return { route, headers, query, raw, payload: objectOf(raw) };
  }
  const retryable = sent.filter((c) => c.route === route && c.payload);
  if (roll < 0.07 && retryable.length) return { ...pick(random, retryable) }; // Sendblue retries: an exact duplicate
  if (route === 'status' && roll < 0.1 && inboundHandles.length) {
    const payload = {
      ...fixture('status-callback.json'),
      message_handle: pick(random, inboundHandles),
      status: pick(random, ['SENT', 'ERROR']),
    };
    return { route, headers, query, payload, raw: JSON.stringify(payload) };
  }
  const base =
    route === 'receive'
      ? fixture('receive-group.json')
      : pick(random, [fixture('status-callback.json'), fixture('send-group-message-response.json')]);
  const payload: Record<string, unknown> = {
    ...base,
    message_handle: fuzzId(random, route === 'receive' ? 'in' : 'out'),
    group_id: random() < 0.8 ? pick(random, GROUPS) : random() < 0.5 ? pick(random, ['', null]) : fuzzId(random, 'g'),
    date_sent: new Date(Date.UTC(2026, 10, 20) + int(random, 86_400_000)).toISOString(),
  };
  for (const key of Object.keys(payload)) {
    const change = random();
    if (change < 0.03) delete payload[key];
    else if (change < 0.08) payload[key] = hostileValue(random);
  }
  // The account's outbound webhook may carry inbound messages (with the header); the token may not.
  if (route === 'status' && random() < 0.06) payload.is_outbound = false;
  if (random() < 0.3) payload[asText(hostileValue(random)).slice(0, 300)] = hostileValue(random);
  // An own "__proto__" field (plain assignment would set the prototype instead).
  if (random() < 0.05) Object.defineProperty(payload, '__proto__', { value: { polluted: true }, enumerable: true });
  return { route, headers, query, payload, raw: JSON.stringify(payload) };
}

/** The payload a raw body stands for, as the handler reads it (leading and trailing whitespace, a BOM included, ignored). */
function objectOf(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw.trim());
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function rawOddities(): string[] {
  const deep = JSON.stringify({ message_handle: `deep-${random()}`, status: 'SENT' }).replace(
    /}$/,
    `,"x":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
  );
  return [
    '',
    ' ',
    'null',
    '[]',
    '"text"',
    '42',
    '{',
    '{"message_handle":',
    '{"message_handle":"a","message_handle":7}',
    `{"message_handle":"${'h'.repeat(200_000)}"}`,
    deep,
    JSON.stringify({ message_handle: `nest-${random()}`, x: nested(80) }),
    '\ufeff{"message_handle":"bom"}',
    '{"message_handle":"x\\ud800","content":"a"}',
  ];
}

async function sendDirect(c: WebhookCase): Promise<Answer> {
  const event = apiEvent({
    method: 'POST',
    path: `/webhooks/${c.route}`,
    headers: c.headers,
    query: c.query,
    body: c.raw,
  });
  const result = await ingest(event);
  return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? 'null') };
}

async function sendHttp(c: WebhookCase): Promise<Answer> {
  const search = new URLSearchParams(c.query).toString();
  const response = await fetch(`${apiUrl}/webhooks/${c.route}${search ? `?${search}` : ''}`, {
    method: 'POST',
    headers: c.headers,
    body: c.raw,
  });
  return { status: response.status, body: await response.json() };
}

function record(c: WebhookCase, answer: Answer): void {
  answers[c.route][answer.status] = (answers[c.route][answer.status] ?? 0) + 1;
  const label = seedNote(`${c.route} ${JSON.stringify(c.query)} ${c.raw.slice(0, 300)}`);
  expect(answer.status, label).toBeLessThan(500);
  expect([200, 400, 401, 403, 409, 413], label).toContain(answer.status);
  expect(answer.body, label).toEqual(
    answer.status === 200 ? expect.objectContaining({ ok: true }) : { error: expect.any(String) },
  );
  if (answer.status !== 200) return;
  const handle = c.payload?.message_handle as string;
  expect(typeof handle, label).toBe('string');
  const first = stored.get(handle);
  if (!first)
    stored.set(handle, {
      route: c.route,
      payload: c.payload!,
      raw: c.raw,
      viaToken: c.query.token !== undefined,
      others: 0,
    });
  else if (first.raw !== c.raw) first.others += 1; // a hostile id that two bodies happened to share
  if (answer.body.kind === 'message' && answer.body.result === 'stored') inboundHandles.push(handle);
}

/** A read through the handler; the id goes into pathParameters as API Gateway decodes it (a "/" included). */
const getDirect = async (template: string, id: string, query?: Record<string, string>): Promise<Answer> => {
  const event: APIGatewayProxyEventV2 = apiEvent({ method: 'GET', path: template.replace('ID', 'placeholder'), query });
  event.pathParameters = { [Object.keys(event.pathParameters!)[0]!]: id };
  const result = await read(event);
  return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? 'null') };
};
const segment = (id: string) => encodeURIComponent(id);
/** A hostile value as text (String() throws on an object whose own toString is not a function). */
const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined'));

describe(`webhook and read fuzz (seed ${SEED})`, () => {
  it(`answers ${DIRECT_BODIES_PER_ROUTE + HTTP_BODIES_PER_ROUTE} bodies per webhook route with 200 or a 4xx JSON error, never 5xx`, async () => {
    const sent: WebhookCase[] = [];
    const cases = (count: number) =>
      Array.from({ length: count * 2 }, (_, i) => {
        const c = webhookCase(i % 2 ? 'status' : 'receive', sent);
        sent.push(c);
        return c;
      });
    // Generated batch by batch (a retry repeats a body of an earlier batch, never a concurrent one).
    for (let done = 0; done < DIRECT_BODIES_PER_ROUTE * 2; done += CONCURRENCY) {
      const batch = cases(CONCURRENCY / 2);
      const results = await Promise.all(batch.map(sendDirect));
      batch.forEach((c, i) => record(c, results[i]!));
    }
    for (const c of cases(HTTP_BODIES_PER_ROUTE)) record(c, await sendHttp(c));

    // Both outcomes must be common, or the fuzz proves little.
    for (const route of ['receive', 'status'] as const) {
      const total = Object.values(answers[route]).reduce((a, b) => a + b, 0);
      expect(total).toBe(DIRECT_BODIES_PER_ROUTE + HTTP_BODIES_PER_ROUTE);
      expect(answers[route][200], seedNote(JSON.stringify(answers))).toBeGreaterThan(total * 0.3);
      expect(answers[route][400], seedNote(JSON.stringify(answers))).toBeGreaterThan(total * 0.1);
    }
    expect(answers.status[403], seedNote('token-only inbound bodies')).toBeGreaterThan(0);
    expect(answers.status[409], seedNote('statuses for inbound messages')).toBeGreaterThan(0);
  }, 120_000);

  it('makes every message answered 200 readable by handle and in its group timeline, in both orders', async () => {
    const views = new Map<string, any>();
    const groups = new Map<string, Set<string>>();
    for (const [handle, { route, payload, viaToken, others }] of stored) {
      const label = seedNote(`${handle.slice(0, 80)} ${JSON.stringify(payload).slice(0, 300)}`);
      const message = await getDirect('/messages/ID', handle);
      expect(message.status, label).toBe(200);
      expect(message.body.message_handle, label).toBe(handle);
      views.set(handle, message.body);
      const groupId = message.body.group_id as string | null;
      if (groupId !== null) groups.set(groupId, (groups.get(groupId) ?? new Set()).add(handle));
      // Fields are the first body's, unless a later body under the same id filled what it lacked.
      if (others) continue;
      const text = (field: string) =>
        typeof payload[field] === 'string' && payload[field] !== '' ? payload[field] : null;
      const direction =
        typeof payload.is_outbound === 'boolean'
          ? payload.is_outbound
            ? 'outbound'
            : 'inbound'
          : route === 'receive'
            ? 'inbound'
            : 'outbound';
      expect(message.body, label).toMatchObject({
        message_handle: handle,
        group_id: text('group_id'),
        direction,
        content: text('content'),
        media_url: text('media_url'),
        from_number: text('from_number'),
      });
      if (viaToken) expect(message.body.participants, label).toBeNull();
    }
    expect(stored.size).toBeGreaterThan(1_000);

    for (const [groupId, handles] of groups) {
      expect((await getDirect('/groups/ID', groupId)).status, seedNote(groupId)).toBe(200);
      for (const order of ['desc', 'asc'] as const) {
        const limit = String(1 + int(random, 100));
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await getDirect('/groups/ID/messages', groupId, { order, limit, ...(cursor ? { cursor } : {}) });
          expect(page.status, seedNote(`${groupId} ${order}`)).toBe(200);
          for (const entry of page.body.messages) {
            // The timeline entry shows the message exactly as GET /messages/{handle} does.
            const {
              error_code: _c,
              error_message: _m,
              participants: _p,
              extra: _e,
              status_history: _h,
              media_archive: _a,
              media_archive_url: _u,
              ...view
            } = views.get(entry.message_handle) ?? {};
            expect(entry, seedNote(`${groupId} ${entry.message_handle}`)).toEqual(view);
          }
          seen.push(...page.body.messages.map((m: { message_handle: string }) => m.message_handle));
          cursor = page.body.next_cursor;
          if (cursor) cursorsSeen.push(cursor);
        } while (cursor);
        expect(new Set(seen).size, seedNote(`${groupId} ${order}: no message twice`)).toBe(seen.length);
        expect([...seen].sort(), seedNote(`${groupId} ${order} limit ${limit}`)).toEqual([...handles].sort());
      }
    }
  }, 240_000);

  it('stored nothing for a body answered 4xx: every item in the table belongs to a body answered 200', async () => {
    const groupsOfStored = new Set([...stored.values()].map((s) => s.payload.group_id));
    const inbound = new Set(inboundHandles);
    let items = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await table.documentClient.send(
        new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) {
        items += 1;
        const [kind, ...rest] = String(item.PK).split('#');
        const id = rest.join('#');
        const label = seedNote(`${item.PK} ${item.SK}`);
        if (kind === 'MSG') {
          expect(stored.has(id), label).toBe(true);
          // Status events never touch an inbound message: no history under one.
          if (String(item.SK).startsWith('STATUS#')) expect(inbound.has(id), label).toBe(false);
        } else {
          expect(kind, label).toBe('GROUP');
          expect(groupsOfStored.has(id), label).toBe(true);
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    expect(items).toBeGreaterThanOrEqual(stored.size);
  }, 240_000);

  it(`answers ${DIRECT_READS + HTTP_READS} hostile read requests with 200, 400 or 404 and a JSON body, never 5xx`, async () => {
    const handles = [...stored.keys()];
    const ids = (): string => {
      const roll = random();
      if (roll < 0.3 && handles.length) return pick(random, handles);
      if (roll < 0.5) return pick(random, GROUPS);
      return asText(hostileValue(random));
    };
    // Forged cursors name the group being read, so that they pass the group check and test the rest.
    const forgedCursor = (r: Random, groupId: string) => {
      switch (int(r, 5)) {
        case 0:
          return cursorsSeen.length ? pick(r, cursorsSeen) : 'e30';
        case 1:
          return cursorsSeen.length ? pick(r, cursorsSeen).slice(0, int(r, 40)) : '';
        case 2:
          return encodeCursor({
            PK: asText(hostileValue(r)),
            SK: 'MSG',
            GSI1PK: `GROUP#${groupId}`,
            GSI1SK: asText(hostileValue(r)),
          })!;
        case 3:
          return encodeCursor({ PK: '', SK: '', GSI1PK: `GROUP#${groupId}`, GSI1SK: '' })!;
        default:
          return asText(hostileValue(r)).slice(0, 3_000);
      }
    };
    const request = () => {
      const id = ids();
      const kind = int(random, 4);
      const path = ['/groups/ID', '/groups/ID/messages', '/messages/ID', '/commands/ID'][kind]!;
      const query: Record<string, string> = {};
      if (kind === 1) {
        if (random() < 0.6)
          query.limit = pick(random, [
            '1',
            '7',
            '50',
            '100',
            '0',
            '101',
            '1e2',
            '0x10',
            ' 5',
            '-1',
            '5.5',
            '',
            'abc',
            '9'.repeat(20),
          ]);
        if (random() < 0.5) query.order = pick(random, ['asc', 'desc', 'ASC', '', 'sideways']);
        if (random() < 0.6) query.cursor = forgedCursor(random, id);
      }
      return { id, path, query };
    };
    const plainLimit = (limit: string | undefined) =>
      limit === undefined || (/^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 100);
    const check = (answer: Answer, label: string, query: Record<string, string>) => {
      // Only plain whole numbers from 1 to 100 are limits; anything else is refused, never read.
      if (!plainLimit(query.limit) || (query.order !== undefined && !['asc', 'desc'].includes(query.order)))
        expect(answer.status, seedNote(label)).toBe(400);
      expect([200, 400, 404], seedNote(label)).toContain(answer.status);
      expect(answer.body, seedNote(label)).toEqual(expect.any(Object));
      if (answer.status !== 200)
        expect(answer.body.error ?? answer.body.message, seedNote(label)).toEqual(expect.any(String));
    };
    const statuses: Record<number, number> = {};
    for (let i = 0; i < DIRECT_READS; i += 1) {
      const { id, path, query } = request();
      const answer = await getDirect(path, id, query);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      check(answer, `${path} id=${JSON.stringify(id).slice(0, 80)} ${JSON.stringify(query).slice(0, 200)}`, query);
    }
    for (let i = 0; i < HTTP_READS; i += 1) {
      const { id, path, query } = request();
      let encoded: string;
      try {
        encoded = segment(id);
      } catch {
        encoded = '%ED%A0%80'; // a lone surrogate cannot be URL-encoded; send the bytes that would stand for it
      }
      const url = `${apiUrl}${path.replace('ID', encoded)}?${new URLSearchParams(query)}`;
      const response = await fetch(url);
      const text = await response.text();
      const answer = { status: response.status, body: text ? JSON.parse(text) : `(empty body)` };
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      // Longer than API Gateway takes (10,240 bytes of request line and headers): Node's server may
      // refuse it first (431, no JSON body), as API Gateway would; either way a 4xx.
      if (url.length > 10_240) expect([400, 404, 414, 431], seedNote(url.slice(0, 300))).toContain(answer.status);
      // An empty id leaves an empty path segment: the router then matches another route, or none.
      else check(answer, url.slice(0, 300), encoded ? query : {});
    }
    expect(statuses[200], seedNote(JSON.stringify(statuses))).toBeGreaterThan(50);
    expect(statuses[400], seedNote(JSON.stringify(statuses))).toBeGreaterThan(50);
    expect(statuses[404], seedNote(JSON.stringify(statuses))).toBeGreaterThan(20);
  }, 240_000);
});
