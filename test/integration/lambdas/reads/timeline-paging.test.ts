/**
 * Issue 10, item 1: a timeline page that reaches DynamoDB's 1 MB read limit must still lead to
 * every message. 30 messages of 60 KB in one group are 1.8 MB: the query stops early, and the
 * walk has to continue through next_cursor instead of ending, in both orders.
 */
import { describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../../../lambdas/webhooks/ingest-handler.js';
import { createIngestDeps } from '../../../../lambdas/wiring/ingest-deps.js';
import { createReadHandler } from '../../../../lambdas/reads/read-handler.js';
import { silentLogger } from '../../../../lambdas/platform/logger.js';
import { staticSecretSource } from '../../../../sandbox/static-secrets.js';
import { apiEvent, inboundPayload, parseBody } from '../../../support/http-events.js';
import { freshTable } from '../../../support/table-for-test.js';

const secrets = staticSecretSource({ webhookSecret: 'secret', apiKeyId: 'k', apiSecretKey: 's' });
const MESSAGES = 30;
const CONTENT_CHARS = 60_000;

describe('group timeline with large messages', () => {
  it('reaches every message through next_cursor, in both orders and any page size', async () => {
    const { store } = await freshTable();
    const ingest = createIngestHandler(createIngestDeps({ store, secrets, logger: silentLogger }));
    const read = createReadHandler({ store, logger: silentLogger });
    const groupId = `big-${crypto.randomUUID()}`;
    const handles: string[] = [];
    for (let i = 0; i < MESSAGES; i += 1) {
      const payload = inboundPayload({
        group_id: groupId,
        content: `${i}:`.padEnd(CONTENT_CHARS, 'x'),
        date_sent: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
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

    for (const order of ['desc', 'asc'] as const) {
      for (const limit of [100, 50, 7]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const query: Record<string, string> = { order, limit: String(limit), ...(cursor ? { cursor } : {}) };
          const result = await read(apiEvent({ method: 'GET', path: `/groups/${groupId}/messages`, query }));
          expect(result.statusCode, `${order} limit=${limit} page ${pages}`).toBe(200);
          const body = parseBody(result) as {
            messages: Array<{ message_handle: string; content: string }>;
            next_cursor: string | null;
          };
          expect(body.messages.length).toBeLessThanOrEqual(limit);
          // The whole message is on the page, not only its keys.
          for (const message of body.messages) expect(message.content).toHaveLength(CONTENT_CHARS);
          seen.push(...body.messages.map((message) => message.message_handle));
          cursor = body.next_cursor;
          pages += 1;
          expect(pages, 'the walk does not end').toBeLessThan(MESSAGES + 2);
        } while (cursor);
        // 1.8 MB cannot come back in one 1 MB read: with limit 100 the walk proves the short-page cursor.
        if (limit === 100) expect(pages, 'pages for limit=100').toBeGreaterThan(1);
        const expected = order === 'asc' ? handles : [...handles].reverse();
        expect(seen, `${order} limit=${limit}`).toEqual(expected);
      }
    }
  }, 60_000);
});
