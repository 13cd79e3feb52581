/**
 * A failure is recorded in the ledger before the command moves to the DLQ. Found by the fault mix:
 * Sendblue refused a send, the move to the DLQ happened, the write of `failed` did not; the
 * redelivery sent the command, which then stood both `sent` and on the DLQ. DynamoDB faults are
 * injected on the sender's own client (DynamoDB Local has no fault mode).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambdas/contract/dead-letters.js';
import { MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';

/** Fails the next write of `failed` to this command's ledger entry, before or after it is written. */
const nextFailedWrite: { commandId?: string; when?: 'before' | 'after' } = {};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    onDocumentClient: (client) =>
      client.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as {
            Key?: { PK?: string };
            ExpressionAttributeValues?: Record<string, unknown>;
          };
          const values = Object.values(input.ExpressionAttributeValues ?? {});
          const target =
            nextFailedWrite.commandId !== undefined &&
            input.Key?.PK?.endsWith(nextFailedWrite.commandId) &&
            values.includes('failed');
          if (!target) return next(args);
          const when = nextFailedWrite.when;
          nextFailedWrite.commandId = undefined;
          const fault = Object.assign(new Error('injected storage fault'), { name: 'InternalServerError' });
          if (when === 'before') throw fault;
          await next(args);
          throw fault;
        },
        { step: 'initialize', name: 'failedWriteFault' },
      ),
  });
});
afterAll(() => h?.stop());

const uid = () => Math.random().toString(36).slice(2, 10);

describe('the DLQ only after the ledger says failed', () => {
  it('a refusal whose failed state was not written is tried again, not dead-lettered: sent once, DLQ empty', async () => {
    const id = `order-${uid()}`;
    const content = `refused once ${id}`;
    h.sim.injectFault({ kind: '400', count: 1, route: 'send' });
    Object.assign(nextFailedWrite, { commandId: id, when: 'before' });
    await h.push({ type: 'send_group_message', command_id: id, numbers: [MEMBERS[0], MEMBERS[1]], content });
    const done = await h.waitForCommand(id, ['sent', 'failed'], 30_000);
    expect(done.state).toBe('sent');
    expect(h.sim.sentMessages().filter((m) => m.content === content)).toHaveLength(1);
    const dead = (await h.deadLetters()).filter((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.commandId] === id);
    expect(dead).toEqual([]);
  });

  it('a failure written but answered with an error is moved to the DLQ by the redelivery, once', async () => {
    const id = `order-${uid()}`;
    const content = `refused ${id}`;
    h.sim.injectFault({ kind: '400', count: 1, route: 'send' });
    Object.assign(nextFailedWrite, { commandId: id, when: 'after' });
    await h.push({ type: 'send_group_message', command_id: id, numbers: [MEMBERS[0], MEMBERS[2]], content });
    const done = await h.waitForCommand(id, ['failed', 'sent'], 30_000);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(/HTTP 400/);
    expect(h.sim.sentMessages().filter((m) => m.content === content)).toHaveLength(0);
    let dead: Awaited<ReturnType<Harness['deadLetters']>> = [];
    for (let waited = 0; waited < 10_000 && dead.length === 0; waited += 100) {
      dead = (await h.deadLetters()).filter((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.commandId] === id);
      if (dead.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toBe(done.error);
  });
});
