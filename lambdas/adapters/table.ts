import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { groupKey, commandKey, messageKey, statusKey, timelineKeys, timelinePartition, STATUS_SK_PREFIX, MESSAGE_SK } from '../contract/keys';
import { COMMAND_QUEUE_SETTINGS } from '../contract/command-queue-settings';
import { groupView } from '../contract/views';
import { statusRank } from '../contract/status';
import { TABLE_SCHEMA } from '../contract/table-schema';
import type { WebhookEvent } from '../webhooks/webhook-payload';
import { buildUpdate, conditionFailureItem, isConditionalFailure } from './update-expression';
import { createCommandTable, type CommandItem, type CommandTable } from './table-ledger';
import { createPacingTable, type PacingTable } from './table-pacing';
import { createMediaTable, type MediaTable } from './table-media';
import type { MediaArchive } from '../media/media-rules';
import { createBackfillTable, type BackfillTable } from './table-backfill';

export type { CommandItem, CommandState, OutboundMessage, ClaimResult, CommandFinish } from './table-ledger';
export type { UnsettledEntry } from './table-backfill';

/**
 * The one module that talks to the table. Every write is conditional so that retries and
 * duplicates change nothing, and none is preceded by a read.
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export interface TableStoreOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  now?: () => Date;
  /** Days a command ledger entry is kept (TTL). @default COMMAND_QUEUE_SETTINGS.ledgerRetentionDays (30) */
  ledgerRetentionDays?: number;
}

/** A message as stored (snake_case, like Sendblue's fields and our API). */
export interface MessageItem {
  message_handle: string;
  group_id?: string;
  direction: 'inbound' | 'outbound';
  status: string;
  status_rank: number;
  content?: string;
  media_url?: string;
  from_number?: string;
  date_sent?: string;
  date_updated?: string;
  send_style?: string;
  participants?: string[];
  group_display_name?: string;
  error_code?: string;
  error_message?: string;
  /** Where the status events of this message are relayed (a command's own status_callback). */
  relay_url?: string;
  /** The command that sent it (outbound messages sent by this stack). */
  command_id?: string;
  /**
   * Payload fields we do not map, as JSON text: a map attribute would let odd input (an empty key,
   * a number DynamoDB cannot hold, deep nesting) fail the write and turn bad input into a 5xx.
   */
  extra_json?: string;
  received_at?: string;
  /** Where the media Lambda copied `media_url` (or why it did not): table-media.ts. */
  media_archive?: MediaArchive;
}

export interface StatusHistoryItem {
  status: string;
  group_id?: string;
  date_updated?: string;
  received_at: string;
  error_code?: string;
  error_message?: string;
}

export interface GroupItem {
  group_id: string;
  members?: string[];
  group_name?: string;
  /** Date of the first message (or change) that showed this group. */
  created_at: string;
  /** Date of the message (or change) that showed the current membership and name. */
  updated_at: string;
}

export interface GroupSnapshot {
  groupId: string;
  members?: string[];
  name?: string;
  /** When this membership was true (the message's date); an older snapshot never overwrites a newer one. */
  asOf: string;
}

export interface StatusOutcome {
  /** Nothing was written: the message is an inbound one, which has no delivery status. */
  refused?: 'inbound-message';
  /** The message's current status moved to this event's status. */
  statusAdvanced: boolean;
  /** This status was not in the history before. */
  historyAdded: boolean;
  relayUrl?: string;
}

export interface MessagePage {
  /** Timeline entries: the attributes GSI1 projects (TABLE_SCHEMA.groupTimelineIndex), not the whole item. */
  items: MessageItem[];
  /**
   * The key to continue after the last returned item, whenever more items may follow; absent on
   * the last page. A page can be shorter than `limit` and still have one (DynamoDB's 1 MB limit).
   */
  nextKey?: Record<string, string>;
}

/** One line of the sandbox page's group list. */
export interface GroupListEntry {
  group_id: string;
  name: string | null;
  members: string[];
  last_message_at: string | null;
  message_count: number;
}

