import { describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../../../lambdas/webhooks/ingest-handler.js';
import { createIngestDeps } from '../../../../lambdas/wiring/ingest-deps.js';
import { createReadHandler } from '../../../../lambdas/reads/read-handler.js';
import { encodeCursor } from '../../../../lambdas/reads/cursor.js';
import { silentLogger } from '../../../../lambdas/platform/logger.js';
import { createS3LinkSigner } from '../../../../lambdas/adapters/s3-link-signer.js';
import { staticSecretSource } from '../../../../sandbox/static-secrets.js';
import { apiEvent, inboundPayload, parseBody } from '../../../support/http-events.js';
import { freshTable } from '../../../support/table-for-test.js';

// Secrets Manager has no local stand-in: a fixed secret value is used.
const secrets = staticSecretSource({ webhookSecret: 'secret', apiKeyId: 'k', apiSecretKey: 's' });

async function setupWithMessages(groupId: string, count: number) {
  const table = await freshTable();
  const ingest = createIngestHandler(createIngestDeps({ store: table.store, secrets, logger: silentLogger }));
  const read = createReadHandler({ store: table.store, logger: silentLogger });
  const handles: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const payload = inboundPayload({
      group_id: groupId,
      date_sent: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 3)).toISOString(),
    });
    handles.push(payload.message_handle as string);
    const result = await ingest(
      apiEvent({
        method: 'POST',
        path: '/webhooks/receive',
        headers: { 'sb-signing-secret': 'secret' },
        body: JSON.stringify(payload),
      }),
    );
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

  it.each(['desc', 'asc'] as const)(
    'walks every message exactly once in %s order, with a null cursor on the last page',
    async (order) => {
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
    },
  );

  it('defaults to newest first', async () => {
    const { get } = await setupWithMessages('newest', 3);
    const page = await get('/groups/newest/messages');
    const dates = page.body.messages.map((m: { date_sent: string }) => m.date_sent);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(page.body.next_cursor).toBeNull();
  });

  it('rejects bad paging parameters and cursors from another group with 400', async () => {
    const { get } = await setupWithMessages('paging', 2);
    for (const query of <Array<Record<string, string>>>[
      { limit: '0' },
      { limit: '101' },
      { limit: 'ten' },
      { order: 'sideways' },
      { cursor: '!!' },
    ]) {
      const result = await get('/groups/paging/messages', query);
      expect(result.status, JSON.stringify(query)).toBe(400);
      expect(result.body.error).toEqual(expect.any(String));
    }
    const foreign = encodeCursor({ PK: 'MSG#x', SK: 'MSG', GSI1PK: 'GROUP#other', GSI1SK: '2026#x' })!;
    expect((await get('/groups/paging/messages', { cursor: foreign })).status).toBe(400);
  });

  it('answers 400, never 503, to a forged cursor that names this group but holds impossible keys', async () => {
    const { get } = await setupWithMessages('forged', 2);
    for (const key of [
      { PK: '', SK: '', GSI1PK: 'GROUP#forged', GSI1SK: '' },
      { PK: 'MSG#a', SK: 'MSG', GSI1PK: 'GROUP#forged', GSI1SK: '' },
      { PK: 'MSG#a', SK: 'STATUS#SENT', GSI1PK: 'GROUP#forged', GSI1SK: '2026-01-01T00:00:00.000Z#a' },
      { PK: 'MSG#a', SK: 'MSG', GSI1PK: 'GROUP#forged', GSI1SK: '2026-01-01T00:00:00.000Z#b' },
      {
        PK: `MSG#${'a'.repeat(300)}`,
        SK: 'MSG',
        GSI1PK: 'GROUP#forged',
        GSI1SK: `2026-01-01T00:00:00.000Z#${'a'.repeat(300)}`,
      },
    ]) {
      const result = await get('/groups/forged/messages', { cursor: encodeCursor(key)! });
      expect(result.status, JSON.stringify(key).slice(0, 120)).toBe(400);
      expect(result.body.error).toMatch(/cursor/);
    }
  });

  it('takes limit as a plain whole number only', async () => {
    const { get } = await setupWithMessages('limits', 2);
    for (const limit of ['1e2', '0x10', ' 5', '5 ', '+5', '5.0', '']) {
      const result = await get('/groups/limits/messages', { limit });
      expect(result.status, JSON.stringify(limit)).toBe(400);
      expect(result.body.error).toMatch(/limit/);
    }
    expect((await get('/groups/limits/messages', { limit: '1' })).body.messages).toHaveLength(1);
    expect((await get('/groups/limits/messages', { limit: '100' })).status).toBe(200);
  });

  it('refuses ids the webhooks would refuse: too long, not valid Unicode, control characters', async () => {
    const { get } = await setupWithMessages('ids', 1);
    for (const id of ['a'.repeat(257), 'x\ud800', '\udc00', 'a\u0000b', 'a\u009fb']) {
      for (const path of [`/groups/${id}`, `/groups/${id}/messages`, `/messages/${id}`, `/commands/${id}`]) {
        const result = await get(path);
        expect(result.status, path.slice(0, 40)).toBe(400);
        expect(result.body.error).toMatch(/must/);
      }
    }
    expect((await get(`/messages/${'a'.repeat(256)}`)).status).toBe(404);
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

  describe('media copies (GET /messages/{handle})', () => {
    async function messageWithCopy() {
      const table = await freshTable();
      const ingest = createIngestHandler(createIngestDeps({ store: table.store, secrets, logger: silentLogger }));
      const payload = inboundPayload({ group_id: 'media', media_url: 'https://cdn.example.com/a.png' });
      await ingest(
        apiEvent({
          method: 'POST',
          path: '/webhooks/receive',
          headers: { 'sb-signing-secret': 'secret' },
          body: JSON.stringify(payload),
        }),
      );
      const handle = payload.message_handle as string;
      await table.store.recordMediaArchive(handle, {
        key: `media/media/${handle}/a.png`,
        content_type: 'image/png',
        bytes: 12,
        archived_at: '2026-11-20T17:04:13.000Z',
      });
      return { table, handle };
    }
    const detail = async (read: ReturnType<typeof createReadHandler>, handle: string) =>
      parseBody(await read(apiEvent({ method: 'GET', path: `/messages/${handle}` })));

    it('a presigned link next to media_url, valid one hour', async () => {
      const { table, handle } = await messageWithCopy();
      const signer = createS3LinkSigner({
        bucket: 'media-bucket',
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
        now: () => new Date('2026-11-20T18:00:00.000Z'),
      });
      const body = await detail(
        createReadHandler({ store: table.store, logger: silentLogger, mediaLinks: signer }),
        handle,
      );
      expect(body.media_url).toBe('https://cdn.example.com/a.png');
      expect(body.media_archive_url).toMatch(
        new RegExp(
          `^https://media-bucket\\.s3\\.us-east-1\\.amazonaws\\.com/media/media/${handle}/a\\.png\\?X-Amz-Algorithm=AWS4-HMAC-SHA256&`,
        ),
      );
      expect(new URL(body.media_archive_url).searchParams.get('X-Amz-Expires')).toBe('3600');
      expect(body.media_archive).toEqual({
        content_type: 'image/png',
        bytes: 12,
        archived_at: '2026-11-20T17:04:13.000Z',
        link_expires_at: '2026-11-20T19:00:00.000Z',
      });
    });

    it('without links (media off) or when a link cannot be made: the copy is described, the link is null, the read still answers', async () => {
      const { table, handle } = await messageWithCopy();
      const off = await detail(createReadHandler({ store: table.store, logger: silentLogger }), handle);
      expect(off).toMatchObject({
        media_archive_url: null,
        media_archive: { content_type: 'image/png', link_expires_at: null },
      });
      const broken = createReadHandler({
        store: table.store,
        logger: silentLogger,
        mediaLinks: async () => {
          throw new Error('no AWS credentials in the environment');
        },
      });
      const result = await broken(apiEvent({ method: 'GET', path: `/messages/${handle}` }));
      expect(result.statusCode).toBe(200);
      expect(parseBody(result).media_archive_url).toBeNull();
    });
  });
});
