/**
 * The command queue as a contract: the SQS calls the sender's world makes (send, receive, delete,
 * change visibility) and the sender's queue adapter (`CommandQueue`: delay a retry, move to the DLQ;
 * `DeadLetterSink`), run against fauxqs, the sandbox's SQS emulator
 * (test/integration/lambdas/adapters/sqs-command-queue.test.ts), and against the in-memory SQS of the fast loop
 * (test/unit/support/in-memory/sqs.test.ts). What both must do: a FIFO group delivers in order
 * and only from its head, stays locked while a message of it is in flight; a message not deleted
 * comes back after its visibility with a higher receive count; duplicates within the window are
 * dropped; after maxReceiveCount receives a message goes to the DLQ; the adapter's letters carry
 * the reason and a repeat move is dropped.
 *
 * Where the two may differ, the cases do not look: fauxqs gives one message per group per receive,
 * SQS (and the in-memory queue) may give several in order.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createDeadLetterSink, createSqsCommandQueue } from '../../../lambdas/adapters/sqs-command-queue.js';
import { DEAD_LETTER_ATTRIBUTES } from '../../../lambdas/contract/dead-letters.js';
import type { CommandQueue, DeadLetterSink } from '../../../lambdas/sending/ports.js';
import { toLambdaSqsRecord } from '../../../sandbox/lambda-sqs-event.js';

/** How both queues are set up for the contract. */
export const CONTRACT_QUEUE = { visibilityTimeoutSeconds: 30, maxReceiveCount: 3 } as const;

