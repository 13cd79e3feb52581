/**
 * The ingest handler's counts (docs/operations.md) on DynamoDB Local, written by the real EMF
 * sink into an array: one line per webhook answered 200, 401 or 5xx, none for a 4xx it refused.
 * Secrets Manager has no local stand-in: fixed secret values (staticSecretSource).
 */
import { describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../../../lambdas/webhooks/ingest-handler.js';
import { createIngestDeps } from '../../../../lambdas/wiring/ingest-deps.js';
import { silentLogger } from '../../../../lambdas/platform/logger.js';
import { emfSink, METRIC_NAMESPACE } from '../../../../lambdas/platform/metrics.js';
import type { SecretSource } from '../../../../lambdas/adapters/secrets.js';
import { staticSecretSource } from '../../../../sandbox/static-secrets.js';
import { createTableStore, type TableStore } from '../../../../lambdas/adapters/table.js';
import { apiEvent, inboundPayload, statusPayload } from '../../../support/http-events.js';
import { freshTable } from '../../../support/table-for-test.js';

const SECRET = 'test-webhook-secret';
const secrets = staticSecretSource({ webhookSecret: SECRET, apiKeyId: 'k', apiSecretKey: 's' });
const FUNCTION = 'SendblueGroups-IngestFunction';

async function setup(
  options: { store?: (table: Awaited<ReturnType<typeof freshTable>>) => TableStore; secrets?: SecretSource } = {},
) {
  const table = await freshTable();
  const lines: string[] = [];
  const ingest = createIngestHandler(
    createIngestDeps({
      store: options.store ? options.store(table) : table.store,
      secrets: options.secrets ?? secrets,
      logger: silentLogger,
      metrics: emfSink((text) => lines.push(text), Date.now, FUNCTION),
    }),
  );
  const post = (route: 'receive' | 'status', body: unknown, secret: string = SECRET) =>
    ingest(
      apiEvent({
        method: 'POST',
        path: `/webhooks/${route}`,
        headers: { 'sb-signing-secret': secret },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  /** The counts of each EMF line written so far, with the dimensions each count is under. */
  const counts = () =>
    lines.map((text) => {
      const line = JSON.parse(text);
      return Object.fromEntries(
        line._aws.CloudWatchMetrics.flatMap((directive: any) => {
          expect(directive.Namespace).toBe(METRIC_NAMESPACE);
          return directive.Metrics.map((metric: any) => [
            metric.Name,
            {
              value: line[metric.Name],
              by: directive.Dimensions.map((set: string[]) => set.map((d) => `${d}=${line[d]}`).join()),
            },
          ]);
        }),
      );
    });
  return { ...table, post, counts };
}

const total = (value = 1) => ({ value, by: [`FunctionName=${FUNCTION}`] });

describe('ingest metrics', () => {
  it('a new inbound group message: WebhookStored, and InboundMessages on its line (masked); a duplicate only WebhookStored', async () => {
    const t = await setup();
    const payload = inboundPayload();
    expect((await t.post('receive', payload)).statusCode).toBe(200);
    expect((await t.post('receive', payload)).statusCode).toBe(200);
    expect(t.counts()).toEqual([
      { WebhookStored: total(), InboundMessages: { value: 1, by: ['Line=+1305***0100'] } },
      { WebhookStored: total() },
    ]);
  });

  it('a status: WebhookStored only', async () => {
    const t = await setup();
    const result = await t.post('status', statusPayload({ message_handle: `out-${crypto.randomUUID()}` }));
    expect(result.statusCode).toBe(200);
    expect(t.counts()).toEqual([{ WebhookStored: total() }]);
  });

  it('a wrong secret: WebhookUnauthorized, and nothing stored', async () => {
    const t = await setup();
    const payload = inboundPayload();
    expect((await t.post('receive', payload, 'wrong')).statusCode).toBe(401);
    expect(t.counts()).toEqual([{ WebhookUnauthorized: total() }]);
    expect(await t.store.getMessageWithHistory(payload.message_handle as string)).toBeUndefined();
  });

  it('storage failing: WebhookNotStored (answered 503)', async () => {
    // The real DynamoDB Local, asked for a table that does not exist.
    const t = await setup({
      store: (table) => createTableStore({ documentClient: table.documentClient, tableName: 'no-such-table' }),
    });
    expect((await t.post('receive', inboundPayload())).statusCode).toBe(503);
    expect(t.counts()).toEqual([{ WebhookNotStored: total() }]);
  });

  it('the webhook secret unavailable: WebhookNotStored (answered 503)', async () => {
    const unavailable = () => Promise.reject(new Error('throttled'));
    const t = await setup({
      secrets: { webhookSecret: unavailable, callbackToken: unavailable, apiCredentials: unavailable },
    });
    expect((await t.post('receive', inboundPayload())).statusCode).toBe(503);
    expect(t.counts()).toEqual([{ WebhookNotStored: total() }]);
  });

  it('a body it refuses (400) writes no count', async () => {
    const t = await setup();
    expect((await t.post('receive', 'not json')).statusCode).toBe(400);
    expect((await t.post('receive', { content: 'no handle' })).statusCode).toBe(400);
    expect(t.counts()).toEqual([]);
  });
});
