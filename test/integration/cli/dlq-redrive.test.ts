/**
 * Issue 20: an exact, selective DLQ redrive, through the CLI against a whole sandbox (the harness:
 * the SQS emulator, the real sender, the Sendblue simulator, DynamoDB Local). Twenty commands on
 * the DLQ, made to fail the way they fail for real: out of attempts (five 409s each), put there by
 * SQS itself (no reason), invalid, refused by Sendblue (a group it does not know: 404 every
 * time), a command_id taken by a different command. `dlq` lists each once and says whether a
 * redrive helps; `--redrive` moves only those, each once, and `--wait` reports each sent; `--all`
 * moves the rest, each once, and `--wait` ends as soon as they have failed again. The simulator
 * sees one send per command that could be sent, none of the others.
 */
import {
  DeleteMessageCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main.js';
import { DEAD_LETTER_ATTRIBUTES } from '../../../lambdas/contract/dead-letters.js';
import { waitFor } from '../../support/processes.js';
import { MEMBERS, startHarness, type Harness } from '../../support/sandbox-harness.js';

let h: Harness;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  h = await startHarness();
  env = { SANDBOX_PORT: new URL(h.sandbox.urls.api).port, SANDBOX_SQS_PORT: new URL(h.sandbox.urls.sqs).port };
});
afterAll(() => h?.stop());

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env });
  return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) };
}

const run = Math.random().toString(36).slice(2, 8);
const sends = (content: string) => h.sim.sentMessages().filter((m) => m.content === content).length;
type Letter = { message_id: string; command_id: string; kind: string; redrive_helps: boolean };
type Result = { command_id: string; state: string; final: boolean; reason: string | null };
const ids = (letters: Array<{ command_id: string }>) => letters.map((m) => m.command_id).sort();
const unique = <T>(values: T[]) => new Set(values).size === values.length;

const TRANSIENT = Array.from({ length: 10 }, (_, i) => `t${i}-${run}`);
const LEGACY = [`l0-${run}`, `l1-${run}`];
const INVALID = Array.from({ length: 4 }, (_, i) => `bad${i}-${run}`);
const NOT_FOUND = Array.from({ length: 3 }, (_, i) => `nf${i}-${run}`);
const TAKEN = `taken-${run}`;
const content = (id: string) => `content of ${id}`;
/** Sends in this conversation (one FIFO group) share it with two invalid commands ahead of them. */
const SHARED = `conv-${run}`;

