/**
 * SANDBOX ONLY: the commands that were not done, for the sandbox page's failed bubbles and its
 * "Not sent" list. Two sources, joined by command_id:
 *  - the ledger (durable): every entry in state `failed`, with its error and group_id. A Scan, so
 *    it lives here; no deployed Lambda may Scan.
 *  - the DLQ (what was sent to it, as the sender put it there): the command's body, so the page can
 *    show what was meant (the text, the numbers of a new group, the member to add), and commands the
 *    ledger does not show as failed (a reused command_id refused: its entry is the other command's).
 * The ledger keeps no body of a failed command; after a redrive the DLQ no longer has it either,
 * and the page shows the reason without the text.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DEAD_LETTER_ATTRIBUTES } from '../lambdas/contract/dead-letters.js';
import type { CommandItem } from '../lambdas/contract/items.js';
import { commandKey } from '../lambdas/contract/keys.js';
import { TABLE_SCHEMA } from '../lambdas/contract/table-schema.js';
import type { PageFailedCommand } from './page/page-logic.js';
import type { PeekedMessage } from './sqs-emulator.js';

export type FailedCommand = PageFailedCommand;
export type ListFailedCommands = () => Promise<FailedCommand[]>;

const { partitionKey: PK, sortKey: SK } = TABLE_SCHEMA;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** What a command body says, as far as the page shows it (anything odd is simply left out). */
function fromBody(body: string | undefined) {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = body === undefined ? undefined : JSON.parse(body);
    if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // Not JSON: the sender refused it as invalid; the ledger's error says so.
  }
  const numbers = Array.isArray(parsed.numbers)
    ? parsed.numbers.filter((n): n is string => typeof n === 'string')
    : null;
  return {
    type: text(parsed.type),
    group_id: text(parsed.group_id),
    numbers,
    content: text(parsed.content),
    media_url: text(parsed.media_url),
    modify_type: text(parsed.modify_type),
    number: text(parsed.number),
    name: text(parsed.name),
    message_handle: text(parsed.message_handle),
    reaction: text(parsed.reaction),
  };
}

export function sandboxFailedCommands(deps: {
  db: DynamoDBDocumentClient;
  tableName: string;
  /** The DLQ's messages, or none when the command path is not running yet. */
  peekDeadLetters: () => Promise<PeekedMessage[]>;
}): ListFailedCommands {
  async function failedLedgerEntries(): Promise<CommandItem[]> {
    const entries: CommandItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await deps.db.send(
        new ScanCommand({
          TableName: deps.tableName,
          FilterExpression: 'begins_with(#pk, :cmd) AND #sk = :cmdSk AND #state = :failed',
          ProjectionExpression: 'command_id, #type, #state, #error, group_id, created_at, updated_at',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#state': 'state', '#type': 'type', '#error': 'error' },
          ExpressionAttributeValues: { ':cmd': 'CMD#', ':cmdSk': commandKey('')[SK], ':failed': 'failed' },
          ExclusiveStartKey: startKey,
        }),
      );
      entries.push(...((out.Items ?? []) as CommandItem[]));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return entries;
  }

  return async function listFailedCommands() {
    const [ledger, letters] = await Promise.all([failedLedgerEntries(), deps.peekDeadLetters()]);
    const byCommand = new Map<string, PeekedMessage>();
    for (const letter of letters) {
      const id = letter.attributes[DEAD_LETTER_ATTRIBUTES.commandId];
      if (id && !byCommand.has(id)) byCommand.set(id, letter);
    }
    const failed: FailedCommand[] = ledger.map((entry) => {
      const letter = byCommand.get(entry.command_id);
      byCommand.delete(entry.command_id);
      const body = fromBody(letter?.body);
      return {
        command_id: entry.command_id,
        ...body,
        type: entry.type || body.type || 'unknown',
        group_id: entry.group_id ?? body.group_id,
        reason: entry.error ?? letter?.attributes[DEAD_LETTER_ATTRIBUTES.reason] ?? 'failed',
        // Where it belongs in the conversation: when it was first tried.
        at: entry.created_at ?? entry.updated_at ?? letter?.sentAt ?? '',
      };
    });
    // On the DLQ without a failed ledger entry: e.g. a command refused because its id was taken.
    for (const [commandId, letter] of byCommand) {
      const body = fromBody(letter.body);
      failed.push({
        command_id: commandId,
        ...body,
        type: body.type ?? 'unknown',
        reason: letter.attributes[DEAD_LETTER_ATTRIBUTES.reason] ?? 'failed',
        at: letter.attributes[DEAD_LETTER_ATTRIBUTES.failedAt] ?? letter.sentAt,
      });
    }
    return failed.sort((a, b) => a.at.localeCompare(b.at) || a.command_id.localeCompare(b.command_id));
  };
}
