import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { membersKey, type MessageItem } from '../contract/items.js';
import { groupKey, memberStatusKey, messageKey, statusKey, timelineKeys } from '../contract/keys.js';
import { statusRank } from '../contract/status.js';
import { TABLE_SCHEMA } from '../contract/table-schema.js';
import type { GroupSnapshot, IngestStore, MemberRefusalOutcome, StatusOutcome } from '../webhooks/ports.js';
import type { WebhookEvent } from '../webhooks/webhook-payload.js';
import { buildUpdate, conditionFailureItem, isConditionalFailure, writeIfCondition } from './update-expression.js';

const { partitionKey: PK } = TABLE_SCHEMA;

/** Fields every webhook event may fill on a message; they never change once known (the tests' in-memory table uses it too). */
export function messageFields(event: WebhookEvent): Record<string, unknown> {
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
    // Only a member's message says something about its writer; on an outbound status it is noise.
    opted_out: event.direction === 'inbound' ? event.optedOut : undefined,
    extra_json: Object.keys(event.extra).length ? JSON.stringify(event.extra) : undefined,
  };
}

/** The history entry of a per-member refusal (the tests' in-memory table uses it too). */
export function memberRefusalItem(event: WebhookEvent, member: string, receivedAt: string): Record<string, unknown> {
  return {
    ...memberStatusKey(event.messageHandle, event.status, member),
    group_id: event.groupId,
    status: event.status,
    member,
    opted_out: true,
    date_updated: event.dateUpdated ?? receivedAt,
    received_at: receivedAt,
    error_code: event.errorCode,
    error_message: event.errorMessage,
  };
}

/**
 * The webhooks' part of the table module: messages, their status history, and group records.
 * Every write is conditional, so retries and duplicates change nothing, and none reads first.
 */
export function createMessageTable(
  db: DynamoDBDocumentClient,
  TableName: string,
  now: () => string,
): Omit<IngestStore, 'addReaction'> {
  return {
    /**
     * One conditional put. `duplicate`: the handle is stored under the same group (a retry);
     * `conflict`: it is stored under another group or none (not a retry of this event).
     */
    async putInboundMessage(event: WebhookEvent): Promise<'stored' | 'duplicate' | 'conflict'> {
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
        await db.send(
          new PutCommand({
            TableName,
            Item: item,
            ConditionExpression: `attribute_not_exists(${PK})`,
            // The stored item comes back with the failure at no extra request: tells a retry from a clash.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'stored';
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        const existing = conditionFailureItem<MessageItem>(error);
        return existing?.group_id === event.groupId ? 'duplicate' : 'conflict';
      }
    },

    async applyStatusEvent(event: WebhookEvent): Promise<StatusOutcome> {
      const receivedAt = now();
      const rank = statusRank(event.status);
      const fill = messageFields(event);
      if (event.groupId)
        Object.assign(fill, timelineKeys(event.groupId, event.dateSent ?? receivedAt, event.messageHandle));
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
        const out = await db.send(
          new UpdateCommand({
            TableName,
            Key: messageKey(event.messageHandle),
            ...update,
            ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#direction': 'direction' },
            ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':inbound': 'inbound' },
            // A status only moves forward; terminal statuses have the highest rank, so nothing follows
            // them. Inbound messages have no delivery status: a status event never touches one.
            ConditionExpression:
              '(attribute_not_exists(#status_rank) OR #status_rank < :status_rank) AND (attribute_not_exists(#direction) OR #direction <> :inbound)',
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        attributes = out.Attributes;
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        statusAdvanced = false;
        attributes = conditionFailureItem<Record<string, unknown>>(error);
        if (attributes?.direction === 'inbound')
          return { refused: 'inbound-message', statusAdvanced: false, historyAdded: false };
      }
      let historyAdded = true;
      historyAdded = await writeIfCondition(
        db,
        new PutCommand({
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
        }),
      );
      const relayUrl = typeof attributes?.relay_url === 'string' ? attributes.relay_url : undefined;
      return { statusAdvanced, historyAdded, relayUrl };
    },

    async recordMemberRefusal(event: WebhookEvent): Promise<MemberRefusalOutcome> {
      const member = event.declinedMember;
      if (!member) throw new Error('recordMemberRefusal needs an event naming the declined member');
      const receivedAt = now();
      const out = await db.send(
        new GetCommand({ TableName, Key: messageKey(event.messageHandle), ConsistentRead: true }),
      );
      const message = out.Item as MessageItem | undefined;
      if (message?.direction === 'inbound') return { refused: 'inbound-message', historyAdded: false };
      const historyAdded = await writeIfCondition(
        db,
        new PutCommand({
          TableName,
          Item: memberRefusalItem(event, member, receivedAt),
          ConditionExpression: `attribute_not_exists(${PK})`,
        }),
      );
      return { historyAdded, relayUrl: message?.relay_url };
    },

    async syncGroup(snapshot: GroupSnapshot): Promise<'updated' | 'unchanged'> {
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
      return (await writeIfCondition(
        db,
        new UpdateCommand({
          TableName,
          Key: groupKey(snapshot.groupId),
          ...update,
          // Written only when membership or name really change, and never by an older message.
          ConditionExpression: `attribute_not_exists(${PK}) OR (#updated_at < :updated_at AND ${anyChange})`,
        }),
      ))
        ? 'updated'
        : 'unchanged';
    },
  };
}