describe('dlq: 20 commands, redriven selectively then all', () => {
  it('seeds the DLQ the way commands fail for real', async () => {
    // Two invalid commands first in a conversation whose next four sends fail for a passing cause.
    for (const id of INVALID)
      await h.push(
        { type: 'send_group_message', command_id: id, numbers: [], content: content(id) },
        { groupId: INVALID.indexOf(id) < 2 ? SHARED : `g-${id}` },
      );
    for (const id of INVALID) await h.waitForCommand(id, ['failed']);
    for (const [i, id] of TRANSIENT.entries()) {
      // Sendblue does not take it (409) as many times as the sender tries (5).
      h.sim.injectFault({ kind: '409', route: 'send', count: 5 });
      await h.push(
        { type: 'send_group_message', command_id: id, numbers: [MEMBERS[0], MEMBERS[1]], content: content(id) },
        { groupId: i < 4 ? SHARED : `g-${id}` },
      );
      expect((await h.waitForCommand(id, ['failed', 'sent'])).error).toMatch(/^gave up after 5 attempts: .*HTTP 409/);
    }
    for (const [i, id] of NOT_FOUND.entries())
      await h.push({
        type: 'send_group_message',
        command_id: id,
        group_id: `sb_group_missing-${i}-${run}`,
        content: content(id),
      });
    for (const id of NOT_FOUND) expect((await h.waitForCommand(id, ['failed'])).error).toMatch(/HTTP 404/);
    // The id of a sent command, reused for a different one: refused.
    await h.push({
      type: 'send_group_message',
      command_id: TAKEN,
      numbers: [MEMBERS[0], MEMBERS[2]],
      content: 'first use',
    });
    await h.waitForCommand(TAKEN, ['sent']);
    await h.push({
      type: 'send_group_message',
      command_id: TAKEN,
      numbers: [MEMBERS[0], MEMBERS[2]],
      content: content(TAKEN),
    });
    // As SQS leaves a command it moved itself after maxReceiveCount: no attributes, its own group.
    for (const id of LEGACY)
      await h.sqs.send(
        new SendMessageCommand({
          QueueUrl: h.sandbox.urls.deadLetterQueue,
          MessageBody: JSON.stringify({
            type: 'send_group_message',
            command_id: id,
            numbers: [MEMBERS[1], MEMBERS[2]],
            content: content(id),
          }),
          MessageGroupId: `legacy-${run}`,
          MessageDeduplicationId: id,
        }),
      );
    await waitFor(async () => (await cli('dlq', '--json')).json().count === 20, 15_000, '20 messages on the DLQ');
  });

  it('dlq lists each message once, and whether a redrive helps', async () => {
    const listed = (await cli('dlq', '--json')).json();
    const letters = listed.messages as Letter[];
    expect(listed.count).toBe(20);
    // All but the second of the two SQS moved in one group: a FIFO queue shows a group's head
    // only (fauxqs one message per group per receive). The sender's own letters have a group each.
    expect(letters).toHaveLength(19);
    expect(unique(letters.map((m) => m.message_id))).toBe(true);
    expect(ids(letters)).toEqual([...TRANSIENT, LEGACY[0]!, ...INVALID, ...NOT_FOUND, TAKEN].sort());
    const kindOf = Object.fromEntries(letters.map((m) => [m.command_id, [m.kind, m.redrive_helps]]));
    for (const id of TRANSIENT) expect(kindOf[id]).toEqual(['out-of-attempts', true]);
    expect(kindOf[LEGACY[0]!]).toEqual(['unknown', true]);
    for (const id of INVALID) expect(kindOf[id]).toEqual(['invalid', false]);
    for (const id of NOT_FOUND) expect(kindOf[id]).toEqual(['refused', false]);
    expect(kindOf[TAKEN]).toEqual(['id-taken', false]);

    const human = (await cli('dlq')).out;
    expect(human).toMatch(
      /^20 message\(s\) on the DLQ \(showing 19: the rest are behind them in their message group\):$/m,
    );
    expect(human).toContain(`✗ ${INVALID[0]}  failed `);
    expect(human).toMatch(
      /redrive will not help \(invalid command\): a redrive fails the same way: fix and push a corrected command/,
    );
    expect(human).toMatch(/redrive will not help \(refused by Sendblue\)/);
    expect(human).toMatch(/redrive may help \(out of attempts\)/);
    expect(human).toContain(
      `delete it: SANDBOX_PORT=${env.SANDBOX_PORT} SANDBOX_SQS_PORT=${env.SANDBOX_SQS_PORT} npm run cli -- dlq --delete --id ${INVALID[0]}`,
    );
    expect(human).toMatch(/^try them again: .*npm run cli -- dlq --redrive$/m);
  });

  it('--redrive --wait moves only what a redrive helps, each once, and reports each sent', async () => {
    const started = Date.now();
    const result = await cli('dlq', '--redrive', '--wait', '--json');
    expect(result.code, result.err).toBe(0);
    const { redriven, left, results } = result.json() as { redriven: Letter[]; left: Letter[]; results: Result[] };
    expect(ids(redriven)).toEqual([...TRANSIENT, ...LEGACY].sort());
    expect(unique(redriven.map((m) => m.message_id))).toBe(true);
    expect(ids(left)).toEqual([...INVALID, ...NOT_FOUND, TAKEN].sort());
    expect(results).toHaveLength(12);
    for (const r of results) expect(r).toMatchObject({ state: 'sent', final: true });
    expect(Date.now() - started).toBeLessThan(20_000);
    // One send per command; the four behind the invalid ones in their conversation, in order.
    for (const id of [...TRANSIENT, ...LEGACY]) expect(sends(content(id)), id).toBe(1);
    const order = h.sim
      .sentMessages()
      .map((m) => m.content)
      .filter((c) => TRANSIENT.slice(0, 4).some((id) => c === content(id)));
    expect(order).toEqual(TRANSIENT.slice(0, 4).map(content));

    const after = (await cli('dlq', '--json')).json();
    expect(after.count).toBe(8);
    expect(ids(after.messages)).toEqual([...INVALID, ...NOT_FOUND, TAKEN].sort());
  });

  it('--redrive --all --wait moves the rest, each once; they fail again and the wait ends then, exit 2', async () => {
    const started = Date.now();
    const result = await cli('dlq', '--redrive', '--all', '--wait', '--timeout', '30', '--json');
    const elapsed = Date.now() - started;
    expect(result.code).toBe(2);
    const { redriven, results } = result.json() as { redriven: Letter[]; results: Result[] };
    expect(ids(redriven)).toEqual([...INVALID, ...NOT_FOUND, TAKEN].sort());
    expect(unique(redriven.map((m) => m.message_id))).toBe(true);
    const byId = Object.fromEntries(results.map((r) => [r.command_id, r]));
    for (const id of INVALID)
      expect(byId[id]).toMatchObject({
        state: 'failed',
        final: true,
        reason: expect.stringMatching(/^invalid command: /),
      });
    for (const id of NOT_FOUND)
      expect(byId[id]).toMatchObject({ state: 'failed', final: true, reason: expect.stringMatching(/HTTP 404/) });
    expect(byId[TAKEN]).toMatchObject({ state: 'refused', final: true });
    // Not the full 30 s: each failure is seen as it happens.
    expect(elapsed).toBeLessThan(15_000);

    // Each on the DLQ again, once.
    await waitFor(async () => (await cli('dlq', '--json')).json().count === 8, 10_000, '8 back on the DLQ');
    expect(ids((await cli('dlq', '--json')).json().messages)).toEqual([...INVALID, ...NOT_FOUND, TAKEN].sort());
    // Nothing that could not be sent was sent; everything else still once.
    for (const id of [...INVALID, ...NOT_FOUND, TAKEN]) expect(sends(content(id)), id).toBe(0);
    for (const id of [...TRANSIENT, ...LEGACY]) expect(sends(content(id)), id).toBe(1);
    expect(sends('first use')).toBe(1);
  });

  it('human --wait output: one line per command with its final state and reason; stderr names the failed', async () => {
    const result = await cli('dlq', '--redrive', '--id', NOT_FOUND[0]!, '--wait');
    expect(result.code).toBe(2);
    expect(result.out).toMatch(
      new RegExp(
        `^moved 1 command\\(s\\) back to the command queue:\n  ${NOT_FOUND[0]}  \\(was: .*HTTP 404.*\\)  now: failed ✗ \\(.*HTTP 404.*\\)$`,
      ),
    );
    expect(result.err).toMatch(
      new RegExp(`^error: not every redriven command was sent: ${NOT_FOUND[0]} \\(failed: .*HTTP 404`),
    );
  });

  it('--delete --id deletes that one message; its command stays failed', async () => {
    await waitFor(async () => (await cli('dlq', '--json')).json().count === 8, 10_000, '8 on the DLQ');
    const deleted = await cli('dlq', '--delete', '--id', INVALID[0]!);
    expect(deleted.code, deleted.err).toBe(0);
    expect(deleted.out).toMatch(
      new RegExp(`^deleted 1 message\\(s\\) from the DLQ:\n  ${INVALID[0]}  \\(was: invalid command: `),
    );
    const after = (await cli('dlq', '--json')).json();
    expect(ids(after.messages)).toEqual([...INVALID.slice(1), ...NOT_FOUND, TAKEN].sort());
    expect((await h.command(INVALID[0]!)).body).toMatchObject({ state: 'failed' });
    const again = await cli('dlq', '--delete', '--id', INVALID[0]!);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/nothing on the DLQ has the command_id/);
  });

  it('option mistakes are usage errors, and nothing moves', async () => {
    for (const argv of [
      ['dlq', '--delete'],
      ['dlq', '--delete', '--redrive', '--id', 'x'],
      ['dlq', '--all'],
      ['dlq', '--redrive', '--all', '--id', 'x'],
      ['dlq', '--wait'],
    ]) {
      const result = await cli(...argv);
      expect(result.code, argv.join(' ')).toBe(1);
    }
    expect((await cli('dlq', '--json')).json().count).toBe(7);
  });
});

