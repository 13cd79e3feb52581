/**
 * The counts the sender and the ingest handler write (docs/operations.md), through the whole
 * sandbox: SQS emulator, the real sender handler, the Sendblue simulator over HTTP, DynamoDB Local.
 * The sandbox writes them to its log at debug (CloudWatch is not there); in Lambda the same counts
 * are EMF lines (test/unit/lambdas/platform/metrics.test.ts, test/integration/lambdas/webhooks/ingest-metrics.test.ts).
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SANDBOX_CONFIG } from '../../../../sandbox/config.js';
import { inboundPayload } from '../../../support/http-events.js';
import { LINE, MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';

let h: Harness;
beforeAll(async () => {
  // Retries after a call that may have gone through wait 1 s before the check (the simulator's list has it at once).
  h = await startHarness({ sender: { settleDelaySeconds: 1 } });
});
afterAll(() => h?.stop());

const MASKED_LINE = '+1555***0000';
const uid = () => Math.random().toString(36).slice(2, 10);

/** Every count the log holds under a message, summed per line (null: no line). */
function counted(message: string): Record<string, Record<string, number>> {
  const sums: Record<string, Record<string, number>> = {};
  for (const text of h.logs) {
    const { message: logged, line, level, component: _c, time: _t, ...counts } = JSON.parse(text);
    if (logged !== message) continue;
    expect(level).toBe('debug');
    const key = String(line);
    sums[key] ??= {};
    for (const [name, value] of Object.entries(counts)) sums[key]![name] = (sums[key]![name] ?? 0) + (value as number);
  }
  return sums;
}

describe('sender metrics', () => {
  it('count what happened to each command, on its line (an invalid command has none), once', async () => {
    const ids = {
      sent: `sent-${uid()}`,
      throttled: `throttled-${uid()}`,
      refused: `refused-${uid()}`,
      unclear: `unclear-${uid()}`,
    };
    await h.push({ type: 'send_group_message', command_id: ids.sent, numbers: MEMBERS, content: ids.sent });
    await h.waitForCommand(ids.sent, ['sent']);

    h.sim.injectFault({ kind: '429', route: 'send' });
    await h.push({ type: 'send_group_message', command_id: ids.throttled, numbers: MEMBERS, content: ids.throttled });
    await h.waitForCommand(ids.throttled, ['sent']);

    h.sim.injectFault({ kind: '400', route: 'send' });
    await h.push({ type: 'send_group_message', command_id: ids.refused, numbers: MEMBERS, content: ids.refused });
    await h.waitForCommand(ids.refused, ['failed']);

    // Sendblue takes the message but the connection is cut: unclear, then found in Sendblue's list.
    h.sim.injectFault({ kind: 'accept-then-cut', route: 'send' });
    await h.push({ type: 'send_group_message', command_id: ids.unclear, numbers: MEMBERS, content: ids.unclear });
    await h.waitForCommand(ids.unclear, ['sent']);

    const invalid = `invalid-${uid()}`;
    await h.sqs.send(
      new SendMessageCommand({
        QueueUrl: h.sandbox.urls.commandQueue,
        MessageGroupId: 'bad',
        MessageDeduplicationId: invalid,
        MessageBody: '{"type": "send_group_message", ',
      }),
    );
    await h.waitForCommand(invalid, ['failed']);
    await h.sandbox.poller.drained();

    expect(counted('sender metrics')).toEqual({
      [MASKED_LINE]: { CommandsSent: 3, SendblueThrottled: 1, CommandsFailed: 1, SendblueUnclear: 1 },
      null: { CommandsFailed: 1 },
    });
    // The whole number never reaches the log.
    expect(h.logs.filter((text) => text.includes('sender metrics')).join('\n')).not.toContain(LINE.slice(1));
  });
});

describe('webhook metrics', () => {
  it('count webhooks stored (the status callbacks too), new inbound messages on their line, and wrong secrets', async () => {
    const before = counted('webhook metrics').null?.WebhookStored ?? 0;
    const post = (body: unknown, secret: string) =>
      fetch(h.sandbox.urls.receiveWebhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'sb-signing-secret': secret },
        body: JSON.stringify(body),
      });
    const payload = inboundPayload({ sendblue_number: LINE });
    expect((await post(payload, DEFAULT_SANDBOX_CONFIG.webhookSecret)).status).toBe(200);
    expect((await post(payload, DEFAULT_SANDBOX_CONFIG.webhookSecret)).status).toBe(200); // a retry: stored already
    expect((await post(inboundPayload(), 'wrong')).status).toBe(401);

    const after = counted('webhook metrics');
    expect(after[MASKED_LINE]).toEqual({ WebhookStored: 1, InboundMessages: 1 });
    expect(after.null).toMatchObject({ WebhookUnauthorized: 1 });
    // The duplicate, and the status callbacks the simulator posted for the sends above.
    expect(after.null!.WebhookStored).toBeGreaterThan(before);
    expect(after.null!.WebhookNotStored).toBeUndefined();
  });
});
