/**
 * The DLQ: list what the sender put there (with its failure_reason, and whether a redrive can help:
 * contract/dead-letters.ts), move some or all of it back to the command queue, or delete one.
 *
 * A moved message keeps its body and its attributes (the sender retries a failed command only when
 * it still carries failure_reason, i.e. was redriven on purpose), goes back into its command group
 * (the `message_group_id` attribute; a letter the sender did not put there keeps its own group) and
 * gets a new deduplication id `redrive-<DLQ message id>`, as the queues deduplicate on content.
 *
 * Each pass handles each DLQ message at most once: messages are told apart by their SQS message id,
 * so one received again in the same pass (its visibility ran out, or SQS returned it again) is not
 * moved again; and a command this pass moved that fails again at once lands on the DLQ as a new
 * message, which the pass recognises (its deduplication id is the id of the message the pass sent)
 * and leaves there. Before, a pass read until the DLQ was empty and moved an invalid command again
 * each time the sender put it back (issue 20). Even a command moved twice (two passes at once,
 * more than 5 minutes apart) is never sent twice: the sender's ledger decides (docs/sending.md).
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { classifyDeadLetter, DEAD_LETTER_ATTRIBUTES, type DeadLetterKind } from '../lambdas/contract/dead-letters.js';
import { commandIdOf } from '../lambdas/sending/decisions.js';
import type { Target } from './target.js';

/** A message on the DLQ: a command the sender gave up on, with why and whether a redrive can help. */
export interface DeadLetter {
  /** The SQS message id on the DLQ. */
  message_id: string;
  /** The command's id, as the sender knows it (its ledger entry: GET /commands/{id}). */
  command_id: string | null;
  /** Why the sender gave up (the `failure_reason` attribute); null: SQS moved it itself. */
  reason: string | null;
  /** What kind of failure (the `failure_kind` attribute, else read from the reason). */
  kind: DeadLetterKind;
  /** Whether a redrive as things stand may end with the command sent; false: it would fail again. */
  redrive_helps: boolean;
  /** What to do about it, in words. */
  advice: string;
  /** When it was put on the DLQ (ISO 8601). */
  failed_at: string | null;
  /** How many times the command queue had delivered it by then. */
  receive_count: string | null;
  /** The command queue group it goes back to. */
  message_group_id: string | null;
  /** The command as it was pushed (JSON text). */
  body: string;
}

/** A letter a redrive moved: `redriven_message_id` is the command queue message it became. */
export interface RedrivenLetter extends DeadLetter {
  redriven_message_id: string;
}

/** What moveDeadLetters did: each DLQ message it saw is in exactly one of moved and left. */
export interface RedriveOutcome {
  /** Moved back to the command queue (and deleted from the DLQ), in the order they were moved. */
  moved: RedrivenLetter[];
  /**
   * Seen and left on the DLQ: not selected, or a command this pass moved that failed again
   * (`refailed`). A FIFO group's later messages hidden behind one left here (letters the sender
   * put there before it gave each letter a group of its own) are not seen at all.
   */
  left: Array<DeadLetter & { refailed?: boolean }>;
  /** Moved but not deleted from the DLQ (they would be moved again by a later pass). */
  notDeleted: Array<DeadLetter & { error: string }>;
}

/** Which letters a redrive moves, and a hook before they move. */
export interface RedriveOptions {
  /** Which letters to move. @default every one */
  only?: (letter: DeadLetter) => boolean;
  /**
   * Called with the letters about to move, before any of them is sent (e.g. to note their
   * ledger entries first, as `cli dlq --redrive --wait` does).
   */
  beforeMove?: (letters: DeadLetter[]) => Promise<void>;
}

/** Receives before a pass gives up reading (10 messages each). */
const MAX_ROUNDS = 100;
/** How long a listing hides what it read; it makes them visible again at once when done. */
const LIST_VISIBILITY_SECONDS = 30;
/** How long a redrive or delete holds what it read; longer than a pass of MAX_ROUNDS takes. */
const PASS_VISIBILITY_SECONDS = 300;

const attr = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue ?? null;

function parseBody(body: string | undefined): unknown {
  try {
    return body === undefined ? undefined : JSON.parse(body);
  } catch {
    return undefined;
  }
}

