/**
 * SQS FIFO queues in memory (test only), on a given clock: message groups that deliver only
 * from their head and stay locked while one of their messages is in flight, visibility timeouts
 * and ChangeMessageVisibility, receive counts, the five-minute deduplication window
 * (content-based when no id is given), and the move to the dead-letter queue once a message was
 * received maxReceiveCount times. Like SQS (and unlike fauxqs) one receive may return several
 * messages of one group, in order.
 *
 * `client()` is an SQSClient whose requests never leave the process: the real adapters
 * (adapters/sqs-command-queue.ts) run unchanged on it. test/support/contracts/queue-contract.ts
 * runs the same SQS calls against this and against fauxqs (test/integration/sandbox/).
 *
 * Not modelled: long polling (a receive answers at once), per-message delays, batch calls other
 * than DeleteMessageBatch, queue attributes.
 */
import { createHash, randomUUID } from 'node:crypto';
import type {
  ChangeMessageVisibilityCommandInput,
  DeleteMessageBatchCommandInput,
  DeleteMessageCommandInput,
  Message,
  MessageAttributeValue,
  ReceiveMessageCommandInput,
  SendMessageCommandInput,
  SendMessageCommandOutput,
  SQSClient,
} from '@aws-sdk/client-sqs';

/** SQS drops a message whose deduplication id it saw this recently. */
const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
const ACCOUNT = '000000000000';

export interface QueueSettings {
  visibilityTimeoutSeconds: number;
  /** With `deadLetterQueue`: receives before SQS moves a message there. */
  maxReceiveCount?: number;
  /** The name of a queue made earlier. */
  deadLetterQueue?: string;
}

interface StoredMessage {
  messageId: string;
  body: string;
  groupId: string;
  deduplicationId: string;
  attributes: Record<string, MessageAttributeValue>;
  sentAt: number;
  sequence: bigint;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Visible from then on; in flight until then once received. */
  visibleAt: number;
  /** The receipt handle of the latest receive: only it deletes the message. */
  receiptHandle?: string;
}

interface Queue {
  name: string;
  url: string;
  arn: string;
  settings: QueueSettings;
  /** Per message group, its messages in order (a group with none is dropped). */
  groups: Map<string, StoredMessage[]>;
  byId: Map<string, StoredMessage>;
  count: number;
  /** Deduplication id -> when it was first accepted, and as which message. */
  seen: Map<string, { at: number; messageId: string }>;
  /** Every receipt handle ever given, so a made-up one is told apart from a stale one. */
  handles: Set<string>;
}

/** An SQS error as the SDK throws it (name and a server or client fault). */
const sqsError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $fault: 'client', Code: name });

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

