import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { commandKey, messageKey, timelineKeys } from './keys';
import { statusRank } from './status';
import { TABLE_SCHEMA } from './table-schema';
import { buildUpdate, conditionFailureItem, isConditionalFailure } from './update-expression';

/**
 * The sender's part of the table module: the command ledger (exactly-once decisions rest on its
 * conditional writes) and outbound messages. createTableStore (table.ts) exposes these.
 */
export type CommandState = 'queued' | 'sending' | 'sent' | 'failed' | 'unknown';

export interface CommandItem {
  command_id: string;
  type: string;
  state: CommandState;
  group_id?: string;
  message_handle?: string;
  error?: string;
  /** What the command asks for (commandFingerprint): tells a reused command_id apart. */
  fingerprint?: string;
  attempts?: number;
  /** Epoch ms until which the current `sending` attempt owns the command. */
  lease_until?: number;
  lease_id?: string;
  /** When the first send attempt started: unclear outcomes are looked up in Sendblue from here. */
  first_attempt_at?: string;
  created_at?: string;
  updated_at?: string;
}

export interface ClaimRequest {
  commandId: string;
  type: string;
  fingerprint: string;
  groupId?: string;
  leaseMs: number;
  /** A command that failed may be tried again only when it was redriven from the DLQ on purpose. */
  allowFailed: boolean;
}

export type ClaimResult =
  | { claimed: true; leaseId: string; previous?: CommandItem }
  | { claimed: false; current: CommandItem };

export interface CommandFinish {
  state: Exclude<CommandState, 'sending'>;
  error?: string;
  groupId?: string;
  messageHandle?: string;
}

export interface OutboundMessage {
  messageHandle: string;
  groupId?: string;
  commandId: string;
  status: string;
  content?: string;
  mediaUrl?: string;
  fromNumber?: string;
  dateSent: string;
  dateUpdated?: string;
  sendStyle?: string;
  participants?: string[];
  relayUrl?: string;
}

const { partitionKey: PK } = TABLE_SCHEMA;

export function createCommandTable(db: DynamoDBDocumentClient, TableName: string, now: () => Date, retentionDays: number) {
  const iso = () => now().toISOString();
  const expiresAt = () => Math.floor(now().getTime() / 1000) + retentionDays * 86_400;

  return {
    /** One conditional write decides who may act on a command; it never overwrites `sent` or a live lease. */
    async claimCommand(request: ClaimRequest): Promise<ClaimResult> {
      const at = now();
      const leaseId = randomUUID();
      const update = buildUpdate({
        set: {
          state: 'sending', type: request.type, lease_id: leaseId, lease_until: at.getTime() + request.leaseMs,
          updated_at: at.toISOString(), expires_at: expiresAt(), group_id: request.groupId,
        },
        setIfNotExists: {
          command_id: request.commandId, fingerprint: request.fingerprint,
          created_at: at.toISOString(), first_attempt_at: at.toISOString(),
        },
        increment: { attempts: 1 },
      });
      const retryable = request.allowFailed ? '#state IN (:queued, :unknown, :failed)' : '#state IN (:queued, :unknown)';
      try {
        const out = await db.send(new UpdateCommand({
          TableName,
          Key: commandKey(request.commandId),
          ...update,
          ExpressionAttributeValues: {
            ...update.ExpressionAttributeValues,
            ':queued': 'queued', ':unknown': 'unknown', ':sending': 'sending', ':now': at.getTime(),
            ...(request.allowFailed ? { ':failed': 'failed' } : {}),
          },
          ConditionExpression: `attribute_not_exists(${PK}) OR ${retryable} OR (#state = :sending AND #lease_until < :now)`,
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }));
        return { claimed: true, leaseId, previous: out.Attributes as CommandItem | undefined };
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        return { claimed: false, current: conditionFailureItem<CommandItem>(error) ?? { command_id: request.commandId, type: request.type, state: 'sending' } };
      }
    },

    /** Ends an attempt; only the lease holder may, so a slow attempt whose lease expired cannot overwrite a newer one. */
    async finishCommand(commandId: string, leaseId: string, finish: CommandFinish): Promise<boolean> {
      const update = buildUpdate({
        set: {
          state: finish.state, error: finish.error, group_id: finish.groupId,
          message_handle: finish.messageHandle, updated_at: iso(), expires_at: expiresAt(),
        },
        remove: ['lease_id', 'lease_until', ...(finish.error === undefined ? ['error'] : [])],
      });
      try {
        await db.send(new UpdateCommand({
          TableName,
          Key: commandKey(commandId),
          ...update,
          ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#lease_id': 'lease_id' },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':lease_id': leaseId },
          ConditionExpression: '#lease_id = :lease_id',
        }));
        return true;
      } catch (error) {
        if (isConditionalFailure(error)) return false;
        throw error;
      }
    },

    /** A command that could not be read or validated: recorded as failed unless the id already means something else. */
    async recordRejectedCommand(commandId: string, type: string, error: string): Promise<void> {
      const update = buildUpdate({
        set: { command_id: commandId, type, state: 'failed', error, updated_at: iso(), expires_at: expiresAt() },
        setIfNotExists: { created_at: iso() },
      });
      try {
        await db.send(new UpdateCommand({
          TableName,
          Key: commandKey(commandId),
          ...update,
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':failed_state': 'failed' },
          ConditionExpression: `attribute_not_exists(${PK}) OR #state = :failed_state`,
        }));
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
      }
    },

    /**
     * Stores an accepted send under its group. Status webhooks may have arrived first (Sendblue
     * calls back fast): their status is kept, never moved back to QUEUED. Returns the status that
     * was already there, if any, so the caller can relay it to the command's own callback.
     */
    async putOutboundMessage(message: OutboundMessage): Promise<{ earlierStatus?: string }> {
      const update = buildUpdate({
        set: {
          message_handle: message.messageHandle, group_id: message.groupId, direction: 'outbound',
          content: message.content, media_url: message.mediaUrl, from_number: message.fromNumber,
          date_sent: message.dateSent, send_style: message.sendStyle, participants: message.participants,
          relay_url: message.relayUrl, command_id: message.commandId,
          ...(message.groupId ? timelineKeys(message.groupId, message.dateSent, message.messageHandle) : {}),
        },
        setIfNotExists: {
          status: message.status, status_rank: statusRank(message.status),
          date_updated: message.dateUpdated ?? message.dateSent, received_at: iso(),
        },
      });
      const out = await db.send(new UpdateCommand({
        TableName, Key: messageKey(message.messageHandle), ...update, ReturnValues: 'UPDATED_OLD',
      }));
      const earlier = out.Attributes?.status;
      return { earlierStatus: typeof earlier === 'string' ? earlier : undefined };
    },
  };
}

export type CommandTable = ReturnType<typeof createCommandTable>;
