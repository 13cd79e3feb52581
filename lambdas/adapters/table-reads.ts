import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CommandItem, GroupItem, MessageItem, StatusHistoryItem } from '../contract/items.js';
import {
  commandKey,
  groupKey,
  messageKey,
  timelinePartition,
  MESSAGE_SK,
  REACTIONS_SK,
  STATUS_SK_PREFIX,
} from '../contract/keys.js';
import type { ReactionsItem } from '../contract/reactions.js';
import { TABLE_SCHEMA } from '../contract/table-schema.js';
import type { MessagePage, ReadStore, StoredMessage } from '../reads/ports.js';

/** The read routes' part of the table module, and the sandbox's health check. */
export interface ReadTable extends Omit<ReadStore, 'getReactions' | 'getContact' | 'listOptedOut'> {
  /** Resolves when the table answers a read (the sandbox's /health); rejects otherwise. */
  checkReachable(): Promise<void>;
}

const { partitionKey: PK, sortKey: SK } = TABLE_SCHEMA;
const TIMELINE = TABLE_SCHEMA.groupTimelineIndex;

/** The position of a timeline entry, as DynamoDB's LastEvaluatedKey for GSI1 would give it. */
const timelineCursorKey = (item: Record<string, string>) => ({
  [PK]: item[PK] as string,
  [SK]: item[SK] as string,
  [TIMELINE.partitionKey]: item[TIMELINE.partitionKey] as string,
  [TIMELINE.sortKey]: item[TIMELINE.sortKey] as string,
});

/** A group, its timeline, a message with its history, a command. */
export function createReadTable(db: DynamoDBDocumentClient, TableName: string): ReadTable {
  return {
    async getGroup(groupId: string): Promise<GroupItem | undefined> {
      const out = await db.send(new GetCommand({ TableName, Key: groupKey(groupId) }));
      return out.Item as GroupItem | undefined;
    },

    async listGroupMessages(
      groupId: string,
      { limit, order, startKey }: { limit: number; order: 'asc' | 'desc'; startKey?: Record<string, string> },
    ): Promise<MessagePage> {
      // Ask for one more than the page so that a last page that is full has no cursor (no empty
      // trailing page). DynamoDB also stops at 1 MB read, with a LastEvaluatedKey: then more items
      // may follow, and the page ends early with a cursor. (Not queried on: a page of `limit` large
      // messages could exceed what a Lambda may answer, 6 MB; a 1 MB page cannot.)
      const out = await db.send(
        new QueryCommand({
          TableName,
          IndexName: TIMELINE.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TIMELINE.partitionKey },
          ExpressionAttributeValues: { ':pk': timelinePartition(groupId) },
          ScanIndexForward: order === 'asc',
          Limit: limit + 1,
          ExclusiveStartKey: startKey,
        }),
      );
      const rows = out.Items ?? [];
      const items = rows.slice(0, limit) as Array<MessageItem & Record<string, string>>;
      const last = items[items.length - 1];
      const more = rows.length > limit || out.LastEvaluatedKey !== undefined;
      const nextKey = !more
        ? undefined
        : last
          ? timelineCursorKey(last)
          : (out.LastEvaluatedKey as Record<string, string>);
      return { items, nextKey };
    },

    async checkReachable(): Promise<void> {
      // A read of a key that is never written: proves the table answers, costs half a read unit.
      await db.send(new GetCommand({ TableName, Key: { [PK]: 'HEALTH', [SK]: 'HEALTH' } }));
    },

    async getMessageWithHistory(handle: string): Promise<StoredMessage | undefined> {
      const out = await db.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': PK },
          ExpressionAttributeValues: { ':pk': messageKey(handle)[PK] },
          ConsistentRead: true,
        }),
      );
      const items = out.Items ?? [];
      const message = items.find((item) => item[SK] === MESSAGE_SK) as MessageItem | undefined;
      if (!message) return undefined;
      const history = items
        .filter((item) => String(item[SK]).startsWith(STATUS_SK_PREFIX))
        .map((item) => item as StatusHistoryItem);
      const reactions = (items.find((item) => item[SK] === REACTIONS_SK) as ReactionsItem | undefined)?.reactions;
      return { message, history, reactions: reactions ?? [] };
    },

    async getCommand(commandId: string): Promise<CommandItem | undefined> {
      const out = await db.send(new GetCommand({ TableName, Key: commandKey(commandId) }));
      return out.Item as CommandItem | undefined;
    },
  };
}