function toDeadLetter(message: Message): DeadLetter {
  const reason = attr(message, DEAD_LETTER_ATTRIBUTES.reason);
  const cls = classifyDeadLetter({ kind: attr(message, DEAD_LETTER_ATTRIBUTES.kind), reason });
  const messageId = message.MessageId ?? '';
  return {
    message_id: messageId,
    // As the sender names it: the body's command_id, the attribute, the deduplication id.
    command_id: commandIdOf(
      parseBody(message.Body),
      attr(message, DEAD_LETTER_ATTRIBUTES.commandId) ?? undefined,
      message.Attributes?.MessageDeduplicationId,
      messageId,
    ),
    reason,
    kind: cls.kind,
    redrive_helps: cls.redriveHelps,
    advice: cls.advice,
    failed_at: attr(message, DEAD_LETTER_ATTRIBUTES.failedAt),
    receive_count: attr(message, DEAD_LETTER_ATTRIBUTES.receiveCount),
    message_group_id: attr(message, DEAD_LETTER_ATTRIBUTES.groupId) ?? message.Attributes?.MessageGroupId ?? null,
    body: message.Body ?? '',
  };
}

async function receive(sqs: SQSClient, queueUrl: string, visibility: number): Promise<Message[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: visibility,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId', 'SentTimestamp'],
    }),
  );
  return out.Messages ?? [];
}

/** Oldest first: when it reached the DLQ (a conversation's failures reach it in their order). */
const byArrival = (a: Message, b: Message) =>
  Number(a.Attributes?.SentTimestamp ?? 0) - Number(b.Attributes?.SentTimestamp ?? 0);

/**
 * Reads what the DLQ shows, each message once (by message id), holding it in flight for
 * `visibility` seconds. `messages` keeps the latest receipt handle of every message seen.
 * Returns the ones new to `messages`, oldest first.
 */
async function readAll(
  sqs: SQSClient,
  queueUrl: string,
  visibility: number,
  messages: Map<string, Message>,
  rounds: { left: number },
): Promise<Message[]> {
  const fresh: Message[] = [];
  while (rounds.left > 0) {
    rounds.left -= 1;
    const batch = await receive(sqs, queueUrl, visibility);
    if (!batch.length) break;
    for (const message of batch) {
      const id = message.MessageId ?? '';
      if (!messages.has(id)) fresh.push(message);
      messages.set(id, message);
    }
  }
  return fresh.sort(byArrival);
}

/** Makes messages visible again at once; at worst one stays hidden until its visibility ends. */
async function release(sqs: SQSClient, queueUrl: string, messages: Iterable<Message>): Promise<void> {
  await Promise.all(
    [...messages].map((message) =>
      sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        )
        .catch(() => {}),
    ),
  );
}

/** How many messages the DLQ holds (approximate, as SQS counts). */
export async function countDeadLetters(sqs: SQSClient, target: Target): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: target.deadLetterQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/**
 * Peeks at the DLQ without removing anything, each message once, oldest first: messages are
 * received, then made visible again at once. The sender gives each letter a message group of its
 * own, so all of them show; of letters in a shared group (put there by an older sender, or moved
 * by SQS itself), a FIFO queue shows only the oldest until it is gone.
 */
export async function listDeadLetters(sqs: SQSClient, target: Target): Promise<DeadLetter[]> {
  const messages = new Map<string, Message>();
  try {
    await readAll(sqs, target.deadLetterQueueUrl, LIST_VISIBILITY_SECONDS, messages, { left: MAX_ROUNDS });
  } finally {
    await release(sqs, target.deadLetterQueueUrl, messages.values());
  }
  return [...messages.values()].sort(byArrival).map(toDeadLetter);
}

const copyAttributes = (attributes: Record<string, MessageAttributeValue> | undefined) =>
  Object.fromEntries(
    Object.entries(attributes ?? {}).map(([name, value]) => [
      name,
      {
        DataType: value.DataType,
        ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : {}),
      },
    ]),
  );

function withCommandId(attributes: Record<string, MessageAttributeValue>, commandId: string | null) {
  if (!commandId || attributes[DEAD_LETTER_ATTRIBUTES.commandId]) return attributes;
  return { ...attributes, [DEAD_LETTER_ATTRIBUTES.commandId]: { DataType: 'String', StringValue: commandId } };
}

/**
 * Moves the letters `only` selects (default: all) back to the command queue, oldest first, each
 * at most once (see the top of this file); each is sent to the command queue first and deleted
 * from the DLQ only after that succeeded. Letters in a shared FIFO group show one after another
 * as the earlier ones move, so the pass reads again after each move, until nothing new shows.
 */
