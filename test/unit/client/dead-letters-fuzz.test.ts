/**
 * The DLQ redrive's promise under a seeded mix (client/dead-letters.ts, issue 20): many letters of
 * every kind, some in shared conversation groups; a selection (what a redrive helps, all, one id);
 * commands that fail again at once while the pass still reads (the sender's answer to an invalid
 * or refused command, and some passing failures that recur); SQS handing a message out twice; a
 * pass so slow that another reader took its messages (stale receipt handles). Whatever the mix:
 * each selected letter is moved exactly once and lands on the command queue once; nothing else
 * moves; the DLQ afterwards holds exactly the letters not selected plus one new letter per command
 * that failed again; a second pass never moves a letter the first one moved.
 * DLQ_FUZZ_SEED=<n> replays one seed; DLQ_FUZZ_SEEDS=<n> changes how many run.
 * In-memory SQS (test/support/in-memory/sqs.ts, SQS's FIFO, visibility and receipt-handle rules);
 * the SQS emulator runs the same redrive in test/integration/cli/dlq-redrive.test.ts.
 */
import type { SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { type DeadLetter, moveDeadLetters } from '../../../client/dead-letters.js';
import type { Target } from '../../../client/target.js';
import { createDeadLetterSink } from '../../../lambdas/adapters/sqs-command-queue.js';
import type { DeadLetterKind } from '../../../lambdas/contract/dead-letters.js';
import { int, mulberry32, pick, type Random } from '../../support/fuzz.js';
import { InMemorySqs } from '../../support/in-memory/sqs.js';

const FIRST_SEED = Number(process.env.DLQ_FUZZ_SEED) || 20261206;
const SEEDS = process.env.DLQ_FUZZ_SEED ? 1 : Number(process.env.DLQ_FUZZ_SEEDS) || 40;

const REASONS: Record<string, [DeadLetterKind, string]> = {
  invalid: ['invalid', 'invalid command: numbers must be a non-empty array of E.164 numbers'],
  attempts: ['out-of-attempts', 'gave up after 5 attempts: Sendblue refused to send the group message: HTTP 409: busy'],
  refused: ['refused', 'Sendblue refused to send the group message: HTTP 404: Group g not found'],
};
type Why = keyof typeof REASONS;
type Selection = 'helps' | 'all' | 'one';

interface World {
  mem: InMemorySqs;
  target: Target;
  sqs: SQSClient;
  now: { ms: number };
  /** command_id -> how many times it failed again during a pass. */
  refailed: Map<string, number>;
}

const commandIdOf = (body: string | undefined) => JSON.parse(body ?? '{}').command_id as string;
const sorted = (values: string[]) => [...values].sort();

/** A world whose SQS client repeats earlier answers, goes stale mid-pass and fails commands again, as the seed says. */
function world(random: Random, plan: { duplicates: boolean; staleOnce: boolean; recurRate: number }): World {
  const now = { ms: Date.UTC(2026, 11, 6) };
  const mem = new InMemorySqs(() => now.ms);
  const dlq = mem.createQueue('commands-dlq.fifo', { visibilityTimeoutSeconds: 30 });
  const queue = mem.createQueue('commands.fifo', { visibilityTimeoutSeconds: 30 });
  const target: Target = {
    kind: 'sandbox',
    label: 'in memory',
    region: 'us-east-1',
    commandQueueUrl: queue.url,
    deadLetterQueueUrl: dlq.url,
    apiUrl: 'http://unused',
    signReads: false,
  };
  const refailed = new Map<string, number>();
  const sink = createDeadLetterSink({ sqs: mem.client(), deadLetterQueueUrl: dlq.url });
  const inner = mem.client();
  let previous: unknown[] = [];
  let stale = plan.staleOnce;
  /** The sender's answer to a redriven command: invalid and refused fail again at once; a passing failure may recur. */
  const senderAnswers = async (input: SendMessageCommandInput, messageId: string) => {
    const body = JSON.parse(input.MessageBody!);
    const why = body.content as Why;
    if (why === 'attempts' && random() >= plan.recurRate) return;
    refailed.set(body.command_id, (refailed.get(body.command_id) ?? 0) + 1);
    const [kind, reason] = REASONS[why]!;
    await sink({
      body: input.MessageBody!,
      commandId: body.command_id,
      reason,
      kind,
      messageGroupId: input.MessageGroupId!,
      deduplicationId: messageId, // the sender's move: the failed queue message's id
      receiveCount: '1',
    });
  };
  const sqs = {
    async send(command: { constructor: { name: string }; input: any }) {
      const name = command.constructor.name;
      if (name === 'DeleteMessageCommand' && command.input.QueueUrl === dlq.url && stale && random() < 0.3) {
        // The pass outlived its hold and another reader received everything: its handles go stale.
        stale = false;
        now.ms += 301_000;
        mem.receiveMessage({ QueueUrl: dlq.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
      }
      const out = (await inner.send(command as never)) as { MessageId?: string; Messages?: unknown[] };
      if (name === 'SendMessageCommand' && command.input.QueueUrl === queue.url)
        await senderAnswers(command.input, out.MessageId!);
      if (name === 'ReceiveMessageCommand' && plan.duplicates) {
        // At-least-once delivery: an answer may repeat the previous one's messages.
        const repeat = random() < 0.5 ? previous : [];
        previous = out.Messages ?? [];
        return { ...out, Messages: [...repeat, ...(out.Messages ?? [])] };
      }
      return out;
    },
  } as unknown as SQSClient;
  return { mem, target, sqs, now, refailed };
}

/** Letters as the sender puts them on the DLQ: a command each, some sharing a conversation's group. */
async function seedLetters(w: World, random: Random, count: number): Promise<Array<{ id: string; why: Why }>> {
  const sink = createDeadLetterSink({ sqs: w.mem.client(), deadLetterQueueUrl: w.target.deadLetterQueueUrl });
  const letters: Array<{ id: string; why: Why }> = [];
  for (let i = 0; i < count; i += 1) {
    w.now.ms += 1_000 + int(random, 5_000);
    const why = pick(random, ['invalid', 'attempts', 'attempts', 'refused'] as const);
    const id = `cmd-${i}-${why}`;
    const group = random() < 0.4 ? `conversation-${int(random, 3)}` : `g-${id}`;
    const [kind, reason] = REASONS[why]!;
    await sink({
      body: JSON.stringify({ type: 'send_group_message', command_id: id, group_id: group, content: why }),
      commandId: id,
      reason,
      kind,
      messageGroupId: group,
      deduplicationId: `m-${id}`,
      receiveCount: String(1 + int(random, 5)),
    });
    letters.push({ id, why });
  }
  return letters;
}

describe(`DLQ redrive under a seeded mix (${SEEDS} seeds from ${FIRST_SEED}; DLQ_FUZZ_SEED=<n> replays one)`, () => {
  const seeds = Array.from({ length: SEEDS }, (_, i) => FIRST_SEED + i);
  it.each(seeds)('seed %i: each selected letter moved once, nothing else moved, the DLQ exact after', async (seed) => {
    const random = mulberry32(seed);
    const plan = { duplicates: random() < 0.5, staleOnce: random() < 0.3, recurRate: random() * 0.5 };
    const w = world(random, plan);
    const letters = await seedLetters(w, random, 1 + int(random, 40));
    const selection = pick(random, ['helps', 'helps', 'all', 'one'] as const satisfies readonly Selection[]);
    const oneId = pick(random, letters).id;
    const only = {
      helps: (letter: DeadLetter) => letter.redrive_helps,
      all: () => true,
      one: (letter: DeadLetter) => letter.command_id === oneId,
    }[selection];
    const replay = `seed ${seed} (DLQ_FUZZ_SEED=${seed}), ${selection}, ${JSON.stringify(plan)}`;
    const expected = letters.filter(({ id, why }) =>
      selection === 'all' ? true : selection === 'one' ? id === oneId : why === 'attempts',
    );

    const outcome = await moveDeadLetters(w.sqs, w.target, { only });

    const movedIds = outcome.moved.map((letter) => letter.command_id!);
    expect(sorted(movedIds), `${replay}: moved`).toEqual(sorted(expected.map(({ id }) => id)));
    expect(outcome.notDeleted, replay).toEqual([]);
    // On the command queue: each moved command once, none other, in DLQ order within each group.
    const queued = w.mem.peek(w.target.commandQueueUrl);
    expect(sorted(queued.map((m) => commandIdOf(m.Body))), `${replay}: on the command queue`).toEqual(sorted(movedIds));
    for (const group of new Set(queued.map((m) => m.Attributes?.MessageGroupId))) {
      const inGroup = queued.filter((m) => m.Attributes?.MessageGroupId === group).map((m) => commandIdOf(m.Body));
      const order = movedIds.filter((id) => inGroup.includes(id));
      expect(inGroup, `${replay}: order in ${group}`).toEqual(order);
      expect(inGroup, `${replay}: oldest first in ${group}`).toEqual(
        [...inGroup].sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1])),
      );
    }
    // The DLQ: every letter not selected, once, and one new letter per command that failed again.
    const refails = [...w.refailed.entries()].flatMap(([id, times]) => Array.from({ length: times }, () => id));
    expect(
      [...w.refailed.values()].every((times) => times === 1),
      `${replay}: a command failed again twice`,
    ).toBe(true);
    const notSelected = letters.filter((letter) => !expected.includes(letter)).map(({ id }) => id);
    const onDlq = w.mem.peek(w.target.deadLetterQueueUrl).map((m) => commandIdOf(m.Body));
    expect(sorted(onDlq), `${replay}: left on the DLQ`).toEqual(sorted([...notSelected, ...refails]));
    // The outcome says which failed again, and leaves none of them unreported.
    const saidRefailed = outcome.left.filter((letter) => letter.refailed).map((letter) => letter.command_id!);
    expect(
      saidRefailed.every((id) => w.refailed.has(id)),
      replay,
    ).toBe(true);

    // A second pass moves only what is on the DLQ now, never a message the first one moved.
    w.now.ms += 301_000; // past any hold the first pass left
    const firstMessages = new Set(outcome.moved.map((letter) => letter.message_id));
    const again = await moveDeadLetters(w.sqs, w.target, { only: () => true });
    expect(
      again.moved.filter((letter) => firstMessages.has(letter.message_id)),
      replay,
    ).toEqual([]);
    expect(sorted(again.moved.map((letter) => letter.command_id!)), `${replay}: second pass`).toEqual(sorted(onDlq));
  });
});