export interface TableStore extends CommandTable, PacingTable, MediaTable, BackfillTable {
  /**
   * One conditional put. `duplicate`: the handle is stored under the same group (a retry);
   * `conflict`: it is stored under another group or none (not a retry of this event).
   */
  putInboundMessage(event: WebhookEvent): Promise<'stored' | 'duplicate' | 'conflict'>;
  applyStatusEvent(event: WebhookEvent): Promise<StatusOutcome>;
  syncGroup(snapshot: GroupSnapshot): Promise<'updated' | 'unchanged'>;
  getGroup(groupId: string): Promise<GroupItem | undefined>;
  listGroupMessages(groupId: string, options: { limit: number; order: 'asc' | 'desc'; startKey?: Record<string, string> }): Promise<MessagePage>;
  /** Resolves when the table answers a read (the sandbox's /health); rejects otherwise. */
  checkReachable(): Promise<void>;
  getMessageWithHistory(handle: string): Promise<{ message: MessageItem; history: StatusHistoryItem[] } | undefined>;
  getCommand(commandId: string): Promise<CommandItem | undefined>;
  /**
   * SANDBOX ONLY (the sandbox page's group list): every group, newest activity first, from a Scan
   * of group records and group messages. It reads the whole table, so no deployed handler calls it
   * and no Lambda role may Scan; in AWS, list your groups from your own records.
   */
  listGroupsForSandbox(): Promise<GroupListEntry[]>;
}

const { partitionKey: PK, sortKey: SK } = TABLE_SCHEMA;
const TIMELINE = TABLE_SCHEMA.groupTimelineIndex;

/** The position of a timeline entry, as DynamoDB's LastEvaluatedKey for GSI1 would give it. */
const timelineCursorKey = (item: Record<string, string>) => ({
  [PK]: item[PK] as string, [SK]: item[SK] as string,
  [TIMELINE.partitionKey]: item[TIMELINE.partitionKey] as string, [TIMELINE.sortKey]: item[TIMELINE.sortKey] as string,
});

/** Fields every webhook event may fill on a message; they never change once known. */
function messageFields(event: WebhookEvent): Record<string, unknown> {
  return {
    message_handle: event.messageHandle,
    group_id: event.groupId,
    direction: event.direction,
    content: event.content,
    media_url: event.mediaUrl,
    from_number: event.fromNumber,
    date_sent: event.dateSent,
    send_style: event.sendStyle,
    participants: event.participants,
    group_display_name: event.groupDisplayName,
    service: event.service,
    sendblue_number: event.sendblueNumber,
    extra_json: Object.keys(event.extra).length ? JSON.stringify(event.extra) : undefined,
  };
}

export const membersKey = (members: readonly string[]) => [...new Set(members)].sort().join(',');

