/**
 * The webhook and read routes over real HTTP against a running sandbox (its own DynamoDB Local,
 * the API Gateway v2 adapter, the very handlers the Lambdas run).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../lambdas/platform/logger.js';
import { statusCallbackToken } from '../../../sandbox/static-secrets.js';
import { DEFAULT_SANDBOX_CONFIG } from '../../../sandbox/config.js';
import { findFreePort } from '../../../sandbox/ports.js';
import { startSandbox, type RunningSandbox } from '../../../sandbox/start.js';
import { inboundPayload, statusPayload } from '../../support/http-events.js';

const SECRET = DEFAULT_SANDBOX_CONFIG.webhookSecret;
let sandbox: RunningSandbox;
let api: string;

beforeAll(async () => {
  sandbox = await startSandbox(
    {
      ...DEFAULT_SANDBOX_CONFIG,
      port: await findFreePort(),
      dynamoDbPort: await findFreePort(),
      sqsPort: await findFreePort(),
      simulatorPort: await findFreePort(),
    },
    { loggerFor: () => silentLogger },
  );
  api = sandbox.urls.api;
});
afterAll(() => sandbox?.stop());

async function post(path: string, body: string, headers: Record<string, string> = { 'sb-signing-secret': SECRET }) {
  const response = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as any };
}
async function get(path: string) {
  const response = await fetch(`${api}${path}`);
  return { status: response.status, body: (await response.json()) as any };
}
const newGroup = () => `grp-${randomUUID()}`;

describe('sandbox HTTP: webhooks', () => {
  it('serves /health', async () => {
    expect(await get('/health')).toEqual({ status: 200, body: { ok: true } });
  });

  it('stores a signed group receive webhook and shows it in the group', async () => {
    const groupId = newGroup();
    const payload = inboundPayload({ group_id: groupId });
    expect(await post('/webhooks/receive', JSON.stringify(payload))).toMatchObject({
      status: 200,
      body: { ok: true, result: 'stored' },
    });
    const messages = await get(`/groups/${groupId}/messages`);
    expect(messages.body.messages).toMatchObject([
      { message_handle: payload.message_handle, content: payload.content, direction: 'inbound' },
    ]);
    const group = await get(`/groups/${groupId}`);
    expect(group.body).toMatchObject({ group_id: groupId, name: 'Ops on-call', last_message_at: payload.date_sent });
    expect(group.body.members).toHaveLength(3);
  });

  it('stores concurrent and repeated duplicates once, answering 200 to each', async () => {
    const groupId = newGroup();
    const body = JSON.stringify(inboundPayload({ group_id: groupId }));
    const answers = await Promise.all(Array.from({ length: 10 }, () => post('/webhooks/receive', body)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.filter((a) => a.body.result === 'stored')).toHaveLength(1);
    expect((await post('/webhooks/receive', body)).body.result).toBe('duplicate');
    expect((await get(`/groups/${groupId}/messages`)).body.messages).toHaveLength(1);
  });

  it.each([
    ['no secret', {}],
    ['a wrong secret', { 'sb-signing-secret': 'guess' }],
  ])('answers 401 to %s and stores nothing', async (_label, headers) => {
    const groupId = newGroup();
    const answer = await post('/webhooks/receive', JSON.stringify(inboundPayload({ group_id: groupId })), headers);
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatch(/sb-signing-secret/);
    expect((await get(`/groups/${groupId}/messages`)).status).toBe(404);
  });

  it.each([
    ['not JSON', () => '{"message_handle": ', 400],
    ['empty', () => '', 400],
    ['of wrong types', (g: string) => JSON.stringify(inboundPayload({ group_id: g, participants: 'everyone' })), 400],
    ['oversized', (g: string) => JSON.stringify(inboundPayload({ group_id: g, content: 'x'.repeat(300_000) })), 413],
  ])('answers a body that is %s with a 4xx JSON error and stores nothing', async (_label, makeBody, status) => {
    const groupId = newGroup();
    const answer = await post('/webhooks/receive', makeBody(groupId));
    expect(answer.status).toBe(status);
    expect(answer.body.error).toEqual(expect.any(String));
    expect((await get(`/groups/${groupId}/messages`)).status).toBe(404);
  });

  it('keeps the highest status for out-of-order callbacks sent with the URL token', async () => {
    const handle = `out-${randomUUID()}`;
    const token = statusCallbackToken(SECRET);
    for (const [status, at] of [
      ['DELIVERED', '17:05:04'],
      ['SENT', '17:05:03'],
      ['QUEUED', '17:05:02'],
    ]) {
      const answer = await post(
        `/webhooks/status?token=${token}`,
        JSON.stringify(statusPayload({ message_handle: handle, status, date_updated: `2026-11-20T${at}.000Z` })),
        {},
      );
      expect(answer.status).toBe(200);
    }
    const message = await get(`/messages/${handle}`);
    expect(message.body.status).toBe('DELIVERED');
    expect(message.body.status_history.map((h: { status: string }) => h.status)).toEqual([
      'QUEUED',
      'SENT',
      'DELIVERED',
    ]);
  });

  it('walks a conversation page by page over HTTP', async () => {
    const groupId = newGroup();
    const handles: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const payload = inboundPayload({ group_id: groupId, date_sent: `2026-11-20T10:00:0${i}.000Z` });
      handles.push(payload.message_handle as string);
      expect((await post('/webhooks/receive', JSON.stringify(payload))).status).toBe(200);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/groups/${groupId}/messages?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.messages.map((m: { message_handle: string }) => m.message_handle));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...handles].reverse());
  });
});
