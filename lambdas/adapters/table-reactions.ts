import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, type BatchGetCommandOutput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { reactionsKey } from '../contract/keys.js';
import {
  MAX_REACTIONS_PER_MESSAGE,
  type NewReaction,
  type ReactionEntry,
  type ReactionsItem,
} from '../contract/reactions.js';
import { TABLE_SCHEMA } from '../contract/table-schema.js';
import type { ReactionReads } from '../reads/ports.js';
import type { ReactionRecords } from '../webhooks/ports.js';
import { conditionFailureItem, isConditionalFailure } from './update-expression.js';

const { partitionKey: PK } = TABLE_SCHEMA;
/** DynamoDB's limit of keys per BatchGetItem. */
const BATCH_GET_LIMIT = 100;

const hasId = (ids: ReactionsItem['reaction_ids'], id: string) =>
  ids instanceof Set ? ids.has(id) : Array.isArray(ids) && ids.includes(id);

/**
 * The reactions' part of the table module: one `REACTIONS` item beside each message that has any
 * (contract/reactions.ts). A reaction is one conditional update (no read first), idempotent on its
 * id; a message's reactions are read with the message (one Query) or, for a timeline page, in one
 * BatchGetItem beside the page (the timeline index does not project them: docs/table-design.md).
 */
export function createReactionTable(
  db: DynamoDBDocumentClient,
  TableName: string,
  now: () => string,
): ReactionRecords & ReactionReads {
  return {
    async addReaction({ targetHandle, groupId, entry }: NewReaction): Promise<'added' | 'duplicate' | 'full'> {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: reactionsKey(targetHandle),
            UpdateExpression:
              'SET #reactions = list_append(if_not_exists(#reactions, :none), :new), #message_handle = :handle, #updated_at = :now' +
              (groupId ? ', #group_id = if_not_exists(#group_id, :group_id)' : '') +
              ' ADD #reaction_ids :ids',
            // Not there yet (a retry changes nothing), and room for it.
            ConditionExpression:
              'attribute_not_exists(#reaction_ids) OR (NOT contains(#reaction_ids, :id) AND size(#reactions) < :max)',
            ExpressionAttributeNames: {
              '#reactions': 'reactions',
              '#reaction_ids': 'reaction_ids',
              '#message_handle': 'message_handle',
              '#updated_at': 'updated_at',
              ...(groupId ? { '#group_id': 'group_id' } : {}),
            },
            ExpressionAttributeValues: {
              ':none': [],
              ':new': [entry],
              ':handle': targetHandle,
              ':now': now(),
              ':ids': new Set([entry.id]),
              ':id': entry.id,
              ':max': MAX_REACTIONS_PER_MESSAGE,
              ...(groupId ? { ':group_id': groupId } : {}),
            },
            // The stored item comes back with the failure: tells a retry from a full message.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'added';
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        const stored = conditionFailureItem<ReactionsItem>(error);
        return hasId(stored?.reaction_ids, entry.id) ? 'duplicate' : 'full';
      }
    },

    /**
     * The reactions of these messages, by handle (messages without any are left out). Eventually
     * consistent BatchGetItem, 100 keys a request; keys DynamoDB leaves unprocessed are asked
     * again (a few rounds), and the read fails rather than answer a page with reactions missing.
     */
    async getReactions(handles: readonly string[]): Promise<Map<string, ReactionEntry[]>> {
      const found = new Map<string, ReactionEntry[]>();
      const unique = [...new Set(handles)];
      for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
        let pending: Array<Record<string, unknown>> | undefined = unique
          .slice(start, start + BATCH_GET_LIMIT)
          .map(reactionsKey);
        for (let round = 0; pending?.length; round += 1) {
          if (round === 5) throw new Error('reactions not read: DynamoDB left keys unprocessed five times');
          if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
          const out: BatchGetCommandOutput = await db.send(
            new BatchGetCommand({
              RequestItems: {
                [TableName]: {
                  Keys: pending,
                  ProjectionExpression: '#pk, #reactions',
                  ExpressionAttributeNames: { '#pk': PK, '#reactions': 'reactions' },
                },
              },
            }),
          );
          for (const item of out.Responses?.[TableName] ?? []) {
            const handle = String(item[PK] ?? '').slice('MSG#'.length);
            if (Array.isArray(item.reactions)) found.set(handle, item.reactions as ReactionEntry[]);
          }
          pending = out.UnprocessedKeys?.[TableName]?.Keys;
        }
      }
      return found;
    },
  };
}