export async function moveDeadLetters(
  sqs: SQSClient,
  target: Target,
  options: RedriveOptions = {},
): Promise<RedriveOutcome> {
  const only = options.only ?? (() => true);
  const dlq = target.deadLetterQueueUrl;
  /** Every DLQ message this pass saw, with its latest receipt handle. */
  const seen = new Map<string, Message>();
  /** DLQ message id -> what it was moved as. */
  const moved = new Map<string, RedrivenLetter>();
  /** The command queue messages this pass sent: a letter whose source is one of them failed again. */
  const sent = new Set<string>();
  /** DLQ message id -> the receipt handle that deleted it. */
  const deletedWith = new Map<string, string>();
  const deleteErrors = new Map<string, string>();
  const outcome: RedriveOutcome = { moved: [], left: [], notDeleted: [] };
  const rounds = { left: MAX_ROUNDS };
  try {
    for (;;) {
      const fresh = await readAll(sqs, dlq, PASS_VISIBILITY_SECONDS, seen, rounds);
      const toMove: Array<{ message: Message; letter: DeadLetter }> = [];
      for (const message of fresh) {
        const letter = toDeadLetter(message);
        // The sender dead-letters with the failed message's id as deduplication id; SQS's own move keeps the id.
        const refailed = sent.has(message.Attributes?.MessageDeduplicationId ?? '') || sent.has(letter.message_id);
        if (refailed) outcome.left.push({ ...letter, refailed: true });
        else if (only(letter)) toMove.push({ message, letter });
        else outcome.left.push(letter);
      }
      if (!toMove.length) break;
      await options.beforeMove?.(toMove.map(({ letter }) => letter));
      for (const { message, letter } of toMove) {
        const out = await sqs.send(
          new SendMessageCommand({
            QueueUrl: target.commandQueueUrl,
            MessageBody: letter.body,
            MessageGroupId: letter.message_group_id ?? letter.command_id ?? 'redrive',
            // A repeat of this very move within 5 minutes (a pass stopped between send and delete)
            // is dropped by SQS; later, the ledger still never sends the command twice.
            MessageDeduplicationId: `redrive-${letter.message_id}`.slice(0, 128),
            // The command keeps its identity: a body without command_id was known by its original
            // deduplication id, and this send needs a new one (content-based dedup would drop it).
            MessageAttributes: withCommandId(copyAttributes(message.MessageAttributes), letter.command_id),
          }),
        );
        const redriven = { ...letter, redriven_message_id: out.MessageId ?? '' };
        sent.add(redriven.redriven_message_id);
        moved.set(letter.message_id, redriven);
        outcome.moved.push(redriven);
        await remove(letter.message_id);
      }
    }
  } finally {
    // A moved message received again after its delete (its visibility ran out first, or SQS gave
    // it again) is deleted with its latest handle; it is never moved twice.
    for (const id of moved.keys()) if (deletedWith.get(id) !== seen.get(id)?.ReceiptHandle) await remove(id);
    await release(
      sqs,
      dlq,
      [...seen.values()].filter((message) => !moved.has(message.MessageId ?? '')),
    );
  }
  outcome.notDeleted = [...moved.values()]
    .filter((letter) => !deletedWith.has(letter.message_id))
    .map((letter) => ({ ...letter, error: deleteErrors.get(letter.message_id) ?? 'not deleted' }));
  return outcome;

  /** Deletes a moved message with the latest receipt handle the pass has for it. */
  async function remove(id: string): Promise<void> {
    const handle = seen.get(id)?.ReceiptHandle;
    try {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq, ReceiptHandle: handle }));
      deletedWith.set(id, handle ?? '');
      deleteErrors.delete(id);
    } catch (error) {
      deleteErrors.set(id, error instanceof Error ? error.message : String(error));
    }
  }
}

/**
 * Moves the letters `only` selects (default: every one) back to the command queue; returns them.
 * moveDeadLetters tells also what it left.
 */
export async function redriveDeadLetters(
  sqs: SQSClient,
  target: Target,
  options: RedriveOptions = {},
): Promise<RedrivenLetter[]> {
  return (await moveDeadLetters(sqs, target, options)).moved;
}

/**
 * Deletes the letters `only` selects from the DLQ, each once; returns them. Their ledger entries
 * stay `failed` (a corrected command may take the same command_id).
 */
export async function deleteDeadLetters(
  sqs: SQSClient,
  target: Target,
  only: (letter: DeadLetter) => boolean,
): Promise<DeadLetter[]> {
  const dlq = target.deadLetterQueueUrl;
  const seen = new Map<string, Message>();
  const deleted = new Set<string>();
  const out: DeadLetter[] = [];
  const rounds = { left: MAX_ROUNDS };
  try {
    for (;;) {
      const fresh = await readAll(sqs, dlq, PASS_VISIBILITY_SECONDS, seen, rounds);
      const chosen = fresh.map(toDeadLetter).filter(only);
      if (!chosen.length) break;
      for (const letter of chosen) {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: dlq, ReceiptHandle: seen.get(letter.message_id)!.ReceiptHandle }),
        );
        deleted.add(letter.message_id);
        out.push(letter);
      }
    }
  } finally {
    await release(
      sqs,
      dlq,
      [...seen.values()].filter((message) => !deleted.has(message.MessageId ?? '')),
    );
  }
  return out;
}