export function createTableStore(options: TableStoreOptions): TableStore {
  const { documentClient: db, tableName: TableName } = options;
  const now = () => (options.now ? options.now() : new Date()).toISOString();

  return {
    ...createCommandTable(db, TableName, () => (options.now ? options.now() : new Date()), options.ledgerRetentionDays ?? COMMAND_QUEUE_SETTINGS.ledgerRetentionDays),
    ...createPacingTable(db, TableName),
    ...createMediaTable(db, TableName),
    ...createBackfillTable(db, TableName, () => (options.now ? options.now() : new Date())),

    async putInboundMessage(event) {
      const receivedAt = now();
      const item = {
        ...messageKey(event.messageHandle),
        ...(event.groupId ? timelineKeys(event.groupId, event.dateSent ?? receivedAt, event.messageHandle) : {}),
        ...messageFields(event),
        status: event.status,
        status_rank: statusRank(event.status),
        date_updated: event.dateUpdated ?? event.dateSent ?? receivedAt,
        received_at: receivedAt,
      };
      try {
        await db.send(new PutCommand({
          TableName,
          Item: item,
          ConditionExpression: `attribute_not_exists(${PK})`,
          // The stored item comes back with the failure at no extra request: tells a retry from a clash.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }));
        return 'stored';
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        const existing = conditionFailureItem<MessageItem>(error);
        return existing?.group_id === event.groupId ? 'duplicate' : 'conflict';
      }
    },

    async applyStatusEvent(event) {
      const receivedAt = now();
      const rank = statusRank(event.status);
      const fill = messageFields(event);
      if (event.groupId) Object.assign(fill, timelineKeys(event.groupId, event.dateSent ?? receivedAt, event.messageHandle));
      const update = buildUpdate({
        set: {
          status: event.status,
          status_rank: rank,
          date_updated: event.dateUpdated ?? receivedAt,
          error_code: event.errorCode,
          error_message: event.errorMessage,
        },
        setIfNotExists: { ...fill, received_at: receivedAt },
      });
      let statusAdvanced = true;
      let attributes: Record<string, unknown> | undefined;
      try {
        const out = await db.send(new UpdateCommand({
          TableName,
          Key: messageKey(event.messageHandle),
          ...update,
          ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#direction': 'direction' },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':inbound': 'inbound' },
          // A status only moves forward; terminal statuses have the highest rank, so nothing follows
          // them. Inbound messages have no delivery status: a status event never touches one.
          ConditionExpression: '(attribute_not_exists(#status_rank) OR #status_rank < :status_rank) AND (attribute_not_exists(#direction) OR #direction <> :inbound)',
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }));
        attributes = out.Attributes;
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        statusAdvanced = false;
        attributes = conditionFailureItem<Record<string, unknown>>(error);
        if (attributes?.direction === 'inbound') return { refused: 'inbound-message', statusAdvanced: false, historyAdded: false };
      }
      let historyAdded = true;
      try {
        await db.send(new PutCommand({
          TableName,
          Item: {
            ...statusKey(event.messageHandle, event.status),
            // Lets the stream's Message Status Changed event name the group without a read.
            group_id: event.groupId,
            status: event.status,
            date_updated: event.dateUpdated ?? receivedAt,
            received_at: receivedAt,
            error_code: event.errorCode,
            error_message: event.errorMessage,
          },
          ConditionExpression: `attribute_not_exists(${PK})`,
        }));
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        historyAdded = false;
      }
      const relayUrl = typeof attributes?.relay_url === 'string' ? attributes.relay_url : undefined;
      return { statusAdvanced, historyAdded, relayUrl };
    },

    async syncGroup(snapshot) {
      const changes: string[] = [];
      const set: Record<string, unknown> = { group_id: snapshot.groupId, updated_at: snapshot.asOf };
      if (snapshot.members) {
        set.members = [...new Set(snapshot.members)].sort();
        set.members_key = membersKey(snapshot.members);
        changes.push('attribute_not_exists(#members_key) OR #members_key <> :members_key');
      }
      if (snapshot.name !== undefined) {
        set.group_name = snapshot.name;
        changes.push('attribute_not_exists(#group_name) OR #group_name <> :group_name');
      }
      if (!changes.length) return 'unchanged';
      // DynamoDB rejects redundant parentheses, so one change is wrapped once, several twice.
      const anyChange = changes.length === 1 ? `(${changes[0]})` : `(${changes.map((c) => `(${c})`).join(' OR ')})`;
      const update = buildUpdate({ set, setIfNotExists: { created_at: snapshot.asOf } });
      try {
        await db.send(new UpdateCommand({
          TableName,
          Key: groupKey(snapshot.groupId),
          ...update,
          // Written only when membership or name really change, and never by an older message.
          ConditionExpression: `attribute_not_exists(${PK}) OR (#updated_at < :updated_at AND ${anyChange})`,
        }));
        return 'updated';
      } catch (error) {
        if (isConditionalFailure(error)) return 'unchanged';
        throw error;
      }
    },

    async getGroup(groupId) {
      const out = await db.send(new GetCommand({ TableName, Key: groupKey(groupId) }));
      return out.Item as GroupItem | undefined;
    },

    async listGroupMessages(groupId, { limit, order, startKey }) {
      // Ask for one more than the page so that a last page that is full has no cursor (no empty
      // trailing page). DynamoDB also stops at 1 MB read, with a LastEvaluatedKey: then more items
      // may follow, and the page ends early with a cursor. (Not queried on: a page of `limit` large
      // messages could exceed what a Lambda may answer, 6 MB; a 1 MB page cannot.)
      const out = await db.send(new QueryCommand({
        TableName,
        IndexName: TIMELINE.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TIMELINE.partitionKey },
        ExpressionAttributeValues: { ':pk': timelinePartition(groupId) },
        ScanIndexForward: order === 'asc',
        Limit: limit + 1,
        ExclusiveStartKey: startKey,
      }));
      const rows = out.Items ?? [];
      const items = rows.slice(0, limit) as Array<MessageItem & Record<string, string>>;
      const last = items[items.length - 1];
      const more = rows.length > limit || out.LastEvaluatedKey !== undefined;
      const nextKey = !more ? undefined : last ? timelineCursorKey(last) : (out.LastEvaluatedKey as Record<string, string>);
      return { items, nextKey };
    },

    async checkReachable() {
      // A read of a key that is never written: proves the table answers, costs half a read unit.
      await db.send(new GetCommand({ TableName, Key: { [PK]: 'HEALTH', [SK]: 'HEALTH' } }));
    },

    async getMessageWithHistory(handle) {
      const out = await db.send(new QueryCommand({
        TableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': PK },
        ExpressionAttributeValues: { ':pk': messageKey(handle)[PK] },
        ConsistentRead: true,
      }));
      const items = out.Items ?? [];
      const message = items.find((item) => item[SK] === MESSAGE_SK) as MessageItem | undefined;
      if (!message) return undefined;
      const history = items
        .filter((item) => String(item[SK]).startsWith(STATUS_SK_PREFIX))
        .map((item) => item as StatusHistoryItem);
      return { message, history };
    },

    async getCommand(commandId) {
      const out = await db.send(new GetCommand({ TableName, Key: commandKey(commandId) }));
      return out.Item as CommandItem | undefined;
    },

    async listGroupsForSandbox() {
      const groups = new Map<string, { record?: GroupItem; messages: MessageItem[] }>();
      const entry = (groupId: string) => {
        let found = groups.get(groupId);
        if (!found) groups.set(groupId, (found = { messages: [] }));
        return found;
      };
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(new ScanCommand({
          TableName,
          // Group records, and group messages (only they carry a GROUP# timeline key; unsettled
          // commands carry an UNSETTLED one).
          FilterExpression: '(begins_with(#pk, :group) AND #sk = :groupSk) OR begins_with(#tpk, :group)',
          ProjectionExpression: '#pk, #sk, #tpk, group_id, group_name, members, created_at, updated_at, date_sent, participants, group_display_name',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#tpk': TIMELINE.partitionKey },
          ExpressionAttributeValues: { ':group': timelinePartition(''), ':groupSk': groupKey('')[SK] },
          ExclusiveStartKey: startKey,
        }));
        for (const item of out.Items ?? []) {
          const group = entry(String(item.group_id ?? String(item[TIMELINE.partitionKey] ?? item[PK]).slice(timelinePartition('').length)));
          if (item[SK] === groupKey('')[SK]) group.record = item as GroupItem;
          else group.messages.push(item as MessageItem);
        }
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      // Members and name exactly as GET /groups/{id} answers them (a newer message's membership wins).
      const list: GroupListEntry[] = [...groups].map(([groupId, { record, messages }]) => {
        const newestFirst = messages.sort((a, b) => String(b.date_sent ?? '').localeCompare(String(a.date_sent ?? '')));
        const view = groupView(groupId, record, newestFirst.slice(0, 10));
        return { group_id: groupId, name: view.name, members: view.members, last_message_at: view.last_message_at, message_count: messages.length };
      });
      return list.sort((a, b) => String(b.last_message_at ?? '').localeCompare(String(a.last_message_at ?? '')));
    },
  };
}
