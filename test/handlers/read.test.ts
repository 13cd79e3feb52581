import { describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../lambdas/handlers/ingest';
import { createReadHandler } from '../../lambdas/handlers/read';
import { encodeCursor } from '../../lambdas/shared/cursor';
import { silentLogger } from '../../lambdas/shared/logger';
import { staticSecretSource } from '../../lambdas/shared/secrets';
import { apiEvent, inboundPayload, parseBody } from './events';
import { freshTable } from './table-for-test';

// Secrets Manager has no local stand-in: a fixed secret value is used.
const secrets = staticSecretSource({ webhookSecret: 'secret', apiKeyId: 'k', apiSecretKey: 's' });

async function setupWithMessages(groupId: string, count: number) {
  const table = await freshTable();
  const ingest = createIngestHandler({ store: table.store, secrets, logger: silentLogger });
  const read = createReadHandler({ store: table.store, logger: silentLogger });
  const handles: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const payload = inboundPayload({ group_id: groupId, date_sent: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 3)).toISOString() });
    handles.push(payload.message_handle as string);
    const result = await ingest(apiEvent({ method: 'POST', path: '/webhooks/receive', headers: { 'sb-signing-secret': 'secret' }, body: JSON.stringify(payload) }));
    expect(result.statusCode).toBe(200);
  }
  const get = async (path: string, query?: Record<string, string>) => {
    const result = await read(apiEvent({ method: 'GET', path, query }));
    return { status: result.statusCode, body: parseBody(result) };
  };
  return { get, handles };
}

describe('read routes', () => {
  it('GET /health answers ok', async () => {
    const read = createReadHandler({ store: (await freshTable()).store, logger: silentLogger });
    const result = await read(apiEvent({ method: 'GET', path: '/health' }));
    expect(result.statusCode).toBe(200);
    expect(parseBody(result)).toEqual({ ok: true });
  });

  it.each(['desc', 'asc'] as const)('walks every message exactly once in %s order, with a null cursor on the last page', async (order) => {
    const { get, handles } = await setupWithMessages('walk', 7);
    const seen: Array<{ message_handle: string; date_sent: string }> = [];
    let cursor: string | null = null;
    const pageSizes: number[] = [];
    do {
      const query: Record<string, string> = { limit: '3', order, ...(cursor ? { cursor } : {}) };
      const page = await get('/groups/walk/messages', query);
      expect(page.status).toBe(200);
      pageSizes.push(page.body.messages.length);
      seen.push(...page.body.messages);
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(pageSizes).toEqual([3, 3, 1]);
    expect(seen.map((m) => m.message_handle).sort()).toEqual([...handles].sort());
    const dates = seen.map((m) => m.date_sent);
    const sorted = [...dates].sort();
    expect(dates).toEqual(order === 'asc' ? sorted : sorted.reverse());
  });

  it('defaults to newest first', async () => {
    const { get } = await setupWithMessages('newest', 3);
    const page = await get('/groups/newest/messages');
    const dates = page.body.messages.map((m: { date_sent: string }) => m.date_sent);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(page.body.next_cursor).toBeNull();
  });

  it('rejects bad paging parameters and cursors from another group with 400', async () => {
    const { get } = await setupWithMessages('paging', 2);
    for (const query of <Array<Record<string, string>>>[{ limit: '0' }, { limit: '101' }, { limit: 'ten' }, { order: 'sideways' }, { cursor: '!!' }]) {
      const result = await get('/groups/paging/messages', query);
      expect(result.status, JSON.stringify(query)).toBe(400);
      expect(result.body.error).toEqual(expect.any(String));
    }
    const foreign = encodeCursor({ PK: 'MSG#x', SK: 'MSG', GSI1PK: 'GROUP#other', GSI1SK: '2026#x' })!;
    expect((await get('/groups/paging/messages', { cursor: foreign })).status).toBe(400);
  });

  it('answers 404 with a JSON error for unknown ids', async () => {
    const { get } = await setupWithMessages('known', 1);
    for (const path of ['/groups/unknown', '/groups/unknown/messages', '/messages/unknown', '/commands/unknown']) {
      const result = await get(path);
      expect(result.status, path).toBe(404);
      expect(result.body.error).toMatch(/not found/);
    }
  });

  it('returns a message with its status history', async () => {
    const { get, handles } = await setupWithMessages('detail', 1);
    const result = await get(`/messages/${handles[0]}`);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ message_handle: handles[0], group_id: 'detail', status: 'RECEIVED' });
    expect(result.body.status_history).toEqual([{ status: 'RECEIVED', date_updated: expect.any(String) }]);
  });
});