describe('dlq: a command moved twice is still sent once (the ledger decides)', () => {
  it('two copies of one failed command redriven at once: one send', async () => {
    const id = `twice-${run}`;
    h.sim.injectFault({ kind: '409', route: 'send', count: 5 });
    await h.push(
      { type: 'send_group_message', command_id: id, numbers: [MEMBERS[1], MEMBERS[2]], content: content(id) },
      { groupId: `g-${id}` },
    );
    await h.waitForCommand(id, ['failed']);
    // Take its letter off the DLQ and put it back twice, as two redrives racing would
    // (different deduplication ids, so SQS keeps both), in two groups so that the sender's two
    // concurrent batches may take them at the same moment.
    let letter: { Body?: string; MessageAttributes?: Record<string, MessageAttributeValue> } | undefined;
    await waitFor(
      async () => {
        const out = await h.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: h.sandbox.urls.deadLetterQueue,
            MaxNumberOfMessages: 10,
            MessageAttributeNames: ['All'],
          }),
        );
        for (const message of out.Messages ?? []) {
          const mine = message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.commandId]?.StringValue === id;
          if (mine) {
            letter = message;
            await h.sqs.send(
              new DeleteMessageCommand({
                QueueUrl: h.sandbox.urls.deadLetterQueue,
                ReceiptHandle: message.ReceiptHandle,
              }),
            );
          }
        }
        return letter !== undefined;
      },
      10_000,
      'its letter on the DLQ',
    );
    await Promise.all(
      ['a', 'b'].map((copy) =>
        h.sqs.send(
          new SendMessageCommand({
            QueueUrl: h.sandbox.urls.commandQueue,
            MessageBody: letter!.Body,
            MessageGroupId: `g-${id}-${copy}`,
            MessageDeduplicationId: `copy-${copy}-${id}`,
            MessageAttributes: letter!.MessageAttributes,
          }),
        ),
      ),
    );
    await h.waitForCommand(id, ['sent']);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the second copy has come and gone
    expect(sends(content(id))).toBe(1);
    expect((await h.command(id)).body).toMatchObject({ state: 'sent' });
  });
});