export interface QueueUnderTest {
  sqs: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** Lets `ms` pass (really for fauxqs, on a virtual clock in memory). */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

interface Context extends QueueUnderTest {
  queue: CommandQueue;
  deadLetter: DeadLetterSink;
  send(body: string, groupId: string, dedupId?: string): Promise<string>;
  receive(options?: { url?: string; visibility?: number }): Promise<Message[]>;
  remove(message: Message, url?: string): Promise<void>;
}

type Case = [title: string, run: (q: Context) => Promise<void>];

const record = (message: Message): SQSRecord =>
  toLambdaSqsRecord(message, 'arn:aws:sqs:us-east-1:000000000000:q', 'us-east-1');
const bodies = (messages: Message[]) => messages.map((message) => message.Body);
const count = (message: Message | undefined) => message?.Attributes?.ApproximateReceiveCount;

/** Receives until empty, deleting as it goes; answers the bodies per group, in the order they came. */
async function drain(q: Context): Promise<Map<string, string[]>> {
  const seen = new Map<string, string[]>();
  for (let round = 0; round < 50; round += 1) {
    const messages = await q.receive();
    if (!messages.length) return seen;
    for (const message of messages) {
      const group = message.Attributes?.MessageGroupId ?? '';
      seen.set(group, [...(seen.get(group) ?? []), message.Body ?? '']);
    }
    for (const message of messages) await q.remove(message);
  }
  throw new Error('the queue did not drain in 50 receives');
}

const CASES: Case[] = [
  [
    'delivers each group in order, from its head only, and not while one of it is in flight',
    async (q) => {
      for (const [body, group] of [
        ['a1', 'A'],
        ['b1', 'B'],
        ['a2', 'A'],
        ['a3', 'A'],
        ['b2', 'B'],
      ])
        await q.send(body!, group!);
      const first = await q.receive();
      const groups = new Map<string, string[]>();
      for (const message of first) {
        const group = message.Attributes!.MessageGroupId!;
        groups.set(group, [...(groups.get(group) ?? []), message.Body!]);
      }
      // Each group's messages come from its head, in order.
      expect(groups.get('A')).toEqual(['a1', 'a2', 'a3'].slice(0, groups.get('A')?.length));
      expect(groups.get('B')).toEqual(['b1', 'b2'].slice(0, groups.get('B')?.length));
      expect(groups.get('A')?.length).toBeGreaterThan(0);
      // Both groups are locked while those are in flight.
      expect(await q.receive()).toEqual([]);
      for (const message of first) await q.remove(message);
      const rest = await drain(q);
      expect([...(groups.get('A') ?? []), ...(rest.get('A') ?? [])]).toEqual(['a1', 'a2', 'a3']);
      expect([...(groups.get('B') ?? []), ...(rest.get('B') ?? [])]).toEqual(['b1', 'b2']);
    },
  ],
  [
    'drops a repeat within the deduplication window: by id, or by content when no id is given',
    async (q) => {
      const first = await q.send('same body', 'G', 'dedup-1');
      expect(await q.send('another body', 'G', 'dedup-1')).toBe(first);
      await q.send('by content', 'H');
      await q.send('by content', 'H');
      const seen = await drain(q);
      expect(seen.get('G')).toEqual(['same body']);
      expect(seen.get('H')).toEqual(['by content']);
    },
  ],
  [
    'brings a message not deleted back after its visibility, counting the receives; the group waits for it',
    async (q) => {
      await q.send('m1', 'G');
      await q.send('m2', 'G');
      const [first] = await q.receive({ visibility: 1 });
      expect(first?.Body).toBe('m1');
      expect(count(first)).toBe('1');
      expect(first?.Attributes).toMatchObject({ MessageGroupId: 'G', MessageDeduplicationId: expect.any(String) });
      await q.advance(1_500);
      const again = await q.receive({ visibility: 1 });
      expect(again[0]?.Body).toBe('m1');
      expect(count(again[0])).toBe('2');
      // An older receipt handle deletes nothing once the message was received again.
      await q.remove(first!).catch(() => undefined);
      await q.advance(1_500);
      const third = await q.receive();
      expect(third[0]?.Body).toBe('m1');
      expect(count(third[0])).toBe('3');
    },
  ],
  [
    'delays a retry by the sender’s queue adapter: back at once with 0 s, not before with more',
    async (q) => {
      await q.send('retry me', 'G');
      const [first] = await q.receive();
      await q.queue.retryLater(first!.ReceiptHandle!, 0);
      const [second] = await q.receive();
      expect(second?.Body).toBe('retry me');
      expect(count(second)).toBe('2');
      await q.queue.retryLater(second!.ReceiptHandle!, 2);
      await q.advance(500);
      expect(await q.receive()).toEqual([]);
      await q.advance(2_000);
      expect(bodies(await q.receive())).toEqual(['retry me']);
    },
  ],
  [
    'refuses to change the visibility of a message no longer in flight',
    async (q) => {
      await q.send('gone', 'G');
      const [message] = await q.receive();
      await q.remove(message!);
      await expect(
        q.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: q.queueUrl,
            ReceiptHandle: message!.ReceiptHandle,
            VisibilityTimeout: 5,
          }),
        ),
      ).rejects.toThrow();
    },
  ],
  [
    'moves a message received maxReceiveCount times to the DLQ instead of delivering it again',
    async (q) => {
      await q.send('poison', 'G');
      for (let n = 1; n <= CONTRACT_QUEUE.maxReceiveCount; n += 1) {
        const [message] = await q.receive();
        expect(count(message)).toBe(String(n));
        await q.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: q.queueUrl,
            ReceiptHandle: message!.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
      }
      expect(await q.receive()).toEqual([]);
      expect(bodies(await q.receive({ url: q.deadLetterQueueUrl }))).toEqual(['poison']);
    },
  ],
  [
    'puts a failed command on the DLQ with its reason and kind, in a message group of its own, once however often the move is repeated',
    async (q) => {
      await q.send('{"command_id":"cmd-1"}', 'group-1');
      const [message] = await q.receive();
      const failure = { commandId: 'cmd-1', reason: 'Sendblue refused: HTTP 400', kind: 'refused' as const };
      await q.queue.moveToDeadLetter(record(message!), failure);
      await q.queue.moveToDeadLetter(record(message!), failure);
      const letters = await q.receive({ url: q.deadLetterQueueUrl });
      expect(letters).toHaveLength(1);
      const letter = letters[0]!;
      expect(letter.Body).toBe('{"command_id":"cmd-1"}');
      // Its own group on the DLQ (the message id); the command's group is an attribute.
      expect(letter.Attributes?.MessageGroupId).toBe(message!.MessageId);
      expect(letter.Attributes?.MessageDeduplicationId).toBe(message!.MessageId);
      const attributes = Object.fromEntries(
        Object.entries(letter.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
      );
      expect(attributes).toEqual({
        [DEAD_LETTER_ATTRIBUTES.reason]: 'Sendblue refused: HTTP 400',
        [DEAD_LETTER_ATTRIBUTES.kind]: 'refused',
        [DEAD_LETTER_ATTRIBUTES.commandId]: 'cmd-1',
        [DEAD_LETTER_ATTRIBUTES.groupId]: 'group-1',
        [DEAD_LETTER_ATTRIBUTES.failedAt]: expect.any(String),
        [DEAD_LETTER_ATTRIBUTES.receiveCount]: '1',
      });
      await q.remove(letter, q.deadLetterQueueUrl);
      await q.remove(message!);
      expect(await q.receive({ url: q.deadLetterQueueUrl })).toEqual([]);
    },
  ],
  [
    'lets the sweep put a command on the DLQ itself (the dead-letter sink), once per deduplication id',
    async (q) => {
      const letter = {
        body: '{"command_id":"cmd-2"}',
        commandId: 'cmd-2',
        reason: 'never sent',
        kind: 'never-sent' as const,
        messageGroupId: 'group-2',
        deduplicationId: 'settle-cmd-2',
        receiveCount: '4',
      };
      await q.deadLetter(letter);
      await q.deadLetter(letter);
      const letters = await q.receive({ url: q.deadLetterQueueUrl });
      expect(bodies(letters)).toEqual([letter.body]);
      expect(letters[0]?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.receiveCount]?.StringValue).toBe('4');
      expect(letters[0]?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.groupId]?.StringValue).toBe('group-2');
    },
  ],
  [
    'a letter left on the DLQ hides no later letter of the same command group',
    async (q) => {
      for (const n of [1, 2, 3]) {
        await q.deadLetter({
          body: `{"command_id":"cmd-g${n}"}`,
          commandId: `cmd-g${n}`,
          reason: 'refused',
          kind: 'refused',
          messageGroupId: 'one-conversation',
          deduplicationId: `letter-${n}`,
          receiveCount: '1',
        });
      }
      // fauxqs gives one message per group per receive: three groups, three letters at once.
      const letters = await q.receive({ url: q.deadLetterQueueUrl });
      expect(bodies(letters).sort()).toEqual([
        '{"command_id":"cmd-g1"}',
        '{"command_id":"cmd-g2"}',
        '{"command_id":"cmd-g3"}',
      ]);
    },
  ],
];