export class InMemorySqs {
  private readonly queues = new Map<string, Queue>();
  private sequence = 0n;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly now: () => number) {}

  createQueue(name: string, settings: QueueSettings): { url: string; arn: string } {
    if (!name.endsWith('.fifo')) throw new TypeError('only FIFO queues are modelled (a name ending in .fifo)');
    if (settings.deadLetterQueue && !this.byName(settings.deadLetterQueue))
      throw new TypeError(`no queue ${settings.deadLetterQueue} for the dead letters`);
    const url = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`;
    const arn = `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
    this.queues.set(url, {
      name,
      url,
      arn,
      settings,
      groups: new Map(),
      byId: new Map(),
      count: 0,
      seen: new Map(),
      handles: new Set(),
    });
    return { url, arn };
  }

  /** Calls `listener` after every change (a send, a delete, a visibility change): a poller waits on it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** When the next locked message group opens again (its messages in flight all visible), if one is locked. */
  nextVisibleAt(queueUrl: string): number | undefined {
    const now = this.now();
    let next: number | undefined;
    for (const messages of this.queue(queueUrl).groups.values()) {
      const opensAt = lockedUntil(messages, now);
      if (opensAt !== undefined && (next === undefined || opensAt < next)) next = opensAt;
    }
    return next;
  }

  /** Messages on the queue, in flight or not (SQS's ApproximateNumberOfMessages + NotVisible). */
  depth(queueUrl: string): number {
    return this.queue(queueUrl).count;
  }

  sendMessage(input: SendMessageCommandInput): SendMessageCommandOutput {
    const queue = this.queue(input.QueueUrl);
    const body = input.MessageBody ?? '';
    if (!body) throw sqsError('InvalidParameterValue', 'The message body must not be empty');
    if (!input.MessageGroupId) throw sqsError('MissingParameter', 'MessageGroupId is required for a FIFO queue');
    const now = this.now();
    const deduplicationId = input.MessageDeduplicationId ?? createHash('sha256').update(body, 'utf8').digest('hex');
    const seen = queue.seen.get(deduplicationId);
    const metadata = { $metadata: {}, MD5OfMessageBody: md5(body) };
    // Accepted and dropped: the caller gets the first message's id, as SQS answers.
    if (seen && now - seen.at < DEDUPLICATION_WINDOW_MS) return { ...metadata, MessageId: seen.messageId };
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      groupId: input.MessageGroupId,
      deduplicationId,
      attributes: structuredClone(input.MessageAttributes ?? {}),
      sentAt: now,
      sequence: (this.sequence += 1n),
      receiveCount: 0,
      visibleAt: now,
    };
    queue.seen.set(deduplicationId, { at: now, messageId: message.messageId });
    this.append(queue, message);
    this.changed();
    return { ...metadata, MessageId: message.messageId, SequenceNumber: String(message.sequence) };
  }

  /**
   * Up to MaxNumberOfMessages: from each message group not locked by a message in flight, its
   * oldest messages in order (groups with the oldest head first). A message received
   * maxReceiveCount times already goes to the dead-letter queue instead.
   */
  receiveMessage(input: ReceiveMessageCommandInput): Message[] {
    const queue = this.queue(input.QueueUrl);
    const max = Math.min(10, Math.max(1, input.MaxNumberOfMessages ?? 1));
    const visibilityMs = (input.VisibilityTimeout ?? queue.settings.visibilityTimeoutSeconds) * 1000;
    const now = this.now();
    const { maxReceiveCount, deadLetterQueue } = queue.settings;
    const open = [...queue.groups.values()]
      .filter((messages) => lockedUntil(messages, now) === undefined)
      .sort((a, b) => (a[0]!.sequence < b[0]!.sequence ? -1 : 1));
    const exhausted: StoredMessage[] = [];
    const taken: StoredMessage[] = [];
    for (const messages of open) {
      for (const message of messages) {
        if (taken.length >= max) break;
        if (maxReceiveCount && deadLetterQueue && message.receiveCount >= maxReceiveCount) exhausted.push(message);
        else taken.push(message);
      }
    }
    if (exhausted.length) this.moveToDeadLetterQueue(queue, exhausted, now);
    for (const message of taken) {
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilityMs;
      message.receiptHandle = `${message.messageId}#${randomUUID()}`;
      queue.handles.add(message.receiptHandle);
    }
    if (taken.length) this.changed();
    return taken.map((message) => this.toSdkMessage(message));
  }

  deleteMessage(input: DeleteMessageCommandInput): void {
    const queue = this.queue(input.QueueUrl);
    const handle = input.ReceiptHandle ?? '';
    if (!queue.handles.has(handle)) throw sqsError('ReceiptHandleIsInvalid', 'The receipt handle is not valid');
    // An older receipt handle of a message received again deletes nothing (and is no error).
    const message = this.find(queue, handle);
    if (!message) return;
    this.remove(queue, message);
    this.changed();
  }

  deleteMessageBatch(input: DeleteMessageBatchCommandInput) {
    const Successful: Array<{ Id: string }> = [];
    const Failed: Array<{ Id: string; Code: string; SenderFault: boolean; Message: string }> = [];
    for (const entry of input.Entries ?? []) {
      try {
        this.deleteMessage({ QueueUrl: input.QueueUrl, ReceiptHandle: entry.ReceiptHandle });
        Successful.push({ Id: entry.Id! });
      } catch (error) {
        Failed.push({
          Id: entry.Id!,
          Code: (error as Error).name,
          SenderFault: true,
          Message: (error as Error).message,
        });
      }
    }
    return { Successful, Failed };
  }

  changeMessageVisibility(input: ChangeMessageVisibilityCommandInput): void {
    const queue = this.queue(input.QueueUrl);
    const handle = input.ReceiptHandle ?? '';
    const seconds = input.VisibilityTimeout ?? 0;
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200)
      throw sqsError('InvalidParameterValue', 'VisibilityTimeout must be an integer from 0 to 43200');
    const message = this.find(queue, handle);
    if (!message) throw sqsError('ReceiptHandleIsInvalid', 'The receipt handle is not valid');
    const now = this.now();
    if (message.visibleAt <= now) throw sqsError('MessageNotInflight', 'The message is not in flight');
    message.visibleAt = now + seconds * 1000;
    this.changed();
  }

  /** Drops every message, in flight or not (SQS's PurgeQueue; a test's "the message was lost"). */
  purgeQueue(queueUrl: string): void {
    const queue = this.queue(queueUrl);
    queue.groups.clear();
    queue.byId.clear();
    queue.count = 0;
    this.changed();
  }

  /** Every message on the queue (in flight or not), oldest first, as a receive would show it. */
  peek(queueUrl: string): Message[] {
    return [...this.queue(queueUrl).groups.values()]
      .flat()
      .sort((a, b) => (a.sequence < b.sequence ? -1 : 1))
      .map((message) => this.toSdkMessage(message));
  }

  /**
   * An SQS client whose requests are answered here, never over the network: the `send` of
   * SQSClient, which is all the adapters call (a real SQSClient's middleware stack costs more than
   * the whole queue).
   */
  client(): SQSClient {
    const answer = (command: { constructor: { name: string }; input: any }): object => {
      switch (command.constructor.name) {
        case 'SendMessageCommand':
          return this.sendMessage(command.input);
        case 'ReceiveMessageCommand':
          return { $metadata: {}, Messages: this.receiveMessage(command.input) };
        case 'DeleteMessageCommand':
          this.deleteMessage(command.input);
          return { $metadata: {} };
        case 'DeleteMessageBatchCommand':
          return { $metadata: {}, ...this.deleteMessageBatch(command.input) };
        case 'ChangeMessageVisibilityCommand':
          this.changeMessageVisibility(command.input);
          return { $metadata: {} };
        default:
          throw sqsError('UnsupportedOperation', `${command.constructor.name} is not modelled by the in-memory SQS`);
      }
    };
    return { send: async (command: never) => answer(command) } as unknown as SQSClient;
  }

  /** What SQS does with a message received maxReceiveCount times: moves it to the dead-letter queue. */
  private moveToDeadLetterQueue(queue: Queue, messages: StoredMessage[], now: number): void {
    const target = this.byName(queue.settings.deadLetterQueue!)!;
    for (const message of messages) {
      this.remove(queue, message);
      this.append(target, {
        ...message,
        receiveCount: 0,
        firstReceivedAt: undefined,
        receiptHandle: undefined,
        visibleAt: now,
        sequence: (this.sequence += 1n),
      });
    }
    this.changed();
  }

  private append(queue: Queue, message: StoredMessage): void {
    const messages = queue.groups.get(message.groupId);
    if (messages) messages.push(message);
    else queue.groups.set(message.groupId, [message]);
    queue.byId.set(message.messageId, message);
    queue.count += 1;
  }

  private remove(queue: Queue, message: StoredMessage): void {
    const messages = queue.groups.get(message.groupId)!;
    messages.splice(messages.indexOf(message), 1);
    if (!messages.length) queue.groups.delete(message.groupId);
    queue.byId.delete(message.messageId);
    queue.count -= 1;
  }

  /** The message a receipt handle was last given for (an older handle finds none). */
  private find(queue: Queue, handle: string): StoredMessage | undefined {
    const message = queue.byId.get(handle.slice(0, handle.indexOf('#')));
    return message?.receiptHandle === handle ? message : undefined;
  }

  private toSdkMessage(message: StoredMessage): Message {
    return {
      MessageId: message.messageId,
      ReceiptHandle: message.receiptHandle,
      MD5OfBody: md5(message.body),
      Body: message.body,
      Attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'AIDAINMEMORY',
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
        MessageGroupId: message.groupId,
        MessageDeduplicationId: message.deduplicationId,
        SequenceNumber: String(message.sequence),
      },
      ...(Object.keys(message.attributes).length ? { MessageAttributes: structuredClone(message.attributes) } : {}),
    };
  }

  private queue(url: string | undefined): Queue {
    const queue = this.queues.get(url ?? '');
    if (!queue) throw sqsError('QueueDoesNotExist', 'The specified queue does not exist');
    return queue;
  }

  private byName(name: string): Queue | undefined {
    return [...this.queues.values()].find((queue) => queue.name === name);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/**
 * Until when a group is locked: while any of its messages is in flight (received, and its
 * visibility not over). Those are always its oldest, so only they are looked at.
 */
function lockedUntil(messages: StoredMessage[], now: number): number | undefined {
  let until: number | undefined;
  for (const message of messages) {
    if (message.receiveCount === 0) break;
    if (message.visibleAt > now) until = Math.max(until ?? 0, message.visibleAt);
  }
  return until;
}
