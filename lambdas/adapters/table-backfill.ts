import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { itemId, type StoredItem } from '../backfill/backfill-rules.js';
import type { BackfillStore } from '../backfill/ports.js';
import { backfillWatermarkKey, UNSETTLED_PARTITION } from '../contract/keys.js';
import { TABLE_SCHEMA } from '../contract/table-schema.js';
import type { UnsettledCommands, UnsettledEntry } from '../sending/ports.js';
import { writeIfCondition } from './update-expression.js';

const { partitionKey: PK, sortKey: SK } = TABLE_SCHEMA;
const INDEX = TABLE_SCHEMA.groupTimelineIndex;
/** DynamoDB's limit of keys per BatchGetItem. */
const BATCH_GET_LIMIT = 100;

/**
 * The backfill's part of the table module: one watermark item per line (how far Sendblue's
 * message list has been read and stored), and the list of unsettled (`unknown`) commands that
 * the sweep reads from GSI1 (the entry's updatedAt is the sort key's date part).
 * createTableStore (table.ts) exposes these.
 */
export function createBackfillTable(
  db: DynamoDBDocumentClient,
  TableName: string,
  now: () => Date,
): BackfillStore & UnsettledCommands {
  return {
    async getBackfillWatermark(line: string): Promise<string | undefined> {
      const out = await db.send(new GetCommand({ TableName, Key: backfillWatermarkKey(line), ConsistentRead: true }));
      return typeof out.Item?.watermark === 'string' ? out.Item.watermark : undefined;
    },

    async advanceBackfillWatermark(line: string, watermark: string): Promise<boolean> {
      return writeIfCondition(
        db,
        new UpdateCommand({
          TableName,
          Key: backfillWatermarkKey(line),
          UpdateExpression: 'SET #watermark = :watermark, #line = :line, #updated_at = :updated_at',
          // ISO dates (toISOString) compare correctly as text.
          ConditionExpression: 'attribute_not_exists(#watermark) OR #watermark < :watermark',
          ExpressionAttributeNames: { '#watermark': 'watermark', '#line': 'line', '#updated_at': 'updated_at' },
          ExpressionAttributeValues: { ':watermark': watermark, ':line': line, ':updated_at': now().toISOString() },
        }),
      );
    },

    /**
     * Which of these items exist, with their status (or the ids of the reactions a message's
     * `REACTIONS` item holds): eventually consistent BatchGetItem, 100 keys
     * a request (a key read again later may be missing: the write path then decides). Keys
     * DynamoDB leaves unprocessed are asked once more, then counted as not found.
     */
    async findItems(keys: Array<Record<string, string>>): Promise<Map<string, StoredItem>> {
      const found = new Map<string, StoredItem>();
      const unique = [...new Map(keys.map((key) => [itemId(key), key])).values()];
      for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
        let pending: Array<Record<string, unknown>> | undefined = unique.slice(start, start + BATCH_GET_LIMIT);
        for (let round = 0; round < 2 && pending?.length; round += 1) {
          const out: BatchGetCommandOutput = await db.send(
            new BatchGetCommand({
              RequestItems: {
                [TableName]: {
                  Keys: pending,
                  ProjectionExpression: '#pk, #sk, #status, #reaction_ids',
                  ExpressionAttributeNames: {
                    '#pk': PK,
                    '#sk': SK,
                    '#status': 'status',
                    '#reaction_ids': 'reaction_ids',
                  },
                },
              },
            }),
          );
          for (const item of out.Responses?.[TableName] ?? []) {
            found.set(itemId(item as Record<string, string>), {
              status: typeof item.status === 'string' ? item.status : undefined,
              ...(item.reaction_ids instanceof Set ? { reactionIds: item.reaction_ids as Set<string> } : {}),
            });
          }
          pending = out.UnprocessedKeys?.[TableName]?.Keys;
        }
      }
      return found;
    },

    /** One Query of GSI1. */
    async listUnsettledCommands(options: { before: string; limit: number }): Promise<UnsettledEntry[]> {
      const out = await db.send(
        new QueryCommand({
          TableName,
          IndexName: INDEX.name,
          KeyConditionExpression: '#pk = :pk AND #sk < :before',
          ExpressionAttributeNames: { '#pk': INDEX.partitionKey, '#sk': INDEX.sortKey },
          ExpressionAttributeValues: { ':pk': UNSETTLED_PARTITION, ':before': options.before },
          ScanIndexForward: true,
          Limit: options.limit,
        }),
      );
      return (out.Items ?? []).flatMap((item) => {
        const sortKey = String(item[INDEX.sortKey] ?? '');
        const pk = String(item[PK] ?? '');
        if (!pk.startsWith('CMD#') || item[SK] !== 'CMD') return [];
        return [{ commandId: pk.slice('CMD#'.length), updatedAt: sortKey.slice(0, sortKey.indexOf('#')) }];
      });
    },
  };
}