/** Registers the contract's cases for one queue implementation; `make` builds fresh queues per case. */
export function queueContract(name: string, make: () => Promise<QueueUnderTest>): void {
  describe(`the command queue: ${name}`, () => {
    for (const [title, test] of CASES) {
      it(title, async () => {
        const subject = await make();
        const { sqs, queueUrl, deadLetterQueueUrl } = subject;
        try {
          await test({
            ...subject,
            queue: createSqsCommandQueue({ sqs, queueUrl, deadLetterQueueUrl }),
            deadLetter: createDeadLetterSink({ sqs, deadLetterQueueUrl }),
            async send(body, groupId, dedupId) {
              const out = await sqs.send(
                new SendMessageCommand({
                  QueueUrl: queueUrl,
                  MessageBody: body,
                  MessageGroupId: groupId,
                  ...(dedupId ? { MessageDeduplicationId: dedupId } : {}),
                }),
              );
              return out.MessageId ?? '';
            },
            async receive({ url = queueUrl, visibility } = {}) {
              const out = await sqs.send(
                new ReceiveMessageCommand({
                  QueueUrl: url,
                  MaxNumberOfMessages: 10,
                  WaitTimeSeconds: 0,
                  MessageSystemAttributeNames: ['All'],
                  MessageAttributeNames: ['All'],
                  ...(visibility === undefined ? {} : { VisibilityTimeout: visibility }),
                }),
              );
              return out.Messages ?? [];
            },
            async remove(message, url = queueUrl) {
              await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
            },
          });
        } finally {
          await subject.close();
        }
      });
    }
  });
}
